import Foundation
import XCTest
@testable import Jinja

/// A template comes from a model repository, so it is untrusted input: each way to hang the
/// tool, exhaust memory or the stack, or reach the host fails with an error, within a second.
final class HostileTemplateTests: XCTestCase {
    /// Renders `source` and returns the error and the seconds it took.
    func failure(_ source: String, context: [String: Value] = [:], file: StaticString = #filePath, line: UInt = #line) -> (JinjaError?, Double) {
        let start = Date()
        do {
            let text = try Template(source).render(context)
            XCTFail("rendered \(text.utf8.count) bytes instead of failing", file: file, line: line)
            return (nil, Date().timeIntervalSince(start))
        } catch let error as JinjaError {
            return (error, Date().timeIntervalSince(start))
        } catch {
            XCTFail("not a JinjaError: \(error)", file: file, line: line)
            return (nil, Date().timeIntervalSince(start))
        }
    }

    func assertFails(_ source: String, context: [String: Value] = [:], kind: JinjaError.Kind, containing text: String,
                     file: StaticString = #filePath, line: UInt = #line) {
        let (error, seconds) = failure(source, context: context, file: file, line: line)
        XCTAssertEqual(error?.kind, kind, String(describing: error), file: file, line: line)
        XCTAssertTrue(error?.message.contains(text) ?? false, String(describing: error), file: file, line: line)
        XCTAssertLessThan(seconds, 1.0, "took \(seconds) s", file: file, line: line)
    }

    func testAnUnboundedLoopStopsAtTheStepLimit() {
        // 10^10 iterations were asked for; the step bound stops it after 200,000.
        assertFails("{% for i in range(100000) %}{% for j in range(100000) %}{{ '' }}{% endfor %}{% endfor %}",
                    kind: .limit, containing: "loop iterations and macro calls")
        assertFails("{{ range(1000000000) | length }}", kind: .overflow, containing: "MAX_RANGE")
    }

    func testDeepRecursionStopsAtTheCallDepth() {
        assertFails("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", kind: .limit, containing: "nest deeper than 100")
        // Two calls per level: 2^60 calls in all, far below the depth bound.
        assertFails("{% macro f(n) %}{% if n < 60 %}{{ f(n + 1) }}{{ f(n + 1) }}{% endif %}{% endmacro %}{{ f(0) }}",
                    kind: .limit, containing: "loop iterations and macro calls")
    }

    func testAHugeOutputStopsAtTheByteLimit() {
        assertFails("{{ 'x' * 1000000000 }}", kind: .limit, containing: "elements")
        assertFails("{% for i in range(100000) %}{{ 'x' * 10000 }}{% endfor %}", kind: .limit, containing: "bytes")
        assertFails("{% set s = namespace(t='x') %}{% for i in range(40) %}{% set s.t = s.t ~ s.t %}{% endfor %}{{ s.t }}",
                    kind: .limit, containing: "more than the render allows")
    }

    func testPythonInternalsAreOutOfReach() {
        for source in ["{{ ''.__class__.__mro__[1].__subclasses__() }}", "{{ messages.__class__ }}",
                       "{{ namespace.__init__.__globals__ }}", "{{ raise_exception.__code__ }}", "{{ x['__class__'] }}",
                       "{{ (range|attr('__class__')) }}"] {
            let (error, seconds) = failure(source, context: ["messages": .list([]), "x": .dict(Dict())])
            XCTAssertEqual(error?.kind, .security, "\(source): \(String(describing: error))")
            XCTAssertLessThan(seconds, 1.0)
        }
        // Templates cannot change their inputs.
        assertFails("{{ messages.append(1) }}", context: ["messages": .list([])], kind: .security, containing: "unsafe")
    }

    func testDeepNestingIsASyntaxErrorNotACrash() {
        let parentheses = String(repeating: "(", count: 100_000) + "1" + String(repeating: ")", count: 100_000)
        assertFails("{{ \(parentheses) }}", kind: .syntax, containing: "deeper than 200")
        assertFails("{{ " + String(repeating: "not ", count: 100_000) + "x }}", kind: .syntax, containing: "deeper than 200")
        assertFails(String(repeating: "{% if x %}", count: 10_000) + String(repeating: "{% endif %}", count: 10_000),
                    kind: .syntax, containing: "deeper than 200")
    }

    func testErrorsNameTheTemplateLineAndColumn() throws {
        XCTAssertThrowsError(try Template("line one\n{{ 'a' + 1 }}").render([:])) { error in
            let jinja = error as? JinjaError
            XCTAssertEqual(jinja?.line, 2)
            XCTAssertEqual(jinja?.column, 8)
            XCTAssertEqual(jinja?.description, "TypeError at line 2, column 8: can only concatenate str (not \"int\") to str")
        }
        XCTAssertThrowsError(try Template("ok\n  {% if x %}\nno end")) { error in
            XCTAssertEqual((error as? JinjaError)?.kind, .syntax)
            XCTAssertEqual((error as? JinjaError)?.line, 3)
        }
    }
}
