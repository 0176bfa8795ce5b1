import Foundation
import TextEscaping

/// jinja2's built-in filters that chat and task templates use, plus `tojson` as transformers
/// overrides it (`json.dumps` with `ensure_ascii=False`; no HTML escaping).
enum Filters {
    /// markupsafe's `escape`, as jinja2's `escape`/`e` filter applies it.
    static let markupEscapes = EscapeTable(["&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&#34;", "'": "&#39;"])

    static let names: Set<String> = [
        "trim", "tojson", "length", "count", "join", "reject", "select", "selectattr", "rejectattr", "map", "list",
        "string", "items", "first", "last", "lower", "upper", "capitalize", "title", "replace", "default", "d",
        "int", "float", "abs", "round", "indent", "safe", "e", "escape", "unique", "sort", "reverse", "sum", "min",
        "max", "dictsort", "wordcount", "batch", "slice", "center", "truncate", "format", "pprint", "attr",
    ]

    /// The items a filter iterates (an undefined input iterates as empty).
    static func iterate(_ value: Value) throws -> [Value] {
        switch value {
        case .undefined: return []
        case .list(let items), .tuple(let items): return items
        case .dict(let dict): return dict.keys
        case .string(let text): return text.unicodeScalars.map { .string(String($0)) }
        default: throw JinjaError.type("'\(value.typeName)' object is not iterable")
        }
    }

