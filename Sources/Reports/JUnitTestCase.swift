import Foundation

/// One `<testcase>` of a JUnit report: typically one gate on one task and metric.
///
/// ## Per-case properties
///
/// The Jenkins/Ant schema this module targets (`junit-10.xsd`) does not allow a `<properties>` element
/// inside `<testcase>`; only `<skipped>`, `<error>`, `<failure>`, the rerun/flaky elements,
/// `<system-out>` and `<system-err>` may appear there. ``properties`` are therefore written as
/// `name=value` lines at the start of the case's `<system-out>` (before ``systemOut``, separated from
/// it by a blank line), which every JUnit viewer (Jenkins, GitLab, GitHub test reporters) shows next to
/// the case. ``JUnitXMLWriter/Options/mirrorCasePropertiesInSuite`` additionally copies them into the
/// suite's `<properties>` as `<case name>.<property name>` for tools that only read properties.
public struct JUnitTestCase: Sendable, Codable, Hashable {
    /// The case's name, such as `gsm8k/exact_match non-inferiority`. The writer makes names unique
    /// within a suite by appending ` (2)`, ` (3)`, … to repeats, in order.
    public var name: String
    /// The class name that viewers group cases by, such as `forgetbench.gates.gsm8k`.
    public var classname: String
    /// The case's duration in seconds (non-negative; `nil` omits the attribute).
    public var time: TimeInterval?
    /// Numbers or facts about the case (see "Per-case properties" above for where they are written).
    public var properties: [JUnitProperty]
    /// How the case ended.
    public var outcome: Outcome
    /// Free text written to the case's `<system-out>`, after the properties.
    public var systemOut: String?
    /// Free text written to the case's `<system-err>`.
    public var systemErr: String?

    /// A test case; see the properties for the meaning and units of each argument.
    public init(
        name: String,
        classname: String,
        time: TimeInterval? = nil,
        properties: [JUnitProperty] = [],
        outcome: Outcome = .passed,
        systemOut: String? = nil,
        systemErr: String? = nil
    ) {
        self.name = name
        self.classname = classname
        self.time = time
        self.properties = properties
        self.outcome = outcome
        self.systemOut = systemOut
        self.systemErr = systemErr
    }
}
