import Foundation
import TextEscaping

extension JSONValue {
    /// Parses one JSON document (RFC 8259; a leading UTF-8 byte-order mark is skipped).
    public static func parse(_ data: Data) throws(JSONSyntaxError) -> JSONValue {
        let result: Result<JSONValue, JSONSyntaxError> = data.withUnsafeBytes { raw in
            var parser = JSONParser(bytes: raw.bindMemory(to: UInt8.self))
            parser.skipBOM()
            return Result { () throws(JSONSyntaxError) in try parser.document() }
        }
        return try result.get()
    }

    /// Parses the JSON file `path` holds, as `data`.
    /// - Throws: ``FileError`` naming the file and the line, with the column and what was expected.
    public static func parse(_ data: Data, path: String) throws(FileError) -> JSONValue {
        do {
            return try parse(data)
        } catch {
            throw FileError(path: path, line: error.line, problem: "not valid JSON: column \(error.column): \(error.message)")
        }
    }

    /// Parses one JSON value spanning `bytes[start ..< end]` (surrounding whitespace allowed) that
    /// begins on line `firstLine` of its file (a JSON Lines record).
    public static func parse(_ bytes: [UInt8], start: Int = 0, end: Int? = nil, firstLine: Int = 1) throws(JSONSyntaxError) -> JSONValue {
        let result: Result<JSONValue, JSONSyntaxError> = bytes.withUnsafeBufferPointer { buffer in
            var parser = JSONParser(bytes: buffer, start: start, end: end ?? buffer.count, firstLine: firstLine)
            return Result { () throws(JSONSyntaxError) in try parser.document() }
        }
        return try result.get()
    }

    /// Parses a top-level JSON array, returning each element with the line it starts on.
    public static func parseArrayWithLines(_ bytes: [UInt8]) throws(JSONSyntaxError) -> [(value: JSONValue, line: Int)] {
        let result: Result<[(value: JSONValue, line: Int)], JSONSyntaxError> = bytes.withUnsafeBufferPointer { buffer in
            var parser = JSONParser(bytes: buffer)
            parser.skipBOM()
            return Result { () throws(JSONSyntaxError) in try parser.arrayWithLines() }
        }
        return try result.get()
    }
}

/// A strict JSON parser over UTF-8 bytes that tracks lines, so that errors (and records) can name
/// `file:line:column`.
struct JSONParser {
    /// Deeper nesting is refused rather than risking the stack.
    static let maximumDepth = 512

    private let bytes: UnsafeBufferPointer<UInt8>
    private var position: Int
    private let end: Int
    /// 1-based line of `position`.
    private var line: Int
    private var lineStart: Int

    init(bytes: UnsafeBufferPointer<UInt8>, start: Int = 0, end: Int? = nil, firstLine: Int = 1) {
        self.bytes = bytes
        self.position = start
        self.end = end ?? bytes.count
        self.line = firstLine
        self.lineStart = start
    }

    mutating func document() throws(JSONSyntaxError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue(depth: 0)
        skipWhitespace()
        if position < end { throw error("unexpected text after the JSON value") }
        return value
    }

