import Foundation

/// A whole JUnit XML report: the `<testsuites>` root and its suites.
///
/// Build one from the results you have already judged and write it with ``JUnitXMLWriter``. The
/// totals are computed from the cases.
public struct JUnitReport: Sendable, Codable, Hashable {
    /// The report's name (the `name` attribute of `<testsuites>`), such as `forgetbench compare`.
    public var name: String
    /// The total duration in seconds; `nil` writes the sum of the suites' times.
    public var time: TimeInterval?
    /// The suites, in the order they are written.
    public var testSuites: [JUnitTestSuite]

    /// A report; see the properties for the meaning and units of each argument.
    public init(name: String, time: TimeInterval? = nil, testSuites: [JUnitTestSuite] = []) {
        self.name = name
        self.time = time
        self.testSuites = testSuites
    }

    /// The number of cases in all suites.
    public var tests: Int { testSuites.reduce(0) { $0 + $1.tests } }
    /// The number of failed cases in all suites.
    public var failures: Int { testSuites.reduce(0) { $0 + $1.failures } }
    /// The number of cases with an error in all suites.
    public var errors: Int { testSuites.reduce(0) { $0 + $1.errors } }
    /// The number of skipped cases in all suites. (The schema has no `skipped` attribute on
    /// `<testsuites>`, so this total is written only per suite.)
    public var skipped: Int { testSuites.reduce(0) { $0 + $1.skipped } }
    /// ``time`` if set, otherwise the sum of the suites' effective times (seconds).
    public var effectiveTime: TimeInterval { time ?? testSuites.reduce(0) { $0 + $1.effectiveTime } }
}
