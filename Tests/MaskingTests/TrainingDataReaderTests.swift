import Foundation
import Masking
import TestSupport
import XCTest

final class TrainingDataReaderTests: XCTestCase {
    func testReadsEachForm() throws {
        let dir = try scratchDirectory(prefix: "forgetbench-masking")
        let path = try TestPaths.write([
            #"{"prompt": "p", "response": "r", "id": 3}"#,
            "",
            #"{"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}, {"role": "assistant", "content": "a"}]}"#,
            #"{"prompt_ids": [1, 2], "response_ids": [3]}"#,
        ], named: "train.jsonl", in: dir)
        let (examples, sha) = try TrainingDataReader.read(path: path)
        XCTAssertEqual(sha.count, 64)
        XCTAssertEqual(examples.count, 3)
        XCTAssertEqual(examples[0].content, .text(prompt: [ChatMessage(role: "user", content: "p")], response: "r"))
        XCTAssertEqual(examples[0].id, "3")
        XCTAssertEqual(examples[1].content, .text(prompt: [ChatMessage(role: "system", content: "s"), ChatMessage(role: "user", content: "u")], response: "a"))
        XCTAssertEqual(examples[1].line, 3)
        XCTAssertEqual(examples[2].content, .tokens(prompt: [1, 2], response: [3]))
    }

    func testBadLinesNameFileAndLine() throws {
        let dir = try scratchDirectory(prefix: "forgetbench-masking")
        let cases: [(String, String)] = [
            (#"{"prompt": "only a prompt"}"#, "expected {\"prompt\", \"response\"}"),
            (#"{"text": "hello"}"#, "expected {\"prompt\", \"response\"}"),
            (#"{"messages": [{"role": "user", "content": "hi"}]}"#, "no assistant message"),
            (#"{"messages": "hi"}"#, "must be a list"),
            (#"{"prompt": 1, "response": "r"}"#, "must be strings"),
            ("not json", "not valid JSON"),
            ("[1, 2]", "expected a JSON object"),
            (#"{"prompt_ids": [1.5], "response_ids": [2]}"#, "lists of integers"),
        ]
        for (line, expected) in cases {
            let path = try TestPaths.write([#"{"prompt": "p", "response": "r"}"#, line], named: "bad.jsonl", in: dir)
            XCTAssertThrowsError(try TrainingDataReader.read(path: path), line) { error in
                let message = String(describing: error)
                XCTAssertTrue(message.hasPrefix("\(path):2: "), message)
                XCTAssertTrue(message.contains(expected), message)
            }
        }
    }
}
