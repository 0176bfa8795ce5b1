import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import Reports

final class JUnitXMLWriterTests: XCTestCase {
    /// A report that uses every feature of the model.
    static func sampleReport() -> JUnitReport {
        JUnitReport(name: "forgetbench compare", testSuites: [
            JUnitTestSuite(
                name: "candidate vs base",
                timestamp: Date(timeIntervalSince1970: 1_700_000_000),
                hostname: "ci-runner-1",
                properties: [JUnitProperty(name: "base.fingerprint", value: "sha256:abc"), JUnitProperty(name: "seed", value: "1234")],
                testCases: [
                    JUnitTestCase(name: "mbpp/pass@1 target", classname: "forgetbench.gates.mbpp", time: 1.5,
                                  properties: [JUnitProperty(name: "delta", value: "+3.2"), JUnitProperty(name: "p", value: "0.003")],
                                  outcome: .passed),
                    JUnitTestCase(name: "gsm8k/exact_match non-inferiority", classname: "forgetbench.gates.gsm8k", time: 2.25,
                                  properties: [JUnitProperty(name: "delta", value: "-54.05")],
                                  outcome: .failure(message: "dropped 54.05 pts (margin 2 pts)", type: "gate.fail", details: "base 0.7255, candidate 0.1850"),
                                  systemOut: "bootstrap: 1000 resamples", systemErr: "warning: small n"),
                    JUnitTestCase(name: "arc/acc", classname: "forgetbench.gates.arc",
                                  outcome: .error(message: "model failed to load", details: "stack")),
                    JUnitTestCase(name: "hellaswag/acc", classname: "forgetbench.gates.hellaswag", time: 0,
                                  outcome: .skipped(message: "task not in this run")),
                    JUnitTestCase(name: "hellaswag/acc_norm", classname: "forgetbench.gates.hellaswag", outcome: .skipped()),
                ]
            ),
            JUnitTestSuite(name: "empty suite"),
        ])
    }

    func parse(_ data: Data) throws -> XMLElement {
        let document = try XMLDocument(data: data, options: [])
        return try XCTUnwrap(document.rootElement())
    }

    func attribute(_ element: XMLElement, _ name: String) -> String? {
        element.attribute(forName: name)?.stringValue
    }

    func testCountsAreComputedFromCases() throws {
        let report = Self.sampleReport()
        let suite = report.testSuites[0]
        XCTAssertEqual([suite.tests, suite.failures, suite.errors, suite.skipped], [5, 1, 1, 2])
        XCTAssertEqual([report.tests, report.failures, report.errors, report.skipped], [5, 1, 1, 2])
        XCTAssertEqual(suite.effectiveTime, 3.75)

        let root = try parse(JUnitXMLWriter().data(for: report))
        XCTAssertEqual(root.name, "testsuites")
        XCTAssertEqual(attribute(root, "tests"), "5")
        XCTAssertEqual(attribute(root, "failures"), "1")
        XCTAssertEqual(attribute(root, "errors"), "1")
        XCTAssertNil(attribute(root, "skipped"), "the schema has no skipped attribute on testsuites")
        XCTAssertEqual(attribute(root, "time"), "3.750")
        let suites = root.elements(forName: "testsuite")
        XCTAssertEqual(suites.count, 2)
        XCTAssertEqual(attribute(suites[0], "skipped"), "2")
        XCTAssertEqual(attribute(suites[0], "timestamp"), "2023-11-14T22:13:20")
        XCTAssertEqual(attribute(suites[0], "hostname"), "ci-runner-1")
        XCTAssertEqual(attribute(suites[1], "tests"), "0")
        XCTAssertEqual(attribute(suites[1], "time"), "0.000")

        // Properties come before the cases; per-case properties are in system-out.
        let children = (suites[0].children ?? []).compactMap { $0.name }
        XCTAssertEqual(children, ["properties", "testcase", "testcase", "testcase", "testcase", "testcase"])
        let cases = suites[0].elements(forName: "testcase")
        XCTAssertEqual(cases[0].elements(forName: "system-out").first?.stringValue, "delta=+3.2\np=0.003\n")
        XCTAssertEqual(cases[1].elements(forName: "system-out").first?.stringValue, "delta=-54.05\n\nbootstrap: 1000 resamples")
        XCTAssertEqual(cases[1].elements(forName: "system-err").first?.stringValue, "warning: small n")
        let failure = try XCTUnwrap(cases[1].elements(forName: "failure").first)
        XCTAssertEqual(attribute(failure, "message"), "dropped 54.05 pts (margin 2 pts)")
        XCTAssertEqual(attribute(failure, "type"), "gate.fail")
        XCTAssertEqual(failure.stringValue, "base 0.7255, candidate 0.1850")
        XCTAssertEqual(cases[2].elements(forName: "error").first.flatMap { attribute($0, "message") }, "model failed to load")
        XCTAssertNil(attribute(cases[2], "time"))
        XCTAssertEqual(cases[3].elements(forName: "skipped").first.flatMap { attribute($0, "message") }, "task not in this run")
        XCTAssertEqual(cases[4].elements(forName: "skipped").count, 1)
        XCTAssertTrue(cases[0].elements(forName: "failure").isEmpty)
    }

