import Foundation

/// Python's arithmetic, comparison and membership on template values.
enum Operators {
    static func unary(_ op: String, _ value: Value) throws -> Value {
        switch (op, value) {
        case (_, .undefined(let undefined)): throw JinjaError.undefined(undefined)
        case ("-", .int(let number)): return .int(-number)
        case ("-", .double(let number)): return .double(-number)
        case ("-", .bool(let flag)): return .int(flag ? -1 : 0)
        case ("+", .int), ("+", .double): return value
        case ("+", .bool(let flag)): return .int(flag ? 1 : 0)
        default: throw JinjaError.type("bad operand type for unary \(op): '\(value.typeName)'")
        }
    }

    /// A number as Python's numeric tower sees it (`bool` is an `int`).
    private enum Number {
        case int(Int), double(Double)
        init?(_ value: Value) {
            switch value {
            case .int(let number): self = .int(number)
            case .bool(let flag): self = .int(flag ? 1 : 0)
            case .double(let number): self = .double(number)
            default: return nil
            }
        }
        var double: Double {
            switch self {
            case .int(let number): return Double(number)
            case .double(let number): return number
            }
        }
    }

    static func binary(_ op: String, _ left: Value, _ right: Value, interpreter: Interpreter) throws -> Value {
        if case .undefined(let undefined) = left { throw JinjaError.undefined(undefined) }
        if case .undefined(let undefined) = right { throw JinjaError.undefined(undefined) }
        if let a = Number(left), let b = Number(right) { return try arithmetic(op, a, b) }
        switch (op, left, right) {
        case ("+", .string(let a), .string(let b)):
            try interpreter.checkSize(a.utf8.count + b.utf8.count)
            return .string(a + b)
        case ("+", .list(let a), .list(let b)):
            return .list(a + b)
        case ("+", .tuple(let a), .tuple(let b)):
            return .tuple(a + b)
        case ("*", .string(let text), _), ("*", _, .string(let text)):
            guard let count = (Number(right) ?? Number(left)).flatMap({ if case .int(let n) = $0 { return n } else { return nil } }) else {
                throw JinjaError.type("can't multiply sequence by non-int of type '\((left.isString ? right : left).typeName)'")
            }
            try interpreter.checkSize(text.utf8.count * max(count, 0))
            return .string(repeated(text, max(count, 0)))
        case ("*", .list(let items), _), ("*", _, .list(let items)):
            guard let count = (Number(right) ?? Number(left)).flatMap({ if case .int(let n) = $0 { return n } else { return nil } }) else {
                throw JinjaError.type("can't multiply sequence by non-int of type '\((left.sequenceItems != nil ? right : left).typeName)'")
            }
            try interpreter.checkSize(items.count * max(count, 0))
            return .list(Array(repeating: items, count: max(count, 0)).flatMap { $0 })
        case ("%", .string(let format), _):
            return .string(try PythonFormatting.percent(format, right))
        case ("+", .string, _):
            throw JinjaError.type("can only concatenate str (not \"\(right.typeName)\") to str")
        case ("+", .list, _):
            throw JinjaError.type("can only concatenate list (not \"\(right.typeName)\") to list")
        default:
            break
        }
        throw JinjaError.type("unsupported operand type(s) for \(op): '\(left.typeName)' and '\(right.typeName)'")
    }

    /// `text * count`, through bytes (Swift's `String(repeating:count:)` is far slower).
    private static func repeated(_ text: String, _ count: Int) -> String {
        let bytes = Array(text.utf8)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(bytes.count * count)
        for _ in 0..<count { buffer.append(contentsOf: bytes) }
        return String(decoding: buffer, as: UTF8.self)
    }

