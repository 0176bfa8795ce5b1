import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Serialises a ``JUnitReport`` as JUnit XML that validates against the Jenkins/Ant schema
/// (`junit-10.xsd` from jenkinsci/xunit-plugin).
///
/// The document is built as a FoundationXML tree (`XMLDocument`/`XMLElement`), so escaping is done by
/// libxml2, never by string concatenation. Choices the schema forced or that keep consumers happy:
///
/// - `<testsuites>` carries `name`, `time`, `tests`, `failures` and `errors`; the schema has no
///   `skipped` attribute there, so skipped counts appear only on each `<testsuite>`.
/// - Each `<testsuite>` writes `<properties>` first, then its `<testcase>` elements. The schema allows
///   any order; this is the order Ant and Surefire use.
/// - `<testcase>` may not contain `<properties>`, so per-case properties go into the case's
///   `<system-out>` as `name=value` lines (see ``JUnitTestCase``), optionally mirrored into the suite's
///   properties as `<case name>.<name>` (``Options/mirrorCasePropertiesInSuite``).
/// - Times are seconds with exactly three decimals and a `.` separator (`12.345`), whatever the
///   locale; negative or non-finite times are written as `0.000`, because the schema's
///   `SUREFIRE_TIME` pattern admits neither a sign nor `nan`/`inf`.
/// - Characters XML 1.0 forbids are removed from every attribute and text; names and messages are
///   folded onto one line. A message longer than ``Options/maximumMessageLength`` characters is cut
///   with `…`; when a message had to be changed and the outcome has no details, the full message is
///   written as the element's text so nothing is lost.
/// - Case names are made unique within a suite: the second `x` becomes `x (2)`, skipping any suffix
///   that another case already uses as its name. Empty names become `(unnamed)`.
public struct JUnitXMLWriter: Sendable {
    /// Settings of the writer.
    public struct Options: Sendable, Hashable {
        /// Whether to indent the XML (default `true`).
        public var prettyPrinted: Bool
        /// The longest `message` attribute written, in characters (default 1000, at least 1).
        public var maximumMessageLength: Int
        /// Whether to copy each case's properties into its suite's `<properties>` as
        /// `<case name>.<property name>` (default `false`).
        public var mirrorCasePropertiesInSuite: Bool

        /// Options; see the properties for the meaning of each argument.
        public init(prettyPrinted: Bool = true, maximumMessageLength: Int = 1000, mirrorCasePropertiesInSuite: Bool = false) {
            self.prettyPrinted = prettyPrinted
            self.maximumMessageLength = max(1, maximumMessageLength)
            self.mirrorCasePropertiesInSuite = mirrorCasePropertiesInSuite
        }
    }

    /// The writer's settings.
    public var options: Options

    /// A writer with the given options.
    public init(options: Options = Options()) {
        self.options = options
    }

    /// The report as an XML tree whose root is `<testsuites>`.
    public func xmlDocument(for report: JUnitReport) -> XMLDocument {
        let document = XMLDocument(rootElement: rootElement(for: report))
        document.version = "1.0"
        document.characterEncoding = "UTF-8"
        return document
    }

    /// The report serialised as UTF-8 XML.
    public func data(for report: JUnitReport) -> Data {
        XMLTree.data(root: rootElement(for: report), pretty: options.prettyPrinted)
    }

    /// The report serialised as an XML string.
    public func string(for report: JUnitReport) -> String {
        String(decoding: data(for: report), as: UTF8.self)
    }

    /// Writes the report to `url` atomically (temporary file, then rename), creating missing
    /// directories.
    ///
    /// - Throws: ``ReportsError/writeFailed(path:reason:)`` if the file cannot be written.
    public func write(_ report: JUnitReport, to url: URL) throws {
        try AtomicFileWriter.write(data(for: report), to: url)
    }

    // MARK: - Tree

    private func rootElement(for report: JUnitReport) -> XMLElement {
        let root = XMLTree.element("testsuites", Self.summaryAttributes(report))
        for suite in report.testSuites {
            root.addChild(suiteElement(for: suite))
        }
        return root
    }

    private func suiteElement(for suite: JUnitTestSuite) -> XMLElement {
        let element = XMLTree.element("testsuite", Self.summaryAttributes(suite, then: [("skipped", String(suite.skipped))]) + [
            ("timestamp", suite.timestamp.map(Self.formatTimestamp)),
            ("hostname", suite.hostname.map(XMLSanitizer.singleLine)),
        ])
        let names = Self.uniqueNames(suite.testCases.map(\.name))
        var properties = suite.properties
        if options.mirrorCasePropertiesInSuite {
            for (testCase, name) in zip(suite.testCases, names) {
                properties += testCase.properties.map { JUnitProperty(name: "\(name).\($0.name)", value: $0.value) }
            }
        }
        if !properties.isEmpty {
            let container = XMLElement(name: "properties")
            for property in properties {
                container.addChild(XMLTree.element("property", [
                    ("name", XMLSanitizer.singleLine(property.name)),
                    ("value", XMLSanitizer.singleLine(property.value)),
                ]))
            }
            element.addChild(container)
        }
        for (testCase, name) in zip(suite.testCases, names) {
            element.addChild(caseElement(for: testCase, name: name))
        }
        return element
    }

