import Foundation
import Harness
import Masking
import TestSupport
import XCTest

/// The one reader of masked training sets: what `mask` writes reads back, Hugging Face-style
/// `input_ids` + `labels` lines without `ppl` are accepted, and each bad line is named.
final class MaskedDatasetReaderTests: XCTestCase {
    func testWhatMaskWritesReadsBackAndPlainHFLinesAreAccepted() throws {
        let dir = try scratchDirectory(prefix: "forgetbench-masking")
        let written = [
            MaskedExample(inputIDs: [1, 5, 6], labels: [-100, 5, -100], ppl: [nil, 1.5, 7.25], id: "a"),
            MaskedExample(inputIDs: [1, 9], labels: [-100, 9], ppl: [nil, 2], weights: [0, 0.5]),
        ]
        let url = dir.appendingPathComponent("masked.jsonl")
        var data = try JSONLines.encode(written)
        data.append(Data("\n{\"input_ids\": [1, 2.0, 3], \"labels\": [-100, 2, 3]}\n".utf8))
        try data.write(to: url)

        let read = try MaskedDatasetReader.read(path: url.path, vocabularySize: 10)
        XCTAssertEqual(Array(read.prefix(2)), written)
        XCTAssertEqual(read[2], MaskedExample(inputIDs: [1, 2, 3], labels: [-100, 2, 3], ppl: [nil, nil, nil]))
    }

    func testBadLinesNameFileAndLine() throws {
        let dir = try scratchDirectory(prefix: "forgetbench-masking")
        let cases: [(line: String, problem: String)] = [
            (#"{"input_ids": [1, 2], "labels": [2]}"#, "expected input_ids and labels of the same non-zero length"),
            (#"{"input_ids": [], "labels": []}"#, "expected input_ids and labels of the same non-zero length"),
            (#"{"input_ids": [1, 2.5], "labels": [1, 2]}"#, "expected input_ids and labels of the same non-zero length"),
            (#"{"input_ids": [1, 12], "labels": [1, 12]}"#, "token id 12 is outside the vocabulary (0..<10)"),
            (#"{"input_ids": [1, 2], "labels": [1, 2], "weights": [1, -1]}"#, "expected weights: one non-negative number per token"),
            (#"{"input_ids": [1, 2], "labels": [1, 2], "weights": [1]}"#, "expected weights: one non-negative number per token"),
            ("[1, 2]", "expected a JSON object, found a list"),
        ]
        for (line, problem) in cases {
            let path = try TestPaths.write([#"{"input_ids": [1], "labels": [1]}"#, "", line], named: "bad.jsonl", in: dir)
            XCTAssertThrowsError(try MaskedDatasetReader.read(path: path, vocabularySize: 10)) { error in
                XCTAssertEqual("\(error)", "\(path):3: \(problem)", line)
            }
        }
        let empty = try TestPaths.write([""], named: "empty.jsonl", in: dir)
        XCTAssertThrowsError(try MaskedDatasetReader.read(path: empty)) { XCTAssertEqual("\($0)", "\(empty): no training examples") }
    }
}
