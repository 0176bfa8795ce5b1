/// A value inside a template, with Python's semantics as jinja2 gives them.
///
/// Strings are sequences of Unicode scalars, as Python's `str` is a sequence of code points: their
/// length, indices, slices, comparisons and `in` all work on scalars, never on Swift's grapheme
/// clusters (`"\r\n"` is two characters here, and `"é"` is not equal to `"e\u{301}"`).
public indirect enum Value: Sendable {
    /// A name or item that does not exist. Prints as `""`, iterates as empty, is falsy; most other
    /// uses raise its message (`'x' is undefined`, `list object has no element 0`).
    case undefined(Undefined)
    case none
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([Value])
    /// A tuple: `(a, b)`, the pairs of `items`, a macro's `varargs`. Iterates and indexes as a
    /// list does, but prints as `(a, b)` and never equals a list.
    case tuple([Value])
    case dict(Dict)
    /// `namespace(...)`: the one mutable object a template can make.
    case namespace(Namespace)
    /// A macro, a global function or a bound method.
    case callable(Callable)
    /// The `loop` variable inside a `for`.
    case loop(LoopState)
}

/// Why a value is undefined, as jinja2's `Undefined` words it.
public struct Undefined: Sendable {
    /// The message an operation on it raises.
    public var message: String

    /// `'name' is undefined`.
    static func name(_ name: String) -> Undefined {
        Undefined(message: "'\(name)' is undefined")
    }

    /// `'dict object' has no attribute 'x'` or `list object has no element 3`.
    static func member(of object: Value, key: Value) -> Undefined {
        if case .string(let name) = key {
            return Undefined(message: "\(object.typeDescription.pythonRepr) has no attribute \(name.pythonRepr)")
        }
        return Undefined(message: "\(object.typeDescription) has no element \(key.pythonRepr)")
    }
}

/// An insertion-ordered dictionary, as Python's `dict` (keys are values; templates use strings and
/// integers).
public struct Dict: Sendable {
    public private(set) var keys: [Value] = []
    public private(set) var values: [Value] = []
    private var index: [HashKey: Int] = [:]

    public init() {}

    public init(_ pairs: [(String, Value)]) {
        for (key, value) in pairs { self[.string(key)] = value }
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }
    public var pairs: Zip2Sequence<[Value], [Value]> { zip(keys, values) }

    public subscript(key: Value) -> Value? {
        get {
            guard let hash = HashKey(key), let position = index[hash] else { return nil }
            return values[position]
        }
        set {
            guard let hash = HashKey(key) else { return }
            if let position = index[hash] {
                if let newValue { values[position] = newValue } else { remove(at: position) }
            } else if let newValue {
                index[hash] = keys.count
                keys.append(key)
                values.append(newValue)
            }
        }
    }

    public subscript(key: String) -> Value? {
        get { self[.string(key)] }
        set { self[.string(key)] = newValue }
    }

    private mutating func remove(at position: Int) {
        keys.remove(at: position)
        values.remove(at: position)
        index = [:]
        for (offset, key) in keys.enumerated() { index[HashKey(key)!] = offset }
    }

    /// A hashable form of the keys Python would hash (`1 == 1.0 == True` share one slot).
    private enum HashKey: Hashable {
        case none, number(Double), string([Unicode.Scalar])

        init?(_ value: Value) {
            switch value {
            case .none: self = .none
            case .bool(let flag): self = .number(flag ? 1 : 0)
            case .int(let number): self = .number(Double(number))
            case .double(let number): self = .number(number)
            case .string(let text): self = .string(Array(text.unicodeScalars))
            default: return nil
            }
        }
    }
}

/// The object `namespace(...)` makes; `{% set ns.x = ... %}` writes into it.
public final class Namespace: @unchecked Sendable {
    var attributes: Dict
    init(_ attributes: Dict) { self.attributes = attributes }
}

/// Something a template can call: a macro, a global such as `raise_exception`, or a bound method.
public final class Callable: @unchecked Sendable {
    public enum Kind: Sendable { case macro, builtin, method }
    public let name: String
    public let kind: Kind
    let body: (Arguments) throws -> Value
    public init(name: String, kind: Kind = .builtin, body: @escaping (Arguments) throws -> Value) {
        self.name = name
        self.kind = kind
        self.body = body
    }
}

