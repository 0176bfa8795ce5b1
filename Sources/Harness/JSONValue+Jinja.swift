import Jinja

extension JSONValue {
    /// The value as Python's `json.loads` hands it to a jinja2 template: integers as `int`, other
    /// numbers as `float`, objects as dicts in the file's key order. The one bridge from JSON to
    /// templates: task records (prompt templates), chat requests and tool definitions (chat
    /// templates) all go through it.
    public var jinjaValue: Jinja.Value {
        switch self {
        case .null: return .none
        case let .bool(flag): return .bool(flag)
        case let .number(text): return Int(text).map { .int($0) } ?? .double(Double(text) ?? .nan)
        case let .string(text): return .string(text)
        case let .array(items): return .list(items.map(\.jinjaValue))
        case let .object(members): return .dict(Dict(members.map { ($0.key, $0.value.jinjaValue) }))
        }
    }
}
