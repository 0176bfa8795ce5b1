/// Attribute access, subscripts, slices and the methods of `str`, `dict` and `list` that templates
/// call, as Python and jinja2's sandbox define them (`x.y` tries the attribute, then the item;
/// `x['y']` the item, then the attribute).
enum Members {
    static let dictMethods: Set<String> = ["items", "keys", "values", "get"]
    static let listMethods: Set<String> = ["index", "count"]
    static let stringMethods: Set<String> = [
        "strip", "lstrip", "rstrip", "split", "rsplit", "splitlines", "startswith", "endswith", "upper", "lower",
        "title", "capitalize", "replace", "find", "rfind", "index", "count", "join", "isdigit", "isalpha",
        "isalnum", "isspace", "islower", "isupper", "isnumeric", "format",
    ]

    /// Methods that would change a value: jinja2's immutable sandbox refuses them.
    static let mutatingMethods: Set<String> = [
        "append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse", "update", "setdefault", "popitem",
    ]

    static func attribute(_ value: Value, _ name: String, interpreter: Interpreter) throws -> Value {
        if case .dict = value, mutatingMethods.contains(name) {
            throw JinjaError(.security, "access to attribute '\(name)' of 'dict' object is unsafe.")
        }
        if case .list = value, mutatingMethods.contains(name) {
            throw JinjaError(.security, "access to attribute '\(name)' of 'list' object is unsafe.")
        }
        if name.hasPrefix("_") {
            throw JinjaError(.security, "access to attribute '\(name)' of '\(value.typeName)' object is unsafe.")
        }
        switch value {
        case .undefined(let undefined):
            throw JinjaError.undefined(undefined)
        case .dict(let dict):
            if dictMethods.contains(name) { return boundMethod(value, name) }
            return dict[name] ?? .undefined(.member(of: value, key: .string(name)))
        case .string:
            if stringMethods.contains(name) { return boundMethod(value, name) }
        case .list, .tuple:
            if listMethods.contains(name) { return boundMethod(value, name) }
        case .namespace(let namespace):
            return namespace.attributes[name] ?? .undefined(.member(of: value, key: .string(name)))
        case .loop(let loop):
            return loop.attribute(name)
        default:
            break
        }
        return .undefined(.member(of: value, key: .string(name)))
    }

    static func item(_ value: Value, _ key: Value, interpreter: Interpreter) throws -> Value {
        switch (value, key) {
        case (.undefined(let undefined), _):
            throw JinjaError.undefined(undefined)
        case (.list(let items), _), (.tuple(let items), _):
            if let index = key.integerIndex {
                let position = index < 0 ? index + items.count : index
                if position >= 0 && position < items.count { return items[position] }
                return .undefined(.member(of: value, key: key))
            }
        case (.string(let text), _):
            if let index = key.integerIndex {
                let scalars = Array(text.unicodeScalars)
                let position = index < 0 ? index + scalars.count : index
                if position >= 0 && position < scalars.count { return .string(String(scalars[position])) }
                return .undefined(.member(of: value, key: key))
            }
        case (.dict(let dict), _):
            if let found = dict[key] { return found }
        default:
            break
        }
        if case .string(let name) = key { return try attribute(value, name, interpreter: interpreter) }
        return .undefined(.member(of: value, key: key))
    }

    static func slice(_ value: Value, start: Int?, stop: Int?, step: Int?) throws -> Value {
        switch value {
        case .list(let items):
            return .list(try sliced(items, start: start, stop: stop, step: step))
        case .tuple(let items):
            return .tuple(try sliced(items, start: start, stop: stop, step: step))
        case .string(let text):
            var view = String.UnicodeScalarView()
            view.append(contentsOf: try sliced(Array(text.unicodeScalars), start: start, stop: stop, step: step))
            return .string(String(view))
        case .undefined(let undefined):
            throw JinjaError.undefined(undefined)
        default:
            throw JinjaError.type("'\(value.typeName)' object is not subscriptable")
        }
    }

