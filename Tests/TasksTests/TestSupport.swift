import Foundation
import Harness
@testable import Tasks
import XCTest

/// Paths the tests use, from this file's location.
enum Paths {
    /// `Tests/`
    static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = tests.appendingPathComponent("Fixtures/tasks")
    static let fixtureData = fixtures.appendingPathComponent("data")
    static let repository = tests.deletingLastPathComponent()
    static let shippedTasks = repository.appendingPathComponent("tasks")

    static func fixture(_ relative: String) -> URL { fixtures.appendingPathComponent(relative).standardized }

    /// `shared/data` (FORGETBENCH_SHARED, else `../shared` beside the repository); skips the test when absent.
    static func sharedData() throws -> URL {
        let shared: URL
        if let env = ProcessInfo.processInfo.environment["FORGETBENCH_SHARED"], !env.isEmpty {
            shared = URL(fileURLWithPath: env)
        } else {
            shared = repository.appendingPathComponent("../shared").standardized
        }
        let data = shared.appendingPathComponent("data")
        guard FileManager.default.fileExists(atPath: data.appendingPathComponent("gsm8k/test.jsonl").path) else {
            throw XCTSkip("shared data not found at \(data.path); set FORGETBENCH_SHARED")
        }
        return data
    }
}

/// A scratch folder removed after the test.
final class TemporaryDirectory {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("forgetbench-tasks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> URL {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file
    }
}

/// The error `body` throws, as a `TaskError`.
func taskError<T>(_ body: () throws -> T, file: StaticString = #filePath, line: UInt = #line) -> TaskError? {
    do {
        _ = try body()
        XCTFail("expected an error", file: file, line: line)
        return nil
    } catch let error as TaskError {
        let text = error.description
        XCTAssertFalse(text.contains("\n"), "error is not one line: \(text)", file: file, line: line)
        return error
    } catch {
        XCTFail("expected a TaskError, got \(error)", file: file, line: line)
        return nil
    }
}

/// Parses `t.yaml`, a generate_until task file whose `generation:` value is `generation` and whose
/// last lines, from line 7 on, are `rest`.
func parseGenerationTask(generation: String = "{max_tokens: 8}", then rest: String) throws -> TaskSpec {
    let directory = try TemporaryDirectory()
    let file = try directory.write("t.yaml", """
    name: t
    output_type: generate_until
    dataset: {path: d.jsonl}
    prompt: "{{q}}"
    target: "{{a}}"
    generation: \(generation)
    \(rest)
    """)
    return try TaskFileParser.parse(fileAt: file)
}

func loadTask(_ relative: String, dataRoot: URL = Paths.fixtureData) throws -> YAMLTask {
    try YAMLTask(spec: TaskFileParser.parse(fileAt: Paths.fixture(relative)), dataRoot: dataRoot)
}

func ll(_ value: Double, greedy: Bool = false, tokens: Int = 1) -> LoglikelihoodResponse {
    LoglikelihoodResponse(logLikelihood: value, isGreedy: greedy, tokenCount: tokens)
}