    private static func arithmetic(_ op: String, _ a: Number, _ b: Number) throws -> Value {
        if case .int(let x) = a, case .int(let y) = b {
            switch op {
            case "+": return try checked(x.addingReportingOverflow(y))
            case "-": return try checked(x.subtractingReportingOverflow(y))
            case "*": return try checked(x.multipliedReportingOverflow(by: y))
            case "/":
                guard y != 0 else { throw JinjaError(.zeroDivision, "division by zero") }
                return .double(Double(x) / Double(y))
            case "//":
                guard y != 0 else { throw JinjaError(.zeroDivision, "integer division or modulo by zero") }
                let quotient = x / y
                return .int((x % y != 0) && ((x < 0) != (y < 0)) ? quotient - 1 : quotient)
            case "%":
                guard y != 0 else { throw JinjaError(.zeroDivision, "integer modulo by zero") }
                let remainder = x % y
                return .int(remainder != 0 && (remainder < 0) != (y < 0) ? remainder + y : remainder)
            case "**":
                guard y >= 0 else { return .double(pow(Double(x), Double(y))) }
                var result = 1
                for _ in 0..<min(y, 64) {
                    let (product, overflow) = result.multipliedReportingOverflow(by: x)
                    if overflow { throw JinjaError(.value, "integer too large") }
                    result = product
                }
                if y > 64 && abs(x) > 1 { throw JinjaError(.value, "integer too large") }
                return .int(y > 64 && x == -1 ? (y % 2 == 0 ? 1 : -1) : result)
            default: break
            }
        }
        let x = a.double, y = b.double
        switch op {
        case "+": return .double(x + y)
        case "-": return .double(x - y)
        case "*": return .double(x * y)
        case "/":
            guard y != 0 else { throw JinjaError(.zeroDivision, "float division by zero") }
            return .double(x / y)
        case "//":
            guard y != 0 else { throw JinjaError(.zeroDivision, "float floor division by zero") }
            return .double((x / y).rounded(.down))
        case "%":
            guard y != 0 else { throw JinjaError(.zeroDivision, "float modulo by zero") }
            let remainder = fmod(x, y)
            return .double(remainder != 0 && (remainder < 0) != (y < 0) ? remainder + y : remainder)
        case "**": return .double(pow(x, y))
        default: throw JinjaError.type("unsupported operator \(op)")
        }
    }

    private static func checked(_ result: (partialValue: Int, overflow: Bool)) throws -> Value {
        if result.overflow { throw JinjaError(.value, "integer too large") }
        return .int(result.partialValue)
    }

    /// Python's `==` (`1 == 1.0 == True`; strings compare code points; dicts ignore order).
    static func equal(_ left: Value, _ right: Value) -> Bool {
        if let a = Number(left), let b = Number(right) {
            if case .int(let x) = a, case .int(let y) = b { return x == y }
            return a.double == b.double
        }
        switch (left, right) {
        case (.undefined, .undefined), (.none, .none): return true
        case (.string(let a), .string(let b)): return a.unicodeScalars.elementsEqual(b.unicodeScalars)
        case (.list(let a), .list(let b)), (.tuple(let a), .tuple(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { equal($0, $1) }
        case (.dict(let a), .dict(let b)):
            return a.count == b.count && a.pairs.allSatisfy { key, value in b[key].map { equal(value, $0) } ?? false }
        case (.namespace(let a), .namespace(let b)): return a === b
        case (.callable(let a), .callable(let b)): return a === b
        default: return false
        }
    }

    static func compare(_ op: String, _ left: Value, _ right: Value) throws -> Bool {
        switch op {
        case "==": return equal(left, right)
        case "!=": return !equal(left, right)
        case "in": return try contains(right, left)
        case "not in": return !(try contains(right, left))
        default:
            let order = try ordering(left, right, op)
            switch op {
            case "<": return order < 0
            case ">": return order > 0
            case "<=": return order <= 0
            default: return order >= 0
            }
        }
    }

    /// -1, 0 or 1, for numbers, strings (by code point) and lists (element by element).
    private static func ordering(_ left: Value, _ right: Value, _ op: String) throws -> Int {
        if let a = Number(left), let b = Number(right) {
            if case .int(let x) = a, case .int(let y) = b { return x < y ? -1 : x > y ? 1 : 0 }
            return a.double < b.double ? -1 : a.double > b.double ? 1 : 0
        }
        switch (left, right) {
        case (.string(let a), .string(let b)):
            for (x, y) in zip(a.unicodeScalars, b.unicodeScalars) where x != y { return x.value < y.value ? -1 : 1 }
            let (m, n) = (a.unicodeScalars.count, b.unicodeScalars.count)
            return m < n ? -1 : m > n ? 1 : 0
        case (.list(let a), .list(let b)), (.tuple(let a), .tuple(let b)):
            for (x, y) in zip(a, b) where !equal(x, y) { return try ordering(x, y, op) }
            return a.count < b.count ? -1 : a.count > b.count ? 1 : 0
        case (.undefined(let undefined), _), (_, .undefined(let undefined)):
            throw JinjaError.undefined(undefined)
        default:
            throw JinjaError.type("'\(op)' not supported between instances of '\(left.typeName)' and '\(right.typeName)'")
        }
    }

    /// Python's `needle in haystack`.
    static func contains(_ haystack: Value, _ needle: Value) throws -> Bool {
        switch haystack {
        case .undefined: return false
        case .string(let text):
            guard case .string(let part) = needle else {
                throw JinjaError.type("'in <string>' requires string as left operand, not \(needle.typeName)")
            }
            return PythonString.contains(text, part)
        case .list(let items), .tuple(let items): return items.contains { equal($0, needle) }
        case .dict(let dict): return dict[needle] != nil
        case .namespace(let namespace):
            if case .string = needle { return namespace.attributes[needle] != nil }
            return false
        default:
            throw JinjaError.type("argument of type '\(haystack.typeName)' is not iterable")
        }
    }
}