    /// Python's `seq[start:stop:step]`.
    static func sliced<T>(_ items: [T], start: Int?, stop: Int?, step: Int?) throws -> [T] {
        let step = step ?? 1
        guard step != 0 else { throw JinjaError(.value, "slice step cannot be zero") }
        let count = items.count
        func clamp(_ index: Int?, _ fallback: Int, low: Int, high: Int) -> Int {
            guard var index else { return fallback }
            if index < 0 { index += count }
            return min(max(index, low), high)
        }
        var out: [T] = []
        if step > 0 {
            var index = clamp(start, 0, low: 0, high: count)
            let end = clamp(stop, count, low: 0, high: count)
            while index < end { out.append(items[index]); index += step }
        } else {
            var index = clamp(start, count - 1, low: -1, high: count - 1)
            let end = clamp(stop, -1, low: -1, high: count - 1)
            while index > end { out.append(items[index]); index += step }
        }
        return out
    }

    private static func boundMethod(_ value: Value, _ name: String) -> Value {
        .callable(Callable(name: name, kind: .method) { arguments in try call(name, on: value, arguments) })
    }

    static func call(_ name: String, on value: Value, _ arguments: Arguments) throws -> Value {
        switch value {
        case .dict(let dict): return try dictMethod(name, dict, arguments)
        case .list(let items), .tuple(let items): return try listMethod(name, items, arguments)
        case .string(let text): return try stringMethod(name, text, arguments)
        default: throw JinjaError.type("'\(value.typeName)' object has no method '\(name)'")
        }
    }

    private static func dictMethod(_ name: String, _ dict: Dict, _ arguments: Arguments) throws -> Value {
        switch name {
        case "items": return .list(dict.pairs.map { .tuple([$0, $1]) })
        case "keys": return .list(dict.keys)
        case "values": return .list(dict.values)
        default:
            guard let key = arguments.value(0, "key") else { throw JinjaError.type("get expected at least 1 argument, got 0") }
            return dict[key] ?? arguments.value(1, "default") ?? .none
        }
    }

    private static func listMethod(_ name: String, _ items: [Value], _ arguments: Arguments) throws -> Value {
        guard let needle = arguments.positional.first else { throw JinjaError.type("\(name)() takes exactly one argument (0 given)") }
        if name == "count" { return .int(items.filter { Operators.equal($0, needle) }.count) }
        guard let position = items.firstIndex(where: { Operators.equal($0, needle) }) else {
            throw JinjaError(.value, "\(needle.pythonRepr) is not in list")
        }
        return .int(position)
    }

    private static func stringArgument(_ arguments: Arguments, _ position: Int, _ name: String) throws -> [Unicode.Scalar]? {
        switch arguments.value(position, name) {
        case nil, .none?, .undefined?: return nil
        case .string(let text)?: return Array(text.unicodeScalars)
        case let other?: throw JinjaError.type("must be str or None, not \(other.typeName)")
        }
    }

    private static func string(_ scalars: some Sequence<Unicode.Scalar>) -> Value {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return .string(String(view))
    }