    func testSampleReportValidatesAgainstSchema() throws {
        let (schema, xmllint) = try TestSupport.junitSchemaAndXmllint()
        let directory = try TestSupport.temporaryDirectory(self)
        for options in [JUnitXMLWriter.Options(), .init(prettyPrinted: false, mirrorCasePropertiesInSuite: true)] {
            let file = directory.appendingPathComponent("nested/dir/junit.xml")
            try JUnitXMLWriter(options: options).write(Self.sampleReport(), to: file)
            let result = try TestSupport.validate(file, schema: schema, xmllint: xmllint)
            XCTAssertEqual(result.status, 0, result.output)
        }
        let empty = directory.appendingPathComponent("empty.xml")
        try JUnitXMLWriter().write(JUnitReport(name: ""), to: empty)
        let result = try TestSupport.validate(empty, schema: schema, xmllint: xmllint)
        XCTAssertEqual(result.status, 0, result.output)
    }

    func testNastyInputsRoundTripAndValidate() throws {
        let forbidden = "\u{0}\u{1}\u{8}\u{B}\u{C}\u{E}\u{1F}\u{FFFE}\u{FFFF}"
        let markup = "]]> <&>\"' <![CDATA[x]]> &amp; <!-- c -->"
        let emoji = "😀 👩‍👩‍👧 ✅ ⚠️ 𝔸"
        let long = String(repeating: "long message 🔥 ", count: 10_000)
        let nasty = "a\(forbidden)b \(markup) \(emoji)\r\nsecond line\rthird\ttab"
        let report = JUnitReport(name: nasty, testSuites: [
            JUnitTestSuite(name: nasty, hostname: nasty, properties: [JUnitProperty(name: nasty, value: nasty)], testCases: [
                JUnitTestCase(name: nasty, classname: nasty, time: .nan,
                              properties: [JUnitProperty(name: "k\(forbidden)", value: "v\nw")],
                              outcome: .failure(message: nasty, type: nasty, details: nasty), systemOut: nasty, systemErr: nasty),
                JUnitTestCase(name: nasty, classname: "c", time: -3, outcome: .error(message: long)),
                JUnitTestCase(name: emoji, classname: "c", time: .infinity, outcome: .skipped(message: markup)),
            ]),
        ])
        let data = JUnitXMLWriter().data(for: report)
        let root = try parse(data)
        let text = String(decoding: data, as: UTF8.self)
        for scalar in forbidden.unicodeScalars {
            XCTAssertFalse(text.unicodeScalars.contains(scalar), "U+\(String(scalar.value, radix: 16)) survived")
        }
        XCTAssertFalse(text.contains("&#0;") || text.contains("&#1;") || text.contains("&#x1;"))

        let oneLine = "ab \(markup) \(emoji) second line third\ttab"
        XCTAssertEqual(attribute(root, "name"), oneLine)
        let suite = try XCTUnwrap(root.elements(forName: "testsuite").first)
        XCTAssertEqual(attribute(suite, "hostname"), oneLine)
        let property = try XCTUnwrap(suite.elements(forName: "properties").first?.elements(forName: "property").first)
        XCTAssertEqual(attribute(property, "name"), oneLine)
        XCTAssertEqual(attribute(property, "value"), oneLine)

        let cases = suite.elements(forName: "testcase")
        XCTAssertEqual(cases.map { attribute($0, "name") }, [oneLine, "\(oneLine) (2)", emoji])
        XCTAssertEqual(cases.map { attribute($0, "time") }, ["0.000", "0.000", "0.000"])
        let failure = try XCTUnwrap(cases[0].elements(forName: "failure").first)
        XCTAssertEqual(attribute(failure, "message"), oneLine)
        XCTAssertEqual(attribute(failure, "type"), oneLine)
        let multiLine = "ab \(markup) \(emoji)\r\nsecond line\rthird\ttab" // libxml2 writes CR as &#13;, so it survives
        XCTAssertEqual(failure.stringValue, multiLine)
        XCTAssertEqual(cases[0].elements(forName: "system-out").first?.stringValue, "k=v w\n\n\(multiLine)")
        XCTAssertEqual(cases[0].elements(forName: "system-err").first?.stringValue, multiLine)

        let error = try XCTUnwrap(cases[1].elements(forName: "error").first)
        let message = try XCTUnwrap(attribute(error, "message"))
        XCTAssertEqual(message.count, 1000)
        XCTAssertTrue(message.hasSuffix("…"))
        XCTAssertEqual(error.stringValue, long, "the full message is kept as the body when it was shortened")
        XCTAssertEqual(cases[2].elements(forName: "skipped").first.flatMap { attribute($0, "message") }, markup)

        let (schema, xmllint) = try TestSupport.junitSchemaAndXmllint()
        let file = try TestSupport.temporaryDirectory(self).appendingPathComponent("nasty.xml")
        try JUnitXMLWriter().write(report, to: file)
        let result = try TestSupport.validate(file, schema: schema, xmllint: xmllint)
        XCTAssertEqual(result.status, 0, result.output)
    }

