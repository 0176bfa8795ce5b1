import Foundation
import Harness

/// A JSON (or CSV) record value as read from a dataset. Numbers keep their literal text so that
/// templates render them exactly as the file wrote them (`3`, not `3.0`).
public enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    /// The number's literal text, as in the file.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// A short name of the value's kind, for messages.
    var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "a list"
        case .object: return "an object"
        }
    }

    /// The value as an integer, if it is an integral number or a string of digits.
    var intValue: Int? {
        switch self {
        case let .number(text):
            if let value = Int(text) { return value }
            if let double = Double(text), double == double.rounded(), abs(double) < 1e15 { return Int(double) }
            return nil
        case let .string(text): return Int(text.trimmingCharacters(in: .whitespaces))
        case let .bool(flag): return flag ? 1 : 0
        default: return nil
        }
    }

    /// Canonical JSON text: sorted keys, no insignificant whitespace, minimal string escapes.
    public var canonicalJSON: String {
        var out = ""
        writeCanonical(into: &out)
        return out
    }

    func writeCanonical(into out: inout String) {
        switch self {
        case .null: out += "null"
        case let .bool(flag): out += flag ? "true" : "false"
        case let .number(text): out += text
        case let .string(text): Self.writeString(text, into: &out)
        case let .array(items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.writeCanonical(into: &out)
            }
            out += "]"
        case let .object(members):
            out += "{"
            for (i, key) in members.keys.sorted().enumerated() {
                if i > 0 { out += "," }
                Self.writeString(key, into: &out)
                out += ":"
                members[key]!.writeCanonical(into: &out)
            }
            out += "}"
        }
    }

    static func writeString(_ text: String, into out: inout String) { JSONEscapes.appendQuoted(text, to: &out) }

    /// Pretty JSON with sorted keys and two-space indentation (for `tasks show`).
    func prettyJSON(indent: String = "") -> String {
        switch self {
        case let .array(items) where !items.isEmpty:
            let inner = indent + "  "
            return "[\n" + items.map { inner + $0.prettyJSON(indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
        case let .object(members) where !members.isEmpty:
            let inner = indent + "  "
            return "{\n" + members.keys.sorted().map { key in
                var name = ""
                Self.writeString(key, into: &name)
                return inner + name + ": " + members[key]!.prettyJSON(indent: inner)
            }.joined(separator: ",\n") + "\n\(indent)}"
        default:
            return canonicalJSON
        }
    }
}

/// A JSON syntax error at a byte offset.
struct JSONSyntaxError: Error {
    var line: Int
    var column: Int
    var message: String
}

/// A small strict JSON parser over UTF-8 bytes that tracks lines, so that errors and records can
/// name `file:line:column`.
struct JSONParser {
    private let bytes: [UInt8]
    private var position: Int
    private let end: Int
    /// 1-based line of `position`.
    private(set) var line: Int
    private var lineStart: Int

    init(bytes: [UInt8], start: Int = 0, end: Int? = nil, firstLine: Int = 1) {
        self.bytes = bytes
        self.position = start
        self.end = end ?? bytes.count
        self.line = firstLine
        self.lineStart = start
    }

    /// Parses exactly one JSON value spanning the whole input (surrounding whitespace allowed).
    static func parseDocument(_ bytes: [UInt8], start: Int = 0, end: Int? = nil, firstLine: Int = 1) throws(JSONSyntaxError) -> JSONValue {
        var parser = JSONParser(bytes: bytes, start: start, end: end, firstLine: firstLine)
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        if parser.position < parser.end { throw parser.error("unexpected text after the JSON value") }
        return value
    }

    /// Parses a top-level JSON array, returning each element with the line it starts on.
    static func parseArrayWithLines(_ bytes: [UInt8]) throws(JSONSyntaxError) -> [(value: JSONValue, line: Int)] {
        var parser = JSONParser(bytes: bytes)
        parser.skipBOM()
        parser.skipWhitespace()
        guard parser.peek() == UInt8(ascii: "[") else { throw parser.error("expected a JSON array of records") }
        parser.position += 1
        var items: [(JSONValue, Int)] = []
        parser.skipWhitespace()
        if parser.peek() == UInt8(ascii: "]") {
            parser.position += 1
        } else {
            while true {
                parser.skipWhitespace()
                let line = parser.line
                items.append((try parser.parseValue(), line))
                parser.skipWhitespace()
                let c = parser.peek()
                parser.position += 1
                if c == UInt8(ascii: ",") { continue }
                if c == UInt8(ascii: "]") { break }
                parser.position -= 1
                throw parser.error("expected ',' or ']' in the array")
            }
        }
        parser.skipWhitespace()
        if parser.position < parser.end { throw parser.error("unexpected text after the JSON array") }
        return items
    }

    mutating func skipBOM() {
        if end - position >= 3, bytes[position] == 0xEF, bytes[position + 1] == 0xBB, bytes[position + 2] == 0xBF {
            position += 3
            lineStart = position
        }
    }

    private func peek() -> UInt8? { position < end ? bytes[position] : nil }

    private func error(_ message: String) -> JSONSyntaxError {
        JSONSyntaxError(line: line, column: position - lineStart + 1, message: message)
    }

    mutating func skipWhitespace() {
        while position < end {
            switch bytes[position] {
            case 0x20, 0x09, 0x0D: position += 1
            case 0x0A:
                position += 1
                line += 1
                lineStart = position
            default: return
            }
        }
    }

    private mutating func parseValue() throws(JSONSyntaxError) -> JSONValue {
        guard let c = peek() else { throw error("unexpected end of input, expected a JSON value") }
        switch c {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0") ... UInt8(ascii: "9"): return try parseNumber()
        default: throw error("unexpected character '\(String(decoding: [c], as: UTF8.self))', expected a JSON value")
        }
    }

    private mutating func literal(_ word: StaticString) throws(JSONSyntaxError) {
        let count = word.utf8CodeUnitCount
        let expected = UnsafeBufferPointer(start: word.utf8Start, count: count)
        guard end - position >= count, bytes[position ..< position + count].elementsEqual(expected) else {
            throw error("invalid literal, expected '\(word)'")
        }
        position += count
    }

    private mutating func parseNumber() throws(JSONSyntaxError) -> JSONValue {
        let start = position
        func digits(_ parser: inout JSONParser) -> Int {
            let s = parser.position
            while let d = parser.peek(), d >= UInt8(ascii: "0"), d <= UInt8(ascii: "9") { parser.position += 1 }
            return parser.position - s
        }
        if peek() == UInt8(ascii: "-") { position += 1 }
        if peek() == UInt8(ascii: "0") {
            position += 1
        } else if digits(&self) == 0 {
            throw error("invalid number")
        }
        if peek() == UInt8(ascii: ".") {
            position += 1
            if digits(&self) == 0 { throw error("invalid number: expected digits after '.'") }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            position += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { position += 1 }
            if digits(&self) == 0 { throw error("invalid number: expected exponent digits") }
        }
        return .number(String(decoding: bytes[start ..< position], as: UTF8.self))
    }

    private mutating func parseString() throws(JSONSyntaxError) -> String {
        position += 1 // opening quote
        let start = position
        // Fast path: no escapes.
        while position < end {
            let c = bytes[position]
            if c == UInt8(ascii: "\"") {
                let text = String(decoding: bytes[start ..< position], as: UTF8.self)
                position += 1
                return text
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw error("control character in a string (a line break inside a JSON string?)") }
            position += 1
        }
        var buffer = Array(bytes[start ..< position])
        while position < end {
            let c = bytes[position]
            switch c {
            case UInt8(ascii: "\""):
                position += 1
                return String(decoding: buffer, as: UTF8.self)
            case UInt8(ascii: "\\"):
                position += 1
                guard let e = peek() else { throw error("unterminated string") }
                position += 1
                if let plain = JSONEscapes.unescaped(e) {
                    buffer.append(plain)
                    continue
                }
                switch e {
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800 ... 0xDBFF).contains(scalar) {
                        if end - position >= 6, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") {
                            position += 2
                            let low = try hex4()
                            guard (0xDC00 ... 0xDFFF).contains(low) else { throw error("invalid UTF-16 surrogate pair") }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            scalar = 0xFFFD
                        }
                    } else if (0xDC00 ... 0xDFFF).contains(scalar) {
                        scalar = 0xFFFD
                    }
                    buffer.append(contentsOf: Array(String(Unicode.Scalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8))
                default:
                    position -= 1
                    throw error("invalid escape '\\\(String(decoding: [e], as: UTF8.self))' in a string")
                }
            default:
                if c < 0x20 { throw error("control character in a string (a line break inside a JSON string?)") }
                buffer.append(c)
                position += 1
            }
        }
        throw error("unterminated string")
    }

    private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        guard end - position >= 4 else { throw error("invalid \\u escape") }
        var value: UInt32 = 0
        for _ in 0 ..< 4 {
            let c = bytes[position]
            let digit: UInt32
            switch c {
            case UInt8(ascii: "0") ... UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a") ... UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A") ... UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw error("invalid \\u escape")
            }
            value = value * 16 + digit
            position += 1
        }
        return value
    }

    private mutating func parseArray() throws(JSONSyntaxError) -> JSONValue {
        position += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") { position += 1; return .array(items) }
        while true {
            skipWhitespace()
            items.append(try parseValue())
            skipWhitespace()
            guard let c = peek() else { throw error("unterminated array") }
            position += 1
            if c == UInt8(ascii: ",") { continue }
            if c == UInt8(ascii: "]") { return .array(items) }
            position -= 1
            throw error("expected ',' or ']' in an array")
        }
    }

    private mutating func parseObject() throws(JSONSyntaxError) -> JSONValue {
        position += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if peek() == UInt8(ascii: "}") { position += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw error("expected a quoted key in an object") }
            let key = try parseString()
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw error("expected ':' after an object key") }
            position += 1
            skipWhitespace()
            members[key] = try parseValue()
            skipWhitespace()
            guard let c = peek() else { throw error("unterminated object") }
            position += 1
            if c == UInt8(ascii: ",") { continue }
            if c == UInt8(ascii: "}") { return .object(members) }
            position -= 1
            throw error("expected ',' or '}' in an object")
        }
    }
}
