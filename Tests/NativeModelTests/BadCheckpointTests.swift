import Foundation
import TestSupport
import XCTest
@testable import NativeModel

/// Every malformed checkpoint fails with one line naming the file and the problem, never a crash.
final class BadCheckpointTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws { directory = try scratchDirectory(prefix: "forgetbench-tests") }

    /// Writes a safetensors file from a raw header and data section.
    func safetensors(header: String, dataBytes: Int, headerLength: UInt64? = nil) throws -> URL {
        var data = Data()
        let h = Data(header.utf8)
        withUnsafeBytes(of: (headerLength ?? UInt64(h.count)).littleEndian) { data.append(contentsOf: $0) }
        data.append(h)
        data.append(Data(count: dataBytes))
        let url = directory.appendingPathComponent("model.safetensors")
        try data.write(to: url)
        return url
    }

    func assertLoadError(_ body: () throws -> Void, path: String, contains fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.hasPrefix(path), "'\(text)' should start with \(path)", file: file, line: line)
            XCTAssertTrue(text.contains(fragment), "'\(text)' should mention '\(fragment)'", file: file, line: line)
            XCTAssertFalse(text.contains("\n"), "one line expected: \(text)", file: file, line: line)
        }
    }

    func testHeaderLengthPastTheEnd() throws {
        let url = try safetensors(header: "{}", dataBytes: 0, headerLength: 1_000_000)
        assertLoadError({ _ = try SafeTensorsFile(url: url) }, path: url.path, contains: "runs past the end")
    }

    func testTruncatedBeforeHeaderLength() throws {
        let url = directory.appendingPathComponent("model.safetensors")
        try Data([1, 2, 3]).write(to: url)
        assertLoadError({ _ = try SafeTensorsFile(url: url) }, path: url.path, contains: "truncated")
    }

    func testOffsetsOutOfRange() throws {
        let url = try safetensors(header: #"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, dataBytes: 8)
        assertLoadError({ _ = try SafeTensorsFile(url: url) }, path: url.path, contains: "out of range")
    }

    func testShapeAndDtypeDisagreeWithOffsets() throws {
        let url = try safetensors(header: #"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,8]}}"#, dataBytes: 8)
        assertLoadError({ _ = try SafeTensorsFile(url: url) }, path: url.path, contains: "needs 16 bytes")
    }

    func testUnsupportedDtype() throws {
        let url = try safetensors(header: #"{"w":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#, dataBytes: 8)
        assertLoadError({ _ = try SafeTensorsFile(url: url) }, path: url.path, contains: "supported: F32, F16, BF16")
    }

    func testHeaderNotJSON() throws {
        let url = try safetensors(header: "{not json", dataBytes: 0)
        assertLoadError({ _ = try SafeTensorsFile(url: url) }, path: url.path, contains: "not a JSON object")
    }

    func testRoundTripOfWrittenFile() throws {
        let t = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let url = directory.appendingPathComponent("x.safetensors")
        try SafeTensorsFile.write([("a", t)], metadata: ["format": "pt"], to: url)
        let file = try SafeTensorsFile(url: url)
        XCTAssertEqual(try file.tensor("a").values, t.values)
        XCTAssertEqual(file.metadata["format"], "pt")
    }

    /// Copies a fixture checkpoint and rewrites its config.json through `edit`.
    func checkpointWithConfig(_ edit: (inout [String: Any]) -> Void) throws -> URL {
        let source = TestPaths.fixtures.appendingPathComponent("hf/llama_gqa_untied_f32")
        let target = directory.appendingPathComponent("model")
        try FileManager.default.copyItem(at: source, to: target)
        var config = try TestPaths.json(target.appendingPathComponent("config.json"))
        edit(&config)
        try JSONSerialization.data(withJSONObject: config).write(to: target.appendingPathComponent("config.json"))
        return target
    }

    func testMissingConfigField() throws {
        let dir = try checkpointWithConfig { $0["hidden_size"] = nil }
        assertLoadError({ _ = try CheckpointLoader.loadWeights(at: dir.path) }, path: dir.appendingPathComponent("config.json").path,
                        contains: "missing field hidden_size")
    }

    func testUnsupportedModelTypeListsSupportedOnes() throws {
        let dir = try checkpointWithConfig { $0["model_type"] = "gpt2" }
        assertLoadError({ _ = try CheckpointLoader.loadWeights(at: dir.path) }, path: dir.appendingPathComponent("config.json").path,
                        contains: "unsupported model_type 'gpt2' (supported: llama, mistral, qwen2)")
    }

    func testUnsupportedRopeScaling() throws {
        let dir = try checkpointWithConfig { $0["rope_parameters"] = ["rope_type": "yarn", "factor": 4.0, "rope_theta": 10000.0] }
        assertLoadError({ _ = try CheckpointLoader.loadWeights(at: dir.path) }, path: dir.appendingPathComponent("config.json").path,
                        contains: "supported: default, linear, llama3")
    }

    func testConfigShapeDisagreesWithTensors() throws {
        let dir = try checkpointWithConfig { $0["intermediate_size"] = 100 }
        assertLoadError({ _ = try CheckpointLoader.loadWeights(at: dir.path) }, path: dir.appendingPathComponent("model.safetensors").path,
                        contains: "config.json implies")
    }

    func testUnsupportedTokenizerType() throws {
        let dir = try checkpointWithConfig { _ in }
        let tokenizer = #"{"version":"1.0","model":{"type":"WordPiece","vocab":{"a":0},"unk_token":"a"}}"#
        try Data(tokenizer.utf8).write(to: dir.appendingPathComponent("tokenizer.json"))
        assertLoadError({ _ = try NativeLanguageModel.load(modelPath: dir.path) }, path: dir.appendingPathComponent("tokenizer.json").path,
                        contains: "WordPiece")
    }

    func testLlama2cSizeDisagreesWithHeader() throws {
        let paths = try TestPaths.stories260K()
        let data = try Data(contentsOf: URL(fileURLWithPath: paths.model))
        let url = directory.appendingPathComponent("cut.bin")
        try data.prefix(data.count - 100).write(to: url)
        assertLoadError({ _ = try CheckpointLoader.loadWeights(at: url.path) }, path: url.path, contains: "disagrees with its header")
    }

    func testLlama2cImplausibleHeader() throws {
        let url = directory.appendingPathComponent("junk.bin")
        try Data(repeating: 0xFF, count: 64).write(to: url)
        assertLoadError({ _ = try CheckpointLoader.loadWeights(at: url.path) }, path: url.path, contains: "not a llama2.c checkpoint")
    }
}
