import Foundation

/// What a `<testsuites>` root and a `<testsuite>` both summarise: a name, the case counts and the
/// duration, written as the same attributes by ``JUnitXMLWriter``.
protocol JUnitSummary {
    var name: String { get }
    var tests: Int { get }
    var failures: Int { get }
    var errors: Int { get }
    var effectiveTime: TimeInterval { get }
}

extension JUnitReport: JUnitSummary {}
extension JUnitTestSuite: JUnitSummary {}
