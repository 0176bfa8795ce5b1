import Foundation
import XCTest
@testable import Runner

/// The external trainer's command line: split as a POSIX shell splits words (checked against
/// `sh -c 'printf "%s\n" ...'`), placeholders replaced inside words, unknown placeholders refused,
/// and the program's exit status, output and products observed.
final class TrainerCommandTests: XCTestCase {
    /// What /bin/sh makes of `line` as arguments.
    func shellWords(_ line: String) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "for a in \(line); do printf '%s\\0' \"$a\"; done"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        // Each word ends in a NUL: the pieces before the last NUL are the words (empty ones included).
        return data.split(separator: 0, omittingEmptySubsequences: false).dropLast().map { String(decoding: $0, as: UTF8.self) }
    }

    func testWordsAreSplitAsTheShellSplitsThem() throws {
        for line in [
            "python train.py --data x.jsonl",
            "a   'b c'  \"d e\" f\\ g",
            "x'y z'w \"q\\\"r\" 's\\t'",
            "\"a\\\\b\" '' \"\"",
        ] {
            XCTAssertEqual(try TrainerCommand.split(line), try shellWords(line), line)
        }
    }

    func testPlaceholdersAreReplacedInsideWords() throws {
        let command = try TrainerCommand("torchrun --nproc_per_node {gpus} train.py --data={data} --settings {settings} --model {base} --output '{output}'")
        let args = command.arguments(data: "/d/my data.jsonl", settings: "/s.json", base: "/m", output: "/o u t", gpus: 4)
        XCTAssertEqual(args, ["torchrun", "--nproc_per_node", "4", "train.py", "--data=/d/my data.jsonl", "--settings", "/s.json", "--model", "/m", "--output", "/o u t"])
    }

    func testUnknownPlaceholdersAndBadQuotesAreRefused() {
        XCTAssertThrowsError(try TrainerCommand("python train.py --data {dta}")) { error in
            XCTAssertTrue("\(error)".contains("{dta}") && "\(error)".contains("{data}"), "\(error)")
        }
        XCTAssertThrowsError(try TrainerCommand("python 'train.py")) { XCTAssertTrue("\($0)".contains("unterminated"), "\($0)") }
        XCTAssertThrowsError(try TrainerCommand("   ")) { XCTAssertTrue("\($0)".contains("empty"), "\($0)") }
        XCTAssertNoThrow(try TrainerCommand("python -c 'print({})' {data}"), "braces that are no placeholder name stay")
    }

    func testTheRunReportsTheExitStatusAndEveryLine() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("trainer-command-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("trainer.log")
        var seen: [String] = []
        let outcome = try TrainerCommand.run(arguments: ["sh", "-c", "echo 'step 1/2 loss 3.0'; echo oops >&2; printf 'step 2/2'; exit 7"], log: log) { seen.append($0) }
        XCTAssertEqual(outcome.exitCode, 7)
        XCTAssertEqual(seen.filter { $0.hasPrefix("step") }, ["step 1/2 loss 3.0", "step 2/2"])
        XCTAssertTrue(seen.contains("oops"))
        let text = try String(contentsOf: log, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("$ sh -c "), text)
        XCTAssertTrue(text.contains("oops") && text.hasSuffix("[trainer exited with status 7]\n"), text)
    }

    func testTheOutputCheckWantsAnAdapterOrAModel() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("trainer-output-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        XCTAssertNotNil(TrainerCommand.missingOutput(in: directory))
        try Data("{}".utf8).write(to: directory.appendingPathComponent("adapter_config.json"))
        XCTAssertTrue(TrainerCommand.missingOutput(in: directory)?.contains("half a PEFT adapter") == true)
        try Data().write(to: directory.appendingPathComponent("adapter_model.safetensors"))
        XCTAssertNil(TrainerCommand.missingOutput(in: directory))
    }
}
