import Harness

/// Typed access to the fields of a JSON request body; every mistake becomes a `400`
/// ``OpenAIError`` that names the field (`param`) and what was expected.
public struct RequestFields: Sendable {
    /// The request body's top-level object.
    public let object: JSONValue

    /// Wraps a parsed body.
    /// - Throws: ``OpenAIError`` when the body is not a JSON object.
    public init(_ body: JSONValue) throws {
        guard case .object = body else {
            throw OpenAIError.invalid("the request body must be a JSON object, got \(body.typeName)")
        }
        object = body
    }

    /// The field's value, nil when absent or `null`.
    public func value(_ name: String) -> JSONValue? {
        guard let v = object[name], v != .null else { return nil }
        return v
    }

    func wrongType(_ name: String, _ expected: String, _ got: JSONValue) -> OpenAIError {
        .invalid("'\(name)' must be \(expected), got \(got.typeName)", param: name)
    }

    /// A required field's value (present and not `null`).
    public func required(_ name: String) throws -> JSONValue {
        guard let v = value(name) else { throw OpenAIError.invalid("'\(name)' is required", param: name) }
        return v
    }

    /// A required string field.
    public func requiredString(_ name: String) throws -> String {
        let v = try required(name)
        guard case .string(let s) = v else { throw wrongType(name, "a string", v) }
        return s
    }

    /// An optional boolean field.
    public func bool(_ name: String) throws -> Bool? {
        guard let v = value(name) else { return nil }
        guard case .bool(let b) = v else { throw wrongType(name, "a boolean", v) }
        return b
    }

    /// An optional integer field within `range` (a number with no fraction is accepted, `2.0`).
    public func int(_ name: String, in range: ClosedRange<Int>? = nil) throws -> Int? {
        guard let v = value(name) else { return nil }
        let i: Int
        if let x = v.intValue {
            i = x
        } else if let d = v.doubleValue, d == d.rounded(), abs(d) < 9e15 {
            i = Int(d)
        } else {
            throw wrongType(name, "an integer", v)
        }
        if let range, !range.contains(i) {
            let bound = range.upperBound == Int.max ? "\(range.lowerBound) or more" : "between \(range.lowerBound) and \(range.upperBound)"
            throw OpenAIError.invalid("'\(name)' must be \(bound), got \(i)", param: name)
        }
        return i
    }

    /// An optional finite number field.
    public func number(_ name: String) throws -> Double? {
        guard let v = value(name) else { return nil }
        guard let d = v.doubleValue, d.isFinite else { throw wrongType(name, "a number", v) }
        return d
    }

    /// An optional field that is a string or a list of strings (`stop`, `prompt`).
    public func strings(_ name: String) throws -> [String]? {
        guard let v = value(name) else { return nil }
        switch v {
        case .string(let s): return [s]
        case .array(let items):
            return try items.enumerated().map { i, item in
                guard case .string(let s) = item else {
                    throw OpenAIError.invalid("'\(name)[\(i)]' must be a string, got \(item.typeName)", param: name)
                }
                return s
            }
        default: throw wrongType(name, "a string or a list of strings", v)
        }
    }
}
