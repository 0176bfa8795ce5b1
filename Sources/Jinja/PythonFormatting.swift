import Foundation

/// Python's two string-formatting languages as templates use them: `'%s: %05.2f' % (a, b)` and
/// `'{} and {name}'.format(a, name=b)`.
enum PythonFormatting {
    /// `format % arguments`: a tuple gives several arguments, anything else one.
    static func percent(_ format: String, _ argument: Value) throws -> String {
        var arguments: [Value]
        if case .tuple(let items) = argument { arguments = items } else { arguments = [argument] }
        let scalars = Array(format.unicodeScalars)
        var out = ""
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            guard scalar == "%" else { out.unicodeScalars.append(scalar); continue }
            var spec = ""
            while index < scalars.count, "-+ #0123456789.".unicodeScalars.contains(scalars[index]) {
                spec.unicodeScalars.append(scalars[index])
                index += 1
            }
            guard index < scalars.count else { throw JinjaError(.value, "incomplete format") }
            let conversion = scalars[index]
            index += 1
            if conversion == "%" { out += "%"; continue }
            guard !arguments.isEmpty else { throw JinjaError.type("not enough arguments for format string") }
            out += try convert(arguments.removeFirst(), spec: spec, conversion: conversion)
        }
        if !arguments.isEmpty { throw JinjaError.type("not all arguments converted during string formatting") }
        return out
    }

    /// One `%` conversion: text ones pad with Python's rules, numeric ones through C's printf.
    private static func convert(_ value: Value, spec: String, conversion: Unicode.Scalar) throws -> String {
        switch conversion {
        case "s", "r":
            var text = conversion == "s" ? value.pythonStr : value.pythonRepr
            let parts = spec.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.count == 2, let precision = Int(parts[1]) { text = String(text.unicodeScalars.prefix(precision).map(Character.init)) }
            let flags = parts.first.map(String.init) ?? ""
            let width = Int(flags.filter(\.isNumber)) ?? 0
            let padding = String(repeating: " ", count: max(0, width - text.unicodeScalars.count))
            return flags.contains("-") ? text + padding : padding + text
        case "d", "i", "x", "X", "o", "c":
            let integer: Int
            switch value {
            case .int(let number): integer = number
            case .bool(let flag): integer = flag ? 1 : 0
            case .double(let number) where conversion == "d" || conversion == "i": integer = Int(number)
            default:
                let needs = conversion == "d" || conversion == "i" ? "a real number" : "an integer"
                throw JinjaError.type("%\(conversion) format: \(needs) is required, not \(value.typeName)")
            }
            if conversion == "c" { return Unicode.Scalar(UInt32(clamping: integer)).map { String($0) } ?? "" }
            let c = conversion == "i" ? "d" : String(conversion)
            return String(format: "%" + spec + "l" + c, integer)
        case "f", "F", "e", "E", "g", "G":
            let real: Double
            switch value {
            case .int(let number): real = Double(number)
            case .bool(let flag): real = flag ? 1 : 0
            case .double(let number): real = number
            default: throw JinjaError.type("must be real number, not \(value.typeName)")
            }
            return String(format: "%" + spec + String(conversion), real)
        default:
            throw JinjaError(.value, "unsupported format character '\(conversion)'")
        }
    }

    /// `str.format`: `{}` (next positional), `{0}`, `{name}`, `{{` and `}}`; a `:spec` after the
    /// field takes the `%` language's width and precision (`{:.2f}`, `{:>5}` is not supported).
    static func format(_ template: String, _ arguments: Arguments) throws -> String {
        let scalars = Array(template.unicodeScalars)
        var out = ""
        var index = 0
        var next = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "{" && index + 1 < scalars.count && scalars[index + 1] == "{" { out += "{"; index += 2; continue }
            if scalar == "}" && index + 1 < scalars.count && scalars[index + 1] == "}" { out += "}"; index += 2; continue }
            guard scalar == "{" else { out.unicodeScalars.append(scalar); index += 1; continue }
            guard let close = scalars[index...].firstIndex(of: "}") else { throw JinjaError(.value, "Single '{' encountered in format string") }
            var field = String(String.UnicodeScalarView(scalars[(index + 1)..<close]))
            index = close + 1
            var spec = ""
            if let colon = field.firstIndex(of: ":") {
                spec = String(field[field.index(after: colon)...])
                field = String(field[..<colon])
            }
            let value: Value
            if field.isEmpty {
                guard next < arguments.positional.count else { throw JinjaError(.value, "Replacement index \(next) out of range for positional args tuple") }
                value = arguments.positional[next]
                next += 1
            } else if let position = Int(field) {
                guard position < arguments.positional.count else { throw JinjaError(.value, "Replacement index \(position) out of range for positional args tuple") }
                value = arguments.positional[position]
            } else if let pair = arguments.keyword.first(where: { $0.0 == field }) {
                value = pair.1
            } else {
                throw JinjaError(.value, "'\(field)'")
            }
            if spec.isEmpty {
                out += value.pythonStr
            } else if let conversion = spec.unicodeScalars.last, "dfFeEgGxXos".unicodeScalars.contains(conversion) {
                out += try convert(value, spec: String(spec.dropLast()), conversion: conversion)
            } else {
                out += try convert(value, spec: spec, conversion: "s")
            }
        }
        return out
    }
}