    mutating func arrayWithLines() throws(JSONSyntaxError) -> [(value: JSONValue, line: Int)] {
        skipWhitespace()
        guard peek() == UInt8(ascii: "[") else { throw error("expected a JSON array of records") }
        position += 1
        var items: [(value: JSONValue, line: Int)] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            position += 1
        } else {
            while true {
                skipWhitespace()
                let line = self.line
                items.append((try parseValue(depth: 1), line))
                skipWhitespace()
                let c = peek()
                position += 1
                if c == UInt8(ascii: ",") { continue }
                if c == UInt8(ascii: "]") { break }
                position -= 1
                throw error("expected ',' or ']' in the array")
            }
        }
        skipWhitespace()
        if position < end { throw error("unexpected text after the JSON array") }
        return items
    }

    mutating func skipBOM() {
        if end - position >= 3, bytes[position] == 0xEF, bytes[position + 1] == 0xBB, bytes[position + 2] == 0xBF {
            position += 3
            lineStart = position
        }
    }

    @inline(__always) private func peek() -> UInt8? { position < end ? bytes[position] : nil }

    private func error(_ message: String) -> JSONSyntaxError {
        JSONSyntaxError(line: line, column: position - lineStart + 1, message: message)
    }

    private mutating func skipWhitespace() {
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

    private mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard let c = peek() else { throw error("unexpected end of input, expected a JSON value") }
        switch c {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
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

    private mutating func digits() -> Int {
        let start = position
        while position < end, bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "9") { position += 1 }
        return position - start
    }

    private mutating func parseNumber() throws(JSONSyntaxError) -> JSONValue {
        let start = position
        if peek() == UInt8(ascii: "-") { position += 1 }
        if peek() == UInt8(ascii: "0") {
            position += 1
        } else if digits() == 0 {
            throw error("invalid number")
        }
        if peek() == UInt8(ascii: ".") {
            position += 1
            if digits() == 0 { throw error("invalid number: expected digits after '.'") }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            position += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { position += 1 }
            if digits() == 0 { throw error("invalid number: expected exponent digits") }
        }
        return .number(String(decoding: UnsafeBufferPointer(rebasing: bytes[start ..< position]), as: UTF8.self))
    }

    private mutating func parseString() throws(JSONSyntaxError) -> String {
        position += 1 // opening quote
        let start = position
        // Fast path: no escapes.
        while position < end {
            let c = bytes[position]
            if c == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start ..< position]), as: UTF8.self)
                position += 1
                return text
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw error("control character in a string (a line break inside a JSON string?)") }
            position += 1
        }
        var buffer = [UInt8](UnsafeBufferPointer(rebasing: bytes[start ..< position]))
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
                guard e == UInt8(ascii: "u") else {
                    position -= 1
                    throw error("invalid escape '\\\(String(decoding: [e], as: UTF8.self))' in a string")
                }
                var scalar = try hex4()
                if (0xD800 ... 0xDBFF).contains(scalar) {
                    // A high surrogate takes the low one that follows; a lone one is U+FFFD.
                    if end - position >= 6, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") {
                        let save = position
                        position += 2
                        let low = try hex4()
                        if (0xDC00 ... 0xDFFF).contains(low) {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            position = save
                            scalar = 0xFFFD
                        }
                    } else {
                        scalar = 0xFFFD
                    }
                }
                buffer.append(contentsOf: UTF8.encode(Unicode.Scalar(scalar) ?? "\u{FFFD}")!)
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
            value = value << 4 | digit
            position += 1
        }
        return value
    }

    private mutating func parseArray(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth <= Self.maximumDepth else { throw error("nesting deeper than \(Self.maximumDepth) levels") }
        position += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") { position += 1; return .array(items) }
        while true {
            skipWhitespace()
            items.append(try parseValue(depth: depth))
            skipWhitespace()
            guard let c = peek() else { throw error("unterminated array") }
            position += 1
            if c == UInt8(ascii: ",") { continue }
            if c == UInt8(ascii: "]") { return .array(items) }
            position -= 1
            throw error("expected ',' or ']' in an array")
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth <= Self.maximumDepth else { throw error("nesting deeper than \(Self.maximumDepth) levels") }
        position += 1
        var members: [JSONObject.Member] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "}") { position += 1; return .object(JSONObject(members: members)) }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw error("expected a quoted key in an object") }
            let key = try parseString()
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw error("expected ':' after an object key") }
            position += 1
            skipWhitespace()
            members.append((key, try parseValue(depth: depth)))
            skipWhitespace()
            guard let c = peek() else { throw error("unterminated object") }
            position += 1
            if c == UInt8(ascii: ",") { continue }
            if c == UInt8(ascii: "}") { return .object(JSONObject(members: members)) }
            position -= 1
            throw error("expected ',' or '}' in an object")
        }
    }
}