    static func apply(_ name: String, to value: Value, _ arguments: Arguments, interpreter: Interpreter) throws -> Value {
        switch name {
        case "trim":
            let text = value.pythonStr
            return try Members.call("strip", on: .string(text), Arguments(arguments.value(0, "chars").map { [$0] } ?? []))
        case "tojson":
            // transformers' signature: tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False).
            var indent: Int? = nil
            if case .int(let width)? = arguments.value(1, "indent") { indent = width }
            let ascii = arguments.value(0, "ensure_ascii")?.isTruthy ?? false
            let sorted = arguments.value(3, "sort_keys")?.isTruthy ?? false
            return .string(try PythonJSON.dumps(value, indent: indent, ensureASCII: ascii, sortKeys: sorted))
        case "length", "count":
            switch value {
            case .undefined: return .int(0)
            case .string(let text): return .int(text.unicodeScalars.count)
            case .list(let items), .tuple(let items): return .int(items.count)
            case .dict(let dict): return .int(dict.count)
            default: throw JinjaError.type("object of type '\(value.typeName)' has no len()")
            }
        case "join":
            let separator = arguments.value(0, "d")?.pythonStr ?? ""
            var items = try iterate(value)
            if let attribute = arguments.value(1, "attribute") {
                items = try items.map { try Members.item($0, attribute, interpreter: interpreter) }
            }
            return .string(items.map(\.pythonStr).joined(separator: separator))
        case "select", "reject":
            let items = try iterate(value)
            guard case .string(let test)? = arguments.positional.first else {
                return .list(items.filter { $0.isTruthy == (name == "select") })
            }
            let extra = Array(arguments.positional.dropFirst())
            return .list(try items.filter { try TestPredicates.apply(test, to: $0, extra, interpreter: interpreter) == (name == "select") })
        case "selectattr", "rejectattr":
            guard let attribute = arguments.positional.first else { throw JinjaError.type("\(name) needs an attribute name") }
            let keep = name == "selectattr"
            return .list(try iterate(value).filter { item in
                let member = try attributePath(item, attribute, interpreter: interpreter)
                guard arguments.positional.count > 1, case .string(let test) = arguments.positional[1] else { return member.isTruthy == keep }
                let extra = Array(arguments.positional.dropFirst(2))
                return try TestPredicates.apply(test, to: member, extra, interpreter: interpreter) == keep
            })
        case "map":
            let items = try iterate(value)
            if let attribute = arguments.keyword.first(where: { $0.0 == "attribute" })?.1 {
                let fallback = arguments.keyword.first(where: { $0.0 == "default" })?.1
                return .list(try items.map { item in
                    let member = try attributePath(item, attribute, interpreter: interpreter)
                    if member.isUndefined, let fallback { return fallback }
                    return member
                })
            }
            guard case .string(let filter)? = arguments.positional.first else { throw JinjaError.type("map needs a filter name or attribute=") }
            let rest = Arguments(Array(arguments.positional.dropFirst()), keyword: arguments.keyword)
            return .list(try items.map { try apply(filter, to: $0, rest, interpreter: interpreter) })
        case "list":
            return .list(try iterate(value))
        case "string":
            return .string(value.pythonStr)
        case "items":
            switch value {
            case .undefined: return .list([])
            case .dict(let dict): return .list(dict.pairs.map { .tuple([$0, $1]) })
            default: throw JinjaError.type("Can only get item pairs from a mapping.")
            }
        case "first":
            return try iterate(value).first ?? .undefined(Undefined(message: "No first item, sequence was empty."))
        case "last":
            return try iterate(value).last ?? .undefined(Undefined(message: "No last item, sequence was empty."))
        case "lower": return .string(value.pythonStr.lowercased())
        case "upper": return .string(value.pythonStr.uppercased())
        case "capitalize":
            return try Members.call(name, on: .string(value.pythonStr), Arguments())
        case "title":
            // jinja2's own rule, not str.title: a word starts after whitespace or one of -([{<.
            var out = ""
            var startsWord = true
            for scalar in value.pythonStr.unicodeScalars {
                out += startsWord ? String(scalar).uppercased() : String(scalar).lowercased()
                startsWord = scalar.isPythonSpace || "-([{<".unicodeScalars.contains(scalar)
            }
            return .string(out)
        case "replace":
            return try Members.call("replace", on: .string(value.pythonStr), arguments)
        case "default", "d":
            let fallback = arguments.value(0, "default_value") ?? .string("")
            let boolean = arguments.value(1, "boolean")?.isTruthy ?? false
            if value.isUndefined || (boolean && !value.isTruthy) { return fallback }
            return value
        case "int":
            let fallback = arguments.value(0, "default") ?? .int(0)
            if case .string(let text) = value, let base = arguments.value(1, "base")?.integerIndex, base != 10 {
                var digits = text.trimmingCharacters(in: .whitespaces).lowercased()
                var radix = base
                for (prefix, implied) in [("0x", 16), ("0o", 8), ("0b", 2)] where digits.hasPrefix(prefix) && (base == 0 || base == implied) {
                    digits.removeFirst(2)
                    radix = implied
                }
                return Int(digits, radix: radix == 0 ? 10 : radix).map { .int($0) } ?? fallback
            }
            switch value {
            case .int: return value
            case .bool(let flag): return .int(flag ? 1 : 0)
            case .double(let number): return number.isFinite ? .int(Int(number)) : fallback
            case .string(let text):
                let trimmed = text.trimmingCharacters(in: .whitespaces)
                if let number = Int(trimmed) { return .int(number) }
                if let number = Double(trimmed), number.isFinite { return .int(Int(number)) }
                return fallback
            default: return fallback
            }
        case "float":
            let fallback = arguments.value(0, "default") ?? .double(0)
            switch value {
            case .double: return value
            case .int(let number): return .double(Double(number))
            case .bool(let flag): return .double(flag ? 1 : 0)
            case .string(let text): return Double(text.trimmingCharacters(in: .whitespaces)).map { .double($0) } ?? fallback
            default: return fallback
            }
        case "abs":
            switch value {
            case .int(let number): return .int(abs(number))
            case .double(let number): return .double(abs(number))
            case .bool(let flag): return .int(flag ? 1 : 0)
            default: throw JinjaError.type("bad operand type for abs(): '\(value.typeName)'")
            }
        case "round":
            var precision = 0
            if case .int(let digits)? = arguments.value(0, "precision") { precision = digits }
            let method = arguments.value(1, "method")?.pythonStr ?? "common"
            let number: Double
            switch value {
            case .int(let integer):
                // Python's round(int, n) stays an int.
                guard method == "common", precision < 0 else { return value }
                let scale = Int(pow(10.0, Double(-precision)))
                return .int(Int((Double(integer) / Double(scale)).rounded(.toNearestOrEven)) * scale)
            case .double(let real): number = real
            case .bool(let flag): number = flag ? 1 : 0
            default: throw JinjaError.type("must be real number, not \(value.typeName)")
            }
            let scale = pow(10.0, Double(precision))
            // `common` is Python's round(): halves to even, on the decimal value as stored.
            let rule: FloatingPointRoundingRule = method == "floor" ? .down : method == "ceil" ? .up : .toNearestOrEven
            return .double((number * scale).rounded(rule) / scale)
        case "indent":
            var width = "    "
            switch arguments.value(0, "width") {
            case .int(let count)?: width = String(repeating: " ", count: max(count, 0))
            case .string(let text)?: width = text
            default: break
            }
            let indentFirst = arguments.value(1, "first")?.isTruthy ?? false
            let indentBlank = arguments.value(2, "blank")?.isTruthy ?? false
            let lines = value.pythonStr.components(separatedBy: "\n")
            return .string(lines.enumerated().map { offset, line in
                if offset == 0 && !indentFirst { return line }
                if line.isEmpty && !indentBlank { return line }
                return width + line
            }.joined(separator: "\n"))
        case "safe":
            return value
        case "e", "escape":
            if case .string = value {} else if value.isUndefined { return .string("") }
            return .string(markupEscapes.escaping(value.pythonStr))
        case "unique":
            let caseSensitive = arguments.value(0, "case_sensitive")?.isTruthy ?? false
            let attribute = arguments.value(1, "attribute")
            var seen: [Value] = [], kept: [Value] = []
            for item in try iterate(value) {
                var key = try attribute.map { try attributePath(item, $0, interpreter: interpreter) } ?? item
                if !caseSensitive, case .string(let text) = key { key = .string(text.lowercased()) }
                guard !seen.contains(where: { Operators.equal($0, key) }) else { continue }
                seen.append(key)
                kept.append(item)
            }
            return .list(kept)
        case "sort":
            let reverse = arguments.value(0, "reverse")?.isTruthy ?? false
            let attribute = arguments.value(2, "attribute")
            var failure: Error? = nil
            let keyed = try iterate(value).map { item in (item, try attribute.map { try attributePath(item, $0, interpreter: interpreter) } ?? item) }
            let sorted = keyed.sorted { a, b in
                do { return try Operators.compare(reverse ? ">" : "<", a.1, b.1) } catch { failure = error; return false }
            }
            if let failure { throw failure }
            return .list(sorted.map(\.0))
        case "reverse":
            if case .string(let text) = value { return .string(String(String.UnicodeScalarView(text.unicodeScalars.reversed()))) }
            return .list(try iterate(value).reversed())
        case "sum":
            let attribute = arguments.value(0, "attribute")
            var total: Value = arguments.value(1, "start") ?? .int(0)
            for item in try iterate(value) {
                let term = try attribute.map { try attributePath(item, $0, interpreter: interpreter) } ?? item
                total = try Operators.binary("+", total, term, interpreter: interpreter)
            }
            return total
        case "min", "max":
            let caseSensitive = arguments.value(0, "case_sensitive")?.isTruthy ?? false
            let attribute = arguments.value(1, "attribute")
            func key(_ item: Value) throws -> Value {
                let member = try attribute.map { try attributePath(item, $0, interpreter: interpreter) } ?? item
                if !caseSensitive, case .string(let text) = member { return .string(text.lowercased()) }
                return member
            }
            let items = try iterate(value)
            guard var best = items.first else { return .undefined(Undefined(message: "No aggregated item, sequence was empty.")) }
            for item in items.dropFirst() where try Operators.compare(name == "min" ? "<" : ">", try key(item), try key(best)) { best = item }
            return best
        case "dictsort":
            guard case .dict(let dict) = value else { throw JinjaError.type("can only dictsort a mapping") }
            let caseSensitive = arguments.value(0, "case_sensitive")?.isTruthy ?? false
            let byValue = arguments.value(1, "by")?.pythonStr == "value"
            let reverse = arguments.value(2, "reverse")?.isTruthy ?? false
            func key(_ pair: (Value, Value)) -> Value {
                let member = byValue ? pair.1 : pair.0
                if !caseSensitive, case .string(let text) = member { return .string(text.lowercased()) }
                return member
            }
            var failure: Error? = nil
            let sorted = dict.pairs.map { ($0, $1) }.sorted { a, b in
                do { return try Operators.compare(reverse ? ">" : "<", key(a), key(b)) } catch { failure = error; return false }
            }
            if let failure { throw failure }
            return .list(sorted.map { .tuple([$0.0, $0.1]) })
        case "wordcount":
            // jinja2 counts runs of \w (letters, digits, underscore).
            var count = 0, inWord = false
            for scalar in value.pythonStr.unicodeScalars {
                let word = scalar == "_" || scalar.properties.isAlphabetic || scalar.properties.numericType != nil
                if word && !inWord { count += 1 }
                inWord = word
            }
            return .int(count)
        case "attr":
            // getattr only: a dict's keys are not attributes (its methods are).
            guard case .string(let attribute)? = arguments.positional.first else { throw JinjaError.type("attr needs a name") }
            if case .dict = value, !Members.dictMethods.contains(attribute) {
                return .undefined(.member(of: value, key: .string(attribute)))
            }
            return try Members.attribute(value, attribute, interpreter: interpreter)
        case "batch":
            guard let size = arguments.value(0, "linecount")?.integerIndex, size > 0 else { throw JinjaError(.value, "batch needs a positive size") }
            let fill = arguments.value(1, "fill_with")
            var rows: [Value] = []
            var row: [Value] = []
            for item in try iterate(value) {
                row.append(item)
                if row.count == size { rows.append(.list(row)); row = [] }
            }
            if !row.isEmpty {
                if let fill { row += Array(repeating: fill, count: size - row.count) }
                rows.append(.list(row))
            }
            return .list(rows)
        case "slice":
            guard let slices = arguments.value(0, "slices")?.integerIndex, slices > 0 else { throw JinjaError(.value, "slice needs a positive count") }
            let items = try iterate(value)
            let (per, extra) = (items.count / slices, items.count % slices)
            var offset = 0
            return .list((0..<slices).map { index in
                let length = per + (index < extra ? 1 : 0)
                defer { offset += length }
                return .list(Array(items[offset..<(offset + length)]))
            })
        case "center":
            let width = arguments.value(0, "width")?.integerIndex ?? 80
            let text = Array(value.pythonStr.unicodeScalars)
            guard width > text.count else { return .string(value.pythonStr) }
            let total = width - text.count
            // Python's str.center puts the odd space on the right unless the width is odd.
            let left = total / 2 + (total & width & 1)
            return .string(String(repeating: " ", count: left) + value.pythonStr + String(repeating: " ", count: total - left))
        case "format":
            let rest: Value = arguments.positional.isEmpty ? .tuple([]) : .tuple(arguments.positional)
            return try Operators.binary("%", .string(value.pythonStr), rest, interpreter: interpreter)
        case "truncate":
            let length = arguments.value(0, "length")?.integerIndex ?? 255
            let killWords = arguments.value(1, "killwords")?.isTruthy ?? false
            let ending = arguments.value(2, "end")?.pythonStr ?? "..."
            let leeway = arguments.value(3, "leeway")?.integerIndex ?? 5
            let text = Array(value.pythonStr.unicodeScalars)
            if text.count <= length + leeway { return .string(value.pythonStr) }
            let keep = max(0, length - ending.unicodeScalars.count)
            var cut = Array(text.prefix(keep))
            if !killWords, let space = cut.lastIndex(where: { $0 == " " }) { cut = Array(cut[..<space]) }
            var view = String.UnicodeScalarView()
            view.append(contentsOf: cut)
            return .string(String(view) + ending)
        case "pprint":
            return .string(value.pythonRepr)
        default:
            if let filter = interpreter.environment.filters[name] { return try filter(value, arguments) }
            throw JinjaError(.syntax, "No filter named '\(name)'.")
        }
    }

    /// `a.b.c` paths as `selectattr`, `map(attribute=)` and `sort(attribute=)` take them.
    private static func attributePath(_ value: Value, _ path: Value, interpreter: Interpreter) throws -> Value {
        guard case .string(let text) = path else { return try Members.item(value, path, interpreter: interpreter) }
        var current = value
        for part in text.split(separator: ".", omittingEmptySubsequences: false) {
            let key: Value = Int(part).map { .int($0) } ?? .string(String(part))
            if current.isUndefined { return current }
            current = try Members.item(current, key, interpreter: interpreter)
        }
        return current
    }
}
