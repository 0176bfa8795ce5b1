import Foundation
import XCTest
@testable import Jinja

/// Small template snippets, one language feature each, rendered here and by real jinja2 configured
/// as transformers configures it (`Fixtures/snippets.json`, made by
/// `scripts/chat-templates/render_snippets.py`): the text must be byte-equal, and a snippet jinja2
/// refuses must fail here with jinja2's error class and message.
///
/// jinja2's compile-time errors (`TemplateSyntaxError`, `TemplateAssertionError` for an unknown
/// filter or test, Python's `SyntaxError` for code jinja2 generates but Python refuses, such as a
/// `{% break %}` outside a loop) only need to be one of our `.syntax` errors; their wording is not compared.
/// Runtime errors need the same class (the `JinjaError.Kind` of that name; `ZeroDivisionError` is
/// `.value` where there is no such kind) and the same message.
final class SnippetConformanceTests: XCTestCase {
    static let fixtureURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().appendingPathComponent("Fixtures/snippets.json")

    /// The instant the fixture froze `strftime_now` at: 2025-01-15 12:00:00, local time.
    static let frozenNow: Date = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .current
        return calendar.date(from: DateComponents(year: 2025, month: 1, day: 15, hour: 12))!
    }()

    /// The fixture environment's globals, as `ChatTemplate.render` builds them.
    static var globals: [String: Value] {
        var globals = Template.standardGlobals
        globals["raise_exception"] = .callable(Globals.raiseException)
        globals["strftime_now"] = .callable(Globals.strftimeNow(at: frozenNow))
        return globals
    }

    /// jinja2's error classes raised while compiling.
    static let compileTimeErrors: Set<String> = ["TemplateSyntaxError", "TemplateAssertionError", "SyntaxError"]

    /// Our kind for a Python exception class raised while rendering: the kind of that name where
    /// `JinjaError.Kind` has one, else `.value` for `ZeroDivisionError` (a `ValueError`-like error),
    /// else the Python name itself (which then matches no kind of ours and is reported).
    static func expectedKind(_ pythonClass: String) -> String {
        if let kind = JinjaError.Kind(rawValue: pythonClass) { return kind.rawValue }
        if pythonClass == "ZeroDivisionError" { return JinjaError.Kind.value.rawValue }
        return pythonClass
    }

    struct Snippet {
        var name: String
        var template: String
        var context: [String: Value]
        var expected: String?
        var errorType: String?
        var error: String?
        var contextText: String
    }

    static func loadSnippets() throws -> [Snippet] {
        let document = try PythonJSON.value(from: String(contentsOf: fixtureURL, encoding: .utf8))
        guard case .dict(let root) = document, case .list(let items)? = root["snippets"] else {
            throw NSError(domain: "fixture", code: 1, userInfo: [NSLocalizedDescriptionKey: "snippets.json: no snippets list"])
        }
        return try items.map { item in
            guard case .dict(let entry) = item, case .string(let name)? = entry["name"],
                  case .string(let template)? = entry["template"], case .dict(let contextDict)? = entry["context"] else {
                throw NSError(domain: "fixture", code: 2, userInfo: [NSLocalizedDescriptionKey: "snippets.json: malformed entry \(item.pythonRepr)"])
            }
            var context: [String: Value] = [:]
            for (key, value) in contextDict.pairs { context[key.pythonStr] = value }
            var snippet = Snippet(name: name, template: template, context: context, contextText: (try? PythonJSON.dumps(.dict(contextDict), indent: nil)) ?? "?")
            if case .string(let expected)? = entry["expected"] { snippet.expected = expected }
            if case .string(let type)? = entry["error_type"] { snippet.errorType = type }
            if case .string(let message)? = entry["error"] { snippet.error = message }
            return snippet
        }
    }

    /// Nil when ours agrees with jinja2, else why not.
    static func check(_ snippet: Snippet) -> String? {
        let rendered: Result<String, Error> = Result {
            try Template(snippet.template).render(snippet.context, globals: globals)
        }
        func describe(_ error: Error) -> String {
            guard let jinja = error as? JinjaError else { return "non-Jinja error \(error)" }
            return "\(jinja.kind.rawValue): \(jinja.message.debugDescription)"
        }
        let ours: String
        switch rendered {
        case .success(let text): ours = "rendered \(text.debugDescription)"
        case .failure(let error): ours = "raised \(describe(error))"
        }
        if let expected = snippet.expected {
            if case .success(let text) = rendered, text.utf8.elementsEqual(expected.utf8) { return nil }
            return "jinja2: rendered \(expected.debugDescription)\n   ours: \(ours)"
        }
        let type = snippet.errorType ?? "?"
        let message = snippet.error ?? ""
        let theirs = "jinja2: raised \(type): \(message.debugDescription)"
        guard case .failure(let error) = rendered, let jinja = error as? JinjaError else {
            return "\(theirs)\n   ours: \(ours)"
        }
        if compileTimeErrors.contains(type) {
            return jinja.kind == .syntax ? nil : "\(theirs)\n   ours: \(ours)"
        }
        if jinja.kind.rawValue == expectedKind(type) && jinja.message == message { return nil }
        return "\(theirs)\n   ours: \(ours)"
    }

    /// Where we differ from jinja2 on purpose. Each must still differ (a fix removes it here).
    static let knownDifferences: [String: String] = [
        // Printing a dict view or a range shows Python's class name; ours prints the list.
        // No chat template prints one (they iterate them), and a list is what they hold.
        "dict_methods/print_views": "dict views print as lists",
        "globals/range_repr": "range objects print as lists",
        // jinja2 returns an undefined for an unsafe attribute and raises only on further use;
        // we raise at once, so a template probing Python internals fails at the first step.
        "errors/dunder_attr_print": "unsafe attributes raise at once",
    ]

    func testSnippetsMatchJinja2() throws {
        let snippets = try Self.loadSnippets()
        XCTAssertGreaterThanOrEqual(snippets.count, 200, "the fixture holds at least 200 snippets")
        XCTAssertEqual(Set(snippets.map(\.name)).count, snippets.count, "snippet names are unique")
        var mismatches: [String] = []
        var known: Set<String> = []
        for snippet in snippets {
            guard let why = Self.check(snippet) else { continue }
            if Self.knownDifferences[snippet.name] != nil { known.insert(snippet.name); continue }
            mismatches.append("\(snippet.name)\n   template: \(snippet.template.debugDescription)\n   context: \(snippet.contextText)\n   \(why)")
        }
        let errors = snippets.filter { $0.expected == nil }.count
        print("snippets: \(snippets.count) (\(errors) jinja2 errors), \(mismatches.count) mismatches, \(known.count) known differences")
        XCTAssertEqual(known, Set(Self.knownDifferences.keys), "a known difference now matches jinja2: remove it from the list")
        XCTAssertTrue(mismatches.isEmpty,
                      "\(mismatches.count) of \(snippets.count) snippets differ from jinja2:\n\n" + mismatches.joined(separator: "\n\n"))
    }
}
