import Foundation
import TextEscaping

extension JSONValue {
    /// Compact JSON text, object members in their order; numbers as written, strings with minimal
    /// escapes (``JSONEscapes``).
    public var compactJSON: String {
        var out = ""
        write(into: &out, sortedKeys: false)
        return out
    }

    /// Compact JSON as UTF-8 bytes (a response body, a JSON Lines record).
    public func serialized() -> Data { Data(compactJSON.utf8) }

    /// Canonical JSON text: sorted keys, no insignificant whitespace, minimal string escapes (the
    /// text a content hash is taken of).
    public var canonicalJSON: String {
        var out = ""
        write(into: &out, sortedKeys: true)
        return out
    }

    /// Appends compact JSON text to `out`.
    public func write(into out: inout String, sortedKeys: Bool) {
        switch self {
        case .null: out += "null"
        case let .bool(flag): out += flag ? "true" : "false"
        case let .number(text): out += text
        case let .string(text): JSONEscapes.appendQuoted(text, to: &out)
        case let .array(items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.write(into: &out, sortedKeys: sortedKeys)
            }
            out += "]"
        case let .object(object):
            out += "{"
            for (i, member) in (sortedKeys ? object.sortedByKey : object.pairs).enumerated() {
                if i > 0 { out += "," }
                JSONEscapes.appendQuoted(member.key, to: &out)
                out += ":"
                member.value.write(into: &out, sortedKeys: sortedKeys)
            }
            out += "}"
        }
    }

    /// JSON with sorted keys and two-space indentation (for people to read).
    public func prettyJSON(indent: String = "") -> String {
        switch self {
        case let .array(items) where !items.isEmpty:
            let inner = indent + "  "
            return "[\n" + items.map { inner + $0.prettyJSON(indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
        case let .object(object) where !object.isEmpty:
            let inner = indent + "  "
            return "{\n" + object.sortedByKey.map { member in
                var name = ""
                JSONEscapes.appendQuoted(member.key, to: &name)
                return inner + name + ": " + member.value.prettyJSON(indent: inner)
            }.joined(separator: ",\n") + "\n\(indent)}"
        default:
            return canonicalJSON
        }
    }
}
