import Harness
import Foundation
import XCTest
@testable import Jinja

/// Every real chat template in `../shared/chat-templates`, on every conversation of its
/// `renderings.json` (made with jinja2 as transformers renders) and of our own
/// `Fixtures/own-renderings/` (made by `scripts/chat-templates/render_own_cases.py`): the output is
/// byte-equal to jinja2's, and a conversation jinja2 refuses fails here with jinja2's error class
/// and message.
final class ReferenceRenderingTests: XCTestCase {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func templatesDirectory() throws -> URL {
        let shared = ProcessInfo.processInfo.environment["FORGETBENCH_SHARED"].map(URL.init(fileURLWithPath:))
            ?? repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared")
        let url = shared.appendingPathComponent("chat-templates")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw XCTSkip("\(url.path) is absent (set FORGETBENCH_SHARED)")
        }
        return url
    }

    /// The instant the fixtures froze `strftime_now` at: 2025-01-15 12:00:00, local time.
    static let frozenNow: Date = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .current
        return calendar.date(from: DateComponents(year: 2025, month: 1, day: 15, hour: 12))!
    }()

    static func folders() throws -> [URL] {
        let root = try templatesDirectory()
        return try FileManager.default.contentsOfDirectory(at: root, includingPropertiesForKeys: nil)
            .filter { FileManager.default.fileExists(atPath: $0.appendingPathComponent("renderings.json").path) }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// The template text of a folder, as render_reference.py reads it.
    static func templateSource(_ folder: URL) throws -> String {
        let file = folder.appendingPathComponent("chat_template.jinja")
        if FileManager.default.fileExists(atPath: file.path) { return try String(contentsOf: file, encoding: .utf8) }
        let config = try PythonJSON.value(from: String(contentsOf: folder.appendingPathComponent("tokenizer_config.json"), encoding: .utf8))
        guard case .dict(let dict) = config, case .string(let text)? = dict["chat_template"] else {
            throw XCTSkip("\(folder.lastPathComponent): no chat_template string")
        }
        return text
    }

    struct Outcome {
        var cases = 0
        var errors = 0
        var failures: [String] = []
    }

    /// Renders every case of one renderings document with `source`.
    static func check(_ document: Value, source: String, label: String) throws -> Outcome {
        guard case .dict(let root) = document, case .list(let cases)? = root["cases"] else {
            throw NSError(domain: "fixture", code: 1, userInfo: [NSLocalizedDescriptionKey: "\(label): no cases"])
        }
        var specials: [String: String] = [:]
        if case .dict(let tokens)? = root["special_tokens"] {
            for (key, value) in tokens.pairs { specials[key.pythonStr] = value.pythonStr }
        }
        let template = try ChatTemplate(source: source, specialTokens: specials, origin: label)
        var outcome = Outcome()
        for caseValue in cases {
            guard case .dict(let item) = caseValue, case .list(let messages)? = item["messages"] else { continue }
            outcome.cases += 1
            let name = item["name"]?.pythonStr ?? "?"
            var extra: [String: Value] = [:]
            if case .dict(let kwargs)? = item["kwargs"] { for (key, value) in kwargs.pairs { extra[key.pythonStr] = value } }
            let tools = item["tools"]
            let documents = item["documents"]
            let rendered: Result<String, Error> = Result {
                try template.render(messages: messages, addGenerationPrompt: item["add_generation_prompt"]?.isTruthy ?? false,
                                    tools: tools, documents: documents, extra: extra, now: frozenNow)
            }
            if case .string(let expected)? = item["expected"] {
                switch rendered {
                case .success(let text) where text.utf8.elementsEqual(expected.utf8):
                    break
                case .success(let text):
                    outcome.failures.append("\(label) \(name): rendered differently\n--- ours\n\(text.debugDescription)\n--- jinja2\n\(expected.debugDescription)")
                case .failure(let error):
                    outcome.failures.append("\(label) \(name): failed with \(error), jinja2 rendered it")
                }
            } else {
                outcome.errors += 1
                let expectedMessage = item["error"]?.pythonStr ?? ""
                let expectedType = item["error_type"]?.pythonStr ?? ""
                switch rendered {
                case .success(let text):
                    outcome.failures.append("\(label) \(name): rendered \(text.debugDescription), jinja2 raised \(expectedType): \(expectedMessage)")
                case .failure(let error):
                    let jinja = (error as? ChatTemplateError)?.error
                    if jinja?.message != expectedMessage || jinja?.kind.rawValue != expectedType {
                        outcome.failures.append("\(label) \(name): raised \(error), jinja2 raised \(expectedType): \(expectedMessage)")
                    }
                }
            }
        }
        return outcome
    }

    func testTheSharedRenderingsAreByteEqual() throws {
        var total = Outcome()
        for folder in try Self.folders() {
            let document = try PythonJSON.value(from: String(contentsOf: folder.appendingPathComponent("renderings.json"), encoding: .utf8))
            let outcome = try Self.check(document, source: try Self.templateSource(folder), label: folder.lastPathComponent)
            total.cases += outcome.cases
            total.errors += outcome.errors
            total.failures += outcome.failures
        }
        print("shared renderings: \(total.cases) cases, \(total.errors) errors, \(total.failures.count) failures")
        XCTAssertGreaterThanOrEqual(total.cases, 300, "the ten templates' renderings hold over 300 cases")
        XCTAssertGreaterThan(total.errors, 10, "some cases must exercise the error path")
        XCTAssertEqual(total.failures.count, 0, total.failures.prefix(8).joined(separator: "\n\n"))
    }

    func testOurOwnConversationsAreByteEqual() throws {
        let own = Self.repositoryRoot.appendingPathComponent("Tests/JinjaTests/Fixtures/own-renderings")
        var total = Outcome()
        var templates = 0
        for folder in try Self.folders() {
            let file = own.appendingPathComponent(folder.lastPathComponent + ".json")
            let document = try PythonJSON.value(from: String(contentsOf: file, encoding: .utf8))
            let source = try Self.templateSource(folder)
            guard case .dict(let root) = document else { continue }
            XCTAssertEqual(root["template_sha256"]?.pythonStr, Self.sha256(source),
                           "\(file.lastPathComponent) was rendered from another template; rerun scripts/chat-templates/render_own_cases.py")
            let outcome = try Self.check(document, source: source, label: "own/" + folder.lastPathComponent)
            XCTAssertGreaterThanOrEqual(outcome.cases, 20, "at least 20 own conversations per template")
            templates += 1
            total.cases += outcome.cases
            total.failures += outcome.failures
        }
        print("own renderings: \(templates) templates, \(total.cases) cases, \(total.failures.count) failures")
        XCTAssertEqual(templates, try Self.folders().count)
        XCTAssertEqual(total.failures.count, 0, total.failures.prefix(8).joined(separator: "\n\n"))
    }

    static func sha256(_ text: String) -> String {
        ContentHash.sha256(text)
    }
}
