import TextEscaping

/// JSON in and out as Python's `json` module writes and reads it, so `tojson` gives transformers'
/// bytes: `json.dumps(x, ensure_ascii=False, indent=indent)` (separators `", "` and `": "`, or
/// `","` and a newline with an indent), and JSON documents read with key order and the
/// integer/float distinction kept, as `json.loads` gives them to a template.
public enum PythonJSON {
    /// `value` as `json.dumps` writes it (`", "` and `": "` separators, non-ASCII kept).
    public static func text(of value: Value) throws -> String {
        try dumps(value, indent: nil)
    }

    static func dumps(_ value: Value, indent: Int?, ensureASCII: Bool = false, sortKeys: Bool = false) throws -> String {
        var out = ""
        try write(value, indent: indent, level: 0, options: (ensureASCII, sortKeys), into: &out)
        return out
    }

    private static func write(_ value: Value, indent: Int?, level: Int, options: (ascii: Bool, sortKeys: Bool), into out: inout String) throws {
        switch value {
        case .none: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .int(let number): out += String(number)
        case .double(let number):
            if number.isNaN { out += "NaN" } else if number.isInfinite { out += number < 0 ? "-Infinity" : "Infinity" } else {
                out += Value.pythonFloat(number)
            }
        case .string(let text): writeString(text, ascii: options.ascii, into: &out)
        case .list(let items), .tuple(let items):
            guard !items.isEmpty else { out += "[]"; return }
            out += "["
            for (offset, item) in items.enumerated() {
                out += offset == 0 ? opening(indent, level + 1) : separator(indent, level + 1)
                try write(item, indent: indent, level: level + 1, options: options, into: &out)
            }
            out += closing(indent, level) + "]"
        case .dict(let dict):
            guard !dict.isEmpty else { out += "{}"; return }
            out += "{"
            var pairs = Array(dict.pairs)
            if options.sortKeys {
                var failure: Error? = nil
                pairs.sort { a, b in
                    do { return try Operators.compare("<", a.0, b.0) } catch { failure = error; return false }
                }
                if let failure { throw failure }
            }
            for (offset, (key, item)) in pairs.enumerated() {
                out += offset == 0 ? opening(indent, level + 1) : separator(indent, level + 1)
                switch key {
                case .string(let text): writeString(text, ascii: options.ascii, into: &out)
                case .none, .bool, .int, .double: writeString(try dumps(key, indent: nil), ascii: options.ascii, into: &out)
                default: throw JinjaError.type("keys must be str, int, float, bool or None, not \(key.typeName)")
                }
                out += ": "
                try write(item, indent: indent, level: level + 1, options: options, into: &out)
            }
            out += closing(indent, level) + "}"
        case .undefined, .namespace, .callable, .loop:
            throw JinjaError.type("Object of type \(value.typeName) is not JSON serializable")
        }
    }

    private static func opening(_ indent: Int?, _ level: Int) -> String {
        guard let indent else { return "" }
        return "\n" + String(repeating: " ", count: indent * level)
    }

    private static func separator(_ indent: Int?, _ level: Int) -> String {
        guard let indent else { return ", " }
        return ",\n" + String(repeating: " ", count: indent * level)
    }

    private static func closing(_ indent: Int?, _ level: Int) -> String {
        guard let indent else { return "" }
        return "\n" + String(repeating: " ", count: indent * level)
    }

    /// What `json.dumps` escapes: JSON's table, with `\b` and `\f` written short.
    private static let escapes = JSONEscapes.table.adding(["\u{08}": "\\b", "\u{0C}": "\\f"])

    private static func writeString(_ text: String, ascii: Bool, into out: inout String) {
        out += "\""
        escapes.append(text, to: &out) { scalar in
            // ensure_ascii writes UTF-16 code units: a surrogate pair above U+FFFF.
            guard ascii, !scalar.isASCII else { return nil }
            return String(scalar).utf16.map(JSONEscapes.unicodeEscape).joined()
        }
        out += "\""
    }

    // MARK: - Reading