/// The positional and keyword arguments of one call.
public struct Arguments: Sendable {
    public var positional: [Value]
    public var keyword: [(String, Value)]

    public init(_ positional: [Value] = [], keyword: [(String, Value)] = []) {
        self.positional = positional
        self.keyword = keyword
    }

    /// The argument at `position`, or the keyword `name`, or nil.
    public func value(_ position: Int, _ name: String) -> Value? {
        if let pair = keyword.first(where: { $0.0 == name }) { return pair.1 }
        return position < positional.count ? positional[position] : nil
    }
}

/// What `loop` holds inside one iteration of a `for`.
public final class LoopState: @unchecked Sendable {
    let items: [Value]
    var index0 = 0
    /// The arguments of the last `loop.changed(...)` call.
    var lastChanged: [Value]? = nil
    let depth0: Int
    let recurse: Callable?

    init(items: [Value], depth0: Int, recurse: Callable?) {
        self.items = items
        self.depth0 = depth0
        self.recurse = recurse
    }

    func attribute(_ name: String) -> Value {
        let count = items.count
        switch name {
        case "index0": return .int(index0)
        case "index": return .int(index0 + 1)
        case "revindex": return .int(count - index0)
        case "revindex0": return .int(count - index0 - 1)
        case "first": return .bool(index0 == 0)
        case "last": return .bool(index0 == count - 1)
        case "length": return .int(count)
        case "depth": return .int(depth0 + 1)
        case "depth0": return .int(depth0)
        case "previtem":
            return index0 > 0 ? items[index0 - 1] : .undefined(Undefined(message: "there is no previous item"))
        case "nextitem":
            return index0 + 1 < count ? items[index0 + 1] : .undefined(Undefined(message: "there is no next item"))
        case "changed":
            return .callable(Callable(name: "changed") { [self] arguments in
                defer { lastChanged = arguments.positional }
                guard let last = lastChanged else { return .bool(true) }
                return .bool(!Operators.equal(.list(last), .list(arguments.positional)))
            })
        case "cycle":
            let position = index0
            return .callable(Callable(name: "cycle") { arguments in
                guard !arguments.positional.isEmpty else { throw JinjaError.type("no items for cycling given") }
                return arguments.positional[position % arguments.positional.count]
            })
        default:
            return .undefined(Undefined(message: "'LoopContext object' has no attribute '\(name)'"))
        }
    }
}

// MARK: - Python's view of values

extension Value {
    /// Python's truthiness.
    public var isTruthy: Bool {
        switch self {
        case .undefined, .none: return false
        case .bool(let flag): return flag
        case .int(let number): return number != 0
        case .double(let number): return number != 0
        case .string(let text): return !text.isEmpty
        case .list(let items), .tuple(let items): return !items.isEmpty
        case .dict(let dict): return !dict.isEmpty
        case .namespace, .callable, .loop: return true
        }
    }

    var isString: Bool {
        if case .string = self { return true }
        return false
    }

    public var isUndefined: Bool {
        if case .undefined = self { return true }
        return false
    }

    /// Python's `type(x).__name__`.
    var typeName: String {
        switch self {
        case .undefined: return "Undefined"
        case .none: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float"
        case .string: return "str"
        case .list: return "list"
        case .tuple: return "tuple"
        case .dict: return "dict"
        case .namespace: return "Namespace"
        case .callable(let callable):
            switch callable.kind {
            case .macro: return "Macro"
            case .builtin: return "function"
            case .method: return "builtin_function_or_method"
            }
        case .loop: return "LoopContext"
        }
    }

    /// jinja2's `object_type_repr`: `None` for None, else `list object`.
    var typeDescription: String {
        if case .none = self { return "None" }
        return "\(typeName) object"
    }

    /// Python's `str(x)` (what `{{ x }}` prints; undefined prints nothing).
    public var pythonStr: String {
        switch self {
        case .undefined: return ""
        case .string(let text): return text
        default: return pythonRepr
        }
    }

