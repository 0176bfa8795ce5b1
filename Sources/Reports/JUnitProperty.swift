/// One `name`/`value` pair of a JUnit `<property>`.
///
/// Properties are kept in an array, not a dictionary, so that the written XML is deterministic and in
/// the order the caller chose.
public struct JUnitProperty: Sendable, Codable, Hashable {
    /// The property's name, such as `metric` or `base.accuracy`.
    public var name: String
    /// The property's value, already formatted as text.
    public var value: String

    /// A property named `name` with the text `value`.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

extension Array where Element == JUnitProperty {
    /// The pairs of `dictionary` as properties, sorted by name so that output is deterministic.
    public init(sortedByName dictionary: [String: String]) {
        self = dictionary.sorted { $0.key < $1.key }.map { JUnitProperty(name: $0.key, value: $0.value) }
    }
}