    /// One JSON document as template values: objects keep their key order, `1` is an integer and
    /// `1.0` a float, as `json.loads` makes them.
    public static func value(from text: String) throws -> Value {
        var reader = Reader(scalars: Array(text.unicodeScalars))
        reader.skipWhitespace()
        let value = try reader.parseValue(depth: 0)
        reader.skipWhitespace()
        guard reader.position == reader.scalars.count else { throw reader.error("unexpected text after the JSON value") }
        return value
    }

    private struct Reader {
        let scalars: [Unicode.Scalar]
        var position = 0

        func error(_ message: String) -> JinjaError {
            JinjaError(.value, "\(message) at character \(position)")
        }

        mutating func skipWhitespace() {
            while position < scalars.count, [" ", "\n", "\r", "\t"].contains(scalars[position]) { position += 1 }
        }

        mutating func expect(_ literal: String) throws {
            for scalar in literal.unicodeScalars {
                guard position < scalars.count, scalars[position] == scalar else { throw error("expected '\(literal)'") }
                position += 1
            }
        }

        mutating func parseValue(depth: Int) throws -> Value {
            guard depth < 512 else { throw error("JSON nested too deeply") }
            guard position < scalars.count else { throw error("unexpected end of JSON") }
            switch scalars[position] {
            case "{":
                position += 1
                var dict = Dict()
                skipWhitespace()
                if position < scalars.count, scalars[position] == "}" { position += 1; return .dict(dict) }
                while true {
                    skipWhitespace()
                    guard position < scalars.count, scalars[position] == "\"" else { throw error("expected a string key") }
                    let key = try parseString()
                    skipWhitespace()
                    try expect(":")
                    skipWhitespace()
                    dict[key] = try parseValue(depth: depth + 1)
                    skipWhitespace()
                    if position < scalars.count, scalars[position] == "," { position += 1; continue }
                    try expect("}")
                    return .dict(dict)
                }
            case "[":
                position += 1
                var items: [Value] = []
                skipWhitespace()
                if position < scalars.count, scalars[position] == "]" { position += 1; return .list(items) }
                while true {
                    skipWhitespace()
                    items.append(try parseValue(depth: depth + 1))
                    skipWhitespace()
                    if position < scalars.count, scalars[position] == "," { position += 1; continue }
                    try expect("]")
                    return .list(items)
                }
            case "\"": return .string(try parseString())
            case "t": try expect("true"); return .bool(true)
            case "f": try expect("false"); return .bool(false)
            case "n": try expect("null"); return .none
            default: return try parseNumber()
            }
        }

        mutating func parseString() throws -> String {
            position += 1
            var out = String.UnicodeScalarView()
            while position < scalars.count {
                let scalar = scalars[position]
                position += 1
                if scalar == "\"" { return String(out) }
                guard scalar == "\\" else { out.append(scalar); continue }
                guard position < scalars.count else { break }
                let escape = scalars[position]
                position += 1
                if let plain = JSONEscapes.unescaped(escape) { out.append(plain); continue }
                guard escape == "u" else { throw error("invalid escape '\\\(escape)'") }
                var code = try hex4()
                if (0xD800..<0xDC00).contains(code), position + 1 < scalars.count, scalars[position] == "\\", scalars[position + 1] == "u" {
                    let save = position
                    position += 2
                    let low = try hex4()
                    if (0xDC00..<0xE000).contains(low) { code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00) } else { position = save }
                }
                guard let decoded = Unicode.Scalar(code) else { throw error("a lone surrogate in a string") }
                out.append(decoded)
            }
            throw error("unterminated string")
        }

        mutating func hex4() throws -> UInt32 {
            guard position + 4 <= scalars.count else { throw error("truncated \\u escape") }
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[position..<(position + 4)])
            guard let code = UInt32(String(view), radix: 16) else { throw error("invalid \\u escape") }
            position += 4
            return code
        }

        mutating func parseNumber() throws -> Value {
            let start = position
            var isFloat = false
            while position < scalars.count, "+-0123456789.eE".unicodeScalars.contains(scalars[position]) {
                if [".", "e", "E"].contains(scalars[position]) { isFloat = true }
                position += 1
            }
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[start..<position])
            let text = String(view)
            if !isFloat, let number = Int(text) { return .int(number) }
            guard !text.isEmpty, let number = Double(text) else { throw error("unexpected character") }
            return .double(number)
        }
    }
}