    private static func stringMethod(_ name: String, _ text: String, _ arguments: Arguments) throws -> Value {
        let scalars = Array(text.unicodeScalars)
        switch name {
        case "strip", "lstrip", "rstrip":
            let characters = try stringArgument(arguments, 0, "chars")
            let strips: (Unicode.Scalar) -> Bool = characters.map { set in { set.contains($0) } } ?? { $0.isPythonSpace }
            var start = 0, end = scalars.count
            if name != "rstrip" { while start < end && strips(scalars[start]) { start += 1 } }
            if name != "lstrip" { while end > start && strips(scalars[end - 1]) { end -= 1 } }
            return string(scalars[start..<end])
        case "split", "rsplit":
            let separator = try stringArgument(arguments, 0, "sep")
            var maximum = -1
            if case .int(let number)? = arguments.value(1, "maxsplit") { maximum = number }
            let parts = try PythonString.split(scalars, separator: separator, maximum: maximum, fromRight: name == "rsplit")
            return .list(parts.map { string($0) })
        case "splitlines":
            let keepEnds = arguments.value(0, "keepends")?.isTruthy ?? false
            return .list(PythonString.splitLines(scalars, keepEnds: keepEnds).map { string($0) })
        case "format":
            return .string(try PythonFormatting.format(text, arguments))
        case "startswith", "endswith":
            let candidates: [[Unicode.Scalar]]
            switch arguments.value(0, "prefix") {
            case .string(let prefix)?: candidates = [Array(prefix.unicodeScalars)]
            case .tuple(let items)?:
                candidates = try items.map {
                    guard case .string(let item) = $0 else { throw JinjaError.type("tuple for \(name) must only contain str") }
                    return Array(item.unicodeScalars)
                }
            default: throw JinjaError.type("\(name) first arg must be str or a tuple of str")
            }
            let count = scalars.count
            func bound(_ value: Value?, _ fallback: Int) -> Int {
                guard let index = value?.integerIndex else { return fallback }
                return min(max(index < 0 ? index + count : index, 0), count)
            }
            let (start, end) = (bound(arguments.value(1, "start"), 0), bound(arguments.value(2, "end"), count))
            let window = start <= end ? Array(scalars[start..<end]) : []
            return .bool(candidates.contains { name == "startswith" ? window.starts(with: $0) : window.reversed().starts(with: $0.reversed()) })
        case "upper": return .string(text.uppercased())
        case "lower": return .string(text.lowercased())
        case "title": return .string(PythonString.title(scalars))
        case "capitalize":
            guard let first = scalars.first else { return .string("") }
            return .string(String(first).uppercased() + string(scalars.dropFirst()).pythonStr.lowercased())
        case "replace":
            guard let old = try stringArgument(arguments, 0, "old"), let new = try stringArgument(arguments, 1, "new") else {
                throw JinjaError.type("replace expected 2 arguments")
            }
            var count = -1
            if case .int(let number)? = arguments.value(2, "count") { count = number }
            return string(PythonString.replace(scalars, old, new, count: count))
        case "find", "rfind", "index", "count":
            guard let needle = try stringArgument(arguments, 0, "sub") else { throw JinjaError.type("\(name) expected a string") }
            let positions = PythonString.occurrences(of: needle, in: scalars)
            switch name {
            case "count": return .int(positions.count)
            case "find": return .int(positions.first ?? -1)
            case "rfind": return .int(PythonString.lastOccurrence(of: needle, in: scalars) ?? -1)
            default:
                guard let first = positions.first else { throw JinjaError(.value, "substring not found") }
                return .int(first)
            }
        case "join":
            guard let items = arguments.positional.first else { throw JinjaError.type("join() takes exactly one argument (0 given)") }
            let parts = try Filters.iterate(items).map { item -> String in
                guard case .string(let part) = item else {
                    throw JinjaError.type("sequence item 0: expected str instance, \(item.typeName) found")
                }
                return part
            }
            return .string(parts.joined(separator: text))
        case "isdigit", "isnumeric":
            return .bool(!scalars.isEmpty && scalars.allSatisfy { $0.properties.numericType != nil })
        case "isalpha": return .bool(!scalars.isEmpty && scalars.allSatisfy { $0.properties.isAlphabetic })
        case "isalnum":
            return .bool(!scalars.isEmpty && scalars.allSatisfy { $0.properties.isAlphabetic || $0.properties.numericType != nil })
        case "isspace": return .bool(!scalars.isEmpty && scalars.allSatisfy(\.isPythonSpace))
        case "islower": return .bool(text.contains { $0.isLetter } && text == text.lowercased())
        case "isupper": return .bool(text.contains { $0.isLetter } && text == text.uppercased())
        default: throw JinjaError.type("'str' object has no attribute '\(name)'")
        }
    }
}

extension Value {
    /// The value as a sequence index (`True` counts as 1, as in Python).
    var integerIndex: Int? {
        switch self {
        case .int(let number): return number
        case .bool(let flag): return flag ? 1 : 0
        default: return nil
        }
    }
}
