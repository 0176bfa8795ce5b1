import Harness

extension JSONValue {
    /// The name of the value's JSON type as OpenAI's errors give it ("string", "integer",
    /// "number", "object", ...): a number written as an integer is an "integer".
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return intValue != nil ? "integer" : "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}