    func testNamesAreMadeUniqueDeterministically() throws {
        XCTAssertEqual(
            JUnitXMLWriter.uniqueNames(["a", "a", "a (2)", "", "", "b", "a", "\u{1}a"]),
            ["a", "a (3)", "a (2)", "(unnamed)", "(unnamed) (2)", "b", "a (4)", "a (5)"]
        )
        let suite = JUnitTestSuite(name: "s", testCases: (0..<4).map { _ in JUnitTestCase(name: "same", classname: "c") })
        let root = try parse(JUnitXMLWriter().data(for: JUnitReport(name: "r", testSuites: [suite, suite])))
        for suiteElement in root.elements(forName: "testsuite") {
            let names = suiteElement.elements(forName: "testcase").compactMap { attribute($0, "name") }
            XCTAssertEqual(names, ["same", "same (2)", "same (3)", "same (4)"])
        }
    }

    func testMirroredCaseProperties() throws {
        let suite = JUnitTestSuite(name: "s", properties: [JUnitProperty(name: "seed", value: "1")], testCases: [
            JUnitTestCase(name: "x", classname: "c", properties: [JUnitProperty(name: "p", value: "0.5")]),
            JUnitTestCase(name: "x", classname: "c", properties: [JUnitProperty(name: "p", value: "0.7")]),
        ])
        let writer = JUnitXMLWriter(options: .init(mirrorCasePropertiesInSuite: true))
        let root = try parse(writer.data(for: JUnitReport(name: "r", testSuites: [suite])))
        let properties = root.elements(forName: "testsuite")[0].elements(forName: "properties")[0].elements(forName: "property")
        XCTAssertEqual(properties.map { "\(attribute($0, "name")!)=\(attribute($0, "value")!)" }, ["seed=1", "x.p=0.5", "x (2).p=0.7"])
    }

    func testTimeAndTimestampFormatting() {
        XCTAssertEqual(JUnitXMLWriter.formatTime(1.23456), "1.235")
        XCTAssertEqual(JUnitXMLWriter.formatTime(0), "0.000")
        XCTAssertEqual(JUnitXMLWriter.formatTime(-0.0), "0.000")
        XCTAssertEqual(JUnitXMLWriter.formatTime(-1), "0.000")
        XCTAssertEqual(JUnitXMLWriter.formatTime(.nan), "0.000")
        XCTAssertEqual(JUnitXMLWriter.formatTime(.infinity), "0.000")
        XCTAssertEqual(JUnitXMLWriter.formatTime(1_234_567.25), "1234567.250")
        XCTAssertEqual(JUnitXMLWriter.formatTime(0.0004), "0.000")
        XCTAssertEqual(JUnitXMLWriter.formatTimestamp(Date(timeIntervalSince1970: 0)), "1970-01-01T00:00:00")
        XCTAssertEqual(JUnitXMLWriter.formatTimestamp(Date(timeIntervalSince1970: 951_782_400)), "2000-02-29T00:00:00")
    }

    func testWriteIsAtomicAndReplacesExistingFile() throws {
        let directory = try TestSupport.temporaryDirectory(self)
        let file = directory.appendingPathComponent("out/junit.xml")
        try JUnitXMLWriter().write(JUnitReport(name: "first"), to: file)
        try JUnitXMLWriter().write(Self.sampleReport(), to: file)
        let root = try parse(Data(contentsOf: file))
        XCTAssertEqual(attribute(root, "name"), "forgetbench compare")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: file.deletingLastPathComponent().path), ["junit.xml"])
    }

    func testWriteFailureNamesThePath() throws {
        let directory = try TestSupport.temporaryDirectory(self)
        let blocker = directory.appendingPathComponent("file")
        try Data("x".utf8).write(to: blocker)
        let target = blocker.appendingPathComponent("junit.xml")
        XCTAssertThrowsError(try JUnitXMLWriter().write(JUnitReport(name: "r"), to: target)) { error in
            guard case let ReportsError.writeFailed(path, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(path, target.path)
        }
    }

    func testModelIsCodable() throws {
        let report = Self.sampleReport()
        let decoded = try JSONDecoder().decode(JUnitReport.self, from: JSONEncoder().encode(report))
        XCTAssertEqual(decoded, report)
    }
}