    /// Python's `repr(x)`.
    public var pythonRepr: String {
        switch self {
        case .undefined: return "Undefined"
        case .none: return "None"
        case .bool(let flag): return flag ? "True" : "False"
        case .int(let number): return String(number)
        case .double(let number): return Value.pythonFloat(number)
        case .string(let text): return text.pythonRepr
        case .list(let items): return "[" + items.map(\.pythonRepr).joined(separator: ", ") + "]"
        case .tuple(let items):
            return items.count == 1 ? "(\(items[0].pythonRepr),)" : "(" + items.map(\.pythonRepr).joined(separator: ", ") + ")"
        case .dict(let dict):
            return "{" + dict.pairs.map { "\($0.pythonRepr): \($1.pythonRepr)" }.joined(separator: ", ") + "}"
        case .namespace(let namespace):
            return "<Namespace \(Value.dict(namespace.attributes).pythonRepr)>"
        case .callable(let callable): return "<function \(callable.name)>"
        case .loop: return "<LoopContext>"
        }
    }

    /// Python's `repr(float)`: the shortest digits that round-trip, `1.0`, `1e-05`, `1e+16`, `inf`.
    static func pythonFloat(_ number: Double) -> String {
        if number.isNaN { return "nan" }
        if number.isInfinite { return number < 0 ? "-inf" : "inf" }
        // Swift's description already uses the shortest round-trip digits and Python's thresholds
        // for scientific notation (exponent < -4 or >= 16); only the exponent's form differs.
        var text = number.description
        if let e = text.firstIndex(of: "e") {
            var exponent = String(text[text.index(after: e)...])
            var sign = "+"
            if exponent.hasPrefix("-") { sign = "-"; exponent.removeFirst() } else if exponent.hasPrefix("+") { exponent.removeFirst() }
            if exponent.count < 2 { exponent = "0" + exponent }
            var mantissa = String(text[..<e])
            if mantissa.hasSuffix(".0") { mantissa.removeLast(2) }
            text = mantissa + "e" + sign + exponent
        }
        return text
    }
}

extension String {
    /// Python's `repr(str)`: single quotes unless the text holds `'` and no `"`.
    var pythonRepr: String {
        let quote: Unicode.Scalar = unicodeScalars.contains("'") && !unicodeScalars.contains("\"") ? "\"" : "'"
        var out = String.UnicodeScalarView()
        out.append(quote)
        for scalar in unicodeScalars {
            switch scalar {
            case "\\": out.append(contentsOf: "\\\\".unicodeScalars)
            case "\n": out.append(contentsOf: "\\n".unicodeScalars)
            case "\r": out.append(contentsOf: "\\r".unicodeScalars)
            case "\t": out.append(contentsOf: "\\t".unicodeScalars)
            case quote: out.append("\\"); out.append(quote)
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out.append(contentsOf: String(format: "\\x%02x", scalar.value).unicodeScalars)
                } else if !scalar.isPythonPrintable {
                    let hex = String(scalar.value, radix: 16)
                    let escape = scalar.value <= 0xFF ? "\\x" + String(repeating: "0", count: 2 - hex.count) + hex
                        : scalar.value <= 0xFFFF ? "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                        : "\\U" + String(repeating: "0", count: 8 - hex.count) + hex
                    out.append(contentsOf: escape.unicodeScalars)
                } else {
                    out.append(scalar)
                }
            }
        }
        out.append(quote)
        return String(out)
    }
}

extension Unicode.Scalar {
    /// Python's `str.isprintable` for one code point: not a control, format, surrogate, private-use,
    /// unassigned or separator character other than the space.
    var isPythonPrintable: Bool {
        if self == " " { return true }
        switch properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator, .spaceSeparator:
            return false
        default:
            return true
        }
    }

    /// Python's `str.isspace` for one code point (wider than Unicode's White_Space: it includes the
    /// information separators U+001C..U+001F).
    var isPythonSpace: Bool {
        switch value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }
}

import Foundation

extension Value {
    /// The items of a list or a tuple, or nil.
    public var sequenceItemsOrNil: [Value]? { sequenceItems }

    /// The items of a list or a tuple.
    var sequenceItems: [Value]? {
        switch self {
        case .list(let items), .tuple(let items): return items
        default: return nil
        }
    }
}
