import Foundation

/// One `<testsuite>` of a JUnit report: typically one comparison (a candidate against its base).
///
/// The counts written to the XML (`tests`, `failures`, `errors`, `skipped`) are always computed from
/// ``testCases``; they cannot disagree with the cases.
public struct JUnitTestSuite: Sendable, Codable, Hashable {
    /// The suite's name (required by the schema).
    public var name: String
    /// When the suite ran. Written in UTC as `yyyy-MM-ddTHH:mm:ss` (ISO 8601 without a zone designator,
    /// the form Ant writes and its stricter schema requires); `nil` omits the attribute.
    public var timestamp: Date?
    /// The machine it ran on; `nil` omits the attribute.
    public var hostname: String?
    /// The suite's duration in seconds; `nil` writes the sum of the cases' times.
    public var time: TimeInterval?
    /// Suite-level properties, written as `<properties>` before the first `<testcase>`.
    public var properties: [JUnitProperty]
    /// The cases, in the order they are written.
    public var testCases: [JUnitTestCase]

    /// A suite; see the properties for the meaning and units of each argument.
    public init(
        name: String,
        timestamp: Date? = nil,
        hostname: String? = nil,
        time: TimeInterval? = nil,
        properties: [JUnitProperty] = [],
        testCases: [JUnitTestCase] = []
    ) {
        self.name = name
        self.timestamp = timestamp
        self.hostname = hostname
        self.time = time
        self.properties = properties
        self.testCases = testCases
    }

    /// The number of cases.
    public var tests: Int { testCases.count }
    /// The number of cases whose outcome is a failure.
    public var failures: Int { testCases.count(where: { $0.outcome.isFailure }) }
    /// The number of cases whose outcome is an error.
    public var errors: Int { testCases.count(where: { $0.outcome.isError }) }
    /// The number of skipped cases.
    public var skipped: Int { testCases.count(where: { $0.outcome.isSkipped }) }
    /// ``time`` if set, otherwise the sum of the cases' times (seconds).
    public var effectiveTime: TimeInterval { time ?? testCases.reduce(0) { $0 + ($1.time ?? 0) } }
}
