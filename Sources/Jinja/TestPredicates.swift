/// jinja2's tests (`x is defined`, `x is not none`, `n is divisibleby 3`), as Python defines the
/// types they look at: a `bool` is a number but not an integer; an undefined value is iterable.
enum TestPredicates {
    static func apply(_ name: String, to value: Value, _ arguments: [Value], interpreter: Interpreter) throws -> Bool {
        func argument() throws -> Value {
            guard let first = arguments.first else { throw JinjaError.type("test '\(name)' needs an argument") }
            return first
        }
        switch name {
        case "defined": return !value.isUndefined
        case "undefined": return value.isUndefined
        case "none": if case .none = value { return true } else { return false }
        case "true": if case .bool(true) = value { return true } else { return false }
        case "false": if case .bool(false) = value { return true } else { return false }
        case "boolean": if case .bool = value { return true } else { return false }
        case "string": if case .string = value { return true } else { return false }
        case "integer": if case .int = value { return true } else { return false }
        case "float": if case .double = value { return true } else { return false }
        case "number":
            switch value {
            case .int, .double, .bool: return true
            default: return false
            }
        case "mapping": if case .dict = value { return true } else { return false }
        case "iterable":
            switch value {
            case .undefined, .string, .list, .tuple, .dict: return true
            default: return false
            }
        case "sequence":
            switch value {
            case .undefined, .string, .list, .tuple, .dict: return true
            default: return false
            }
        case "callable":
            switch value {
            case .callable, .undefined: return true
            case .loop(let loop): return loop.recurse != nil
            default: return false
            }
        case "odd", "even":
            guard let number = value.integerIndex else { throw JinjaError.type("test '\(name)' needs an integer") }
            return (abs(number) % 2 == 1) == (name == "odd")
        case "divisibleby":
            guard let number = value.integerIndex, let divisor = try argument().integerIndex else {
                throw JinjaError.type("divisibleby needs integers")
            }
            guard divisor != 0 else { throw JinjaError(.zeroDivision, "integer modulo by zero") }
            return number % divisor == 0
        case "eq", "equalto", "==": return Operators.equal(value, try argument())
        case "ne", "!=": return !Operators.equal(value, try argument())
        case "lt", "lessthan", "<": return try Operators.compare("<", value, try argument())
        case "gt", "greaterthan", ">": return try Operators.compare(">", value, try argument())
        case "le", "<=": return try Operators.compare("<=", value, try argument())
        case "ge", ">=": return try Operators.compare(">=", value, try argument())
        case "in": return try Operators.contains(try argument(), value)
        case "sameas":
            let other = try argument()
            switch (value, other) {
            case (.none, .none): return true
            case (.bool(let a), .bool(let b)): return a == b
            // Python interns short strings and small ints; values here have no identity.
            case (.string, .string), (.int, .int), (.list, .list), (.dict, .dict): return Operators.equal(value, other)
            case (.namespace(let a), .namespace(let b)): return a === b
            default: return false
            }
        case "lower", "upper":
            // str.islower / str.isupper: at least one cased character, none of the other case.
            let text = value.pythonStr
            guard text.unicodeScalars.contains(where: { $0.properties.isCased }) else { return false }
            return name == "lower" ? text == text.lowercased() : text == text.uppercased()
        case "escaped": return false
        case "filter":
            guard case .string(let filter) = try argument() else { return false }
            return Filters.names.contains(filter) || interpreter.environment.filters[filter] != nil
        case "test":
            guard case .string(let test) = try argument() else { return false }
            return names.contains(test)
        default:
            throw JinjaError(.syntax, "No test named '\(name)'.")
        }
    }

    static let names: Set<String> = [
        "defined", "undefined", "none", "true", "false", "boolean", "string", "integer", "float", "number", "mapping",
        "iterable", "sequence", "callable", "odd", "even", "divisibleby", "eq", "equalto", "==", "ne", "!=", "lt",
        "lessthan", "<", "gt", "greaterthan", ">", "le", "<=", "ge", ">=", "in", "sameas", "lower", "upper", "escaped",
        "filter", "test",
    ]
}