    /// `name`, `tests`, `failures` and `errors`, then `extra` (a suite's `skipped`), then `time`.
    private static func summaryAttributes(_ summary: some JUnitSummary, then extra: [(String, String?)] = []) -> [(String, String?)] {
        [
            ("name", XMLSanitizer.singleLine(summary.name)),
            ("tests", String(summary.tests)),
            ("failures", String(summary.failures)),
            ("errors", String(summary.errors)),
        ] + extra + [("time", formatTime(summary.effectiveTime))]
    }

    private func caseElement(for testCase: JUnitTestCase, name: String) -> XMLElement {
        let element = XMLTree.element("testcase", [
            ("name", name),
            ("classname", XMLSanitizer.singleLine(testCase.classname)),
            ("time", testCase.time.map(Self.formatTime)),
        ])
        switch testCase.outcome {
        case .passed:
            break
        case let .failure(message, type, details):
            element.addChild(outcomeElement("failure", message: message, type: type, details: details))
        case let .error(message, details):
            element.addChild(outcomeElement("error", message: message, type: nil, details: details))
        case let .skipped(message):
            element.addChild(outcomeElement("skipped", message: message, type: nil, details: nil))
        }
        if let out = Self.systemOut(properties: testCase.properties, text: testCase.systemOut) {
            element.addChild(XMLTree.element("system-out", text: out))
        }
        if let err = testCase.systemErr, !err.isEmpty {
            element.addChild(XMLTree.element("system-err", text: err))
        }
        return element
    }

    private func outcomeElement(_ name: String, message: String?, type: String?, details: String?) -> XMLElement {
        var body = details.flatMap { $0.isEmpty ? nil : $0 }
        var shortMessage: String?
        if let message {
            let oneLine = XMLSanitizer.singleLine(message)
            shortMessage = Self.truncated(oneLine, to: options.maximumMessageLength)
            if body == nil, shortMessage != message { body = message }
        }
        return XMLTree.element(name, [
            ("message", shortMessage),
            ("type", type.map(XMLSanitizer.singleLine)),
        ], text: body)
    }

    // MARK: - Formatting

    /// The `<system-out>` text of a case: one `name=value` line per property, a blank line, then
    /// `text`; `nil` when both are empty.
    static func systemOut(properties: [JUnitProperty], text: String?) -> String? {
        let lines = properties.map { "\(XMLSanitizer.singleLine($0.name))=\(XMLSanitizer.singleLine($0.value))" }
        let text = text.flatMap { $0.isEmpty ? nil : $0 }
        switch (lines.isEmpty, text) {
        case (true, nil): return nil
        case (true, let text?): return text
        case (false, nil): return lines.joined(separator: "\n") + "\n"
        case (false, let text?): return lines.joined(separator: "\n") + "\n\n" + text
        }
    }

    /// Seconds with three decimals and a `.` separator; negative and non-finite values give `0.000`.
    public static func formatTime(_ seconds: TimeInterval) -> String {
        guard seconds.isFinite, seconds > 0 else { return "0.000" }
        return DecimalFormatting.fixed(seconds, decimals: 3)
    }

    /// `date` in UTC as `yyyy-MM-ddTHH:mm:ss`, independent of locale and calendar settings.
    public static func formatTimestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ value: Int?, _ width: Int) -> String {
            let digits = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))T\(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2))"
    }

    /// `text` cut to at most `limit` characters, ending in `…` when cut.
    static func truncated(_ text: String, to limit: Int) -> String {
        guard text.count > limit else { return text }
        return String(text.prefix(max(0, limit - 1))) + "…"
    }

    /// Sanitised, one-line names made unique in order: a repeated name gets the first suffix ` (k)`,
    /// k = 2, 3, …, that is neither an original name nor already used.
    public static func uniqueNames(_ names: [String]) -> [String] {
        let cleaned = names.map { name -> String in
            let line = XMLSanitizer.singleLine(name)
            return line.isEmpty ? "(unnamed)" : line
        }
        let originals = Set(cleaned)
        var used = Set<String>()
        return cleaned.map { name in
            if used.insert(name).inserted { return name }
            var k = 2
            while originals.contains("\(name) (\(k))") || used.contains("\(name) (\(k))") { k += 1 }
            let candidate = "\(name) (\(k))"
            used.insert(candidate)
            return candidate
        }
    }
}
