import Foundation

/// A JSON value, the one JSON tree of the package: task records, request and response bodies,
/// and `tokenizer.json` are all read into it and written from it.
///
/// Numbers keep the text they were written with (`3` stays `3`, `1.50` stays `1.50`), so a record
/// renders exactly as its file wrote it and a tokenizer id or score parses without a round trip
/// through `Double`. Objects keep their keys in order and byte for byte (see ``JSONObject``).
public enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    /// A number: its text as written (valid JSON number syntax).
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// An integer number.
    public static func int(_ value: Int) -> JSONValue { .number(String(value)) }

    /// A floating-point number, written as Python's `json.dumps` writes a float (`2.0`, `0.25`);
    /// non-finite values, which JSON cannot hold, become `null`.
    public static func double(_ value: Double) -> JSONValue {
        guard value.isFinite else { return .null }
        if value == value.rounded(), abs(value) < 1e15 { return .number(String(format: "%.1f", value)) }
        return .number("\(value)")
    }

    /// The value of `key` in an object (nil for other values or a missing key).
    public subscript(key: String) -> JSONValue? {
        guard case let .object(object) = self else { return nil }
        return object[key]
    }

    /// The text of a string.
    public var stringValue: String? {
        guard case let .string(text) = self else { return nil }
        return text
    }

    /// A number written as an integer (`7`, `-2`; not `7.0` or `7e0`) that fits `Int`.
    public var intValue: Int? {
        guard case let .number(text) = self else { return nil }
        return Int(text)
    }

    /// A number whose value is a whole number that fits `Int`, however written (`7`, `7.0`, `7e0`),
    /// as Python's `int(x) == x` accepts it.
    public var integralValue: Int? {
        if let intValue { return intValue }
        guard let value = doubleValue, value == value.rounded(), abs(value) < 0x1p63 else { return nil }
        return Int(value)
    }

    /// A number as a `Double` (integers included).
    public var doubleValue: Double? {
        guard case let .number(text) = self else { return nil }
        return Double(text)
    }

    /// The items of an array.
    public var arrayValue: [JSONValue]? {
        guard case let .array(items) = self else { return nil }
        return items
    }

    /// The members of an object.
    public var objectValue: JSONObject? {
        guard case let .object(object) = self else { return nil }
        return object
    }
}

extension JSONValue {
    /// A boolean's value.
    public var boolValue: Bool? {
        guard case let .bool(flag) = self else { return nil }
        return flag
    }
}

extension JSONValue {
    /// The kind of value in words, for messages ("a number", "a list", "an object").
    public var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "a list"
        case .object: return "an object"
        }
    }
}
