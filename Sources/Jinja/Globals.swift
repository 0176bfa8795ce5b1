import Foundation

/// The global functions templates call: jinja2's `range`, `dict` and `namespace`, and the two that
/// transformers adds, `raise_exception` and `strftime_now`.
enum Globals {
    /// The largest list `range` builds: jinja2's sandbox `MAX_RANGE`.
    static let maximumRange = 100_000

    static func range(_ arguments: Arguments) throws -> Value {
        let numbers = try arguments.positional.map { value -> Int in
            guard let number = value.integerIndex else { throw JinjaError.type("'\(value.typeName)' object cannot be interpreted as an integer") }
            return number
        }
        let (start, stop, step): (Int, Int, Int)
        switch numbers.count {
        case 1: (start, stop, step) = (0, numbers[0], 1)
        case 2: (start, stop, step) = (numbers[0], numbers[1], 1)
        case 3: (start, stop, step) = (numbers[0], numbers[1], numbers[2])
        default: throw JinjaError.type("range expected at most 3 arguments, got \(numbers.count)")
        }
        guard step != 0 else { throw JinjaError(.value, "range() arg 3 must not be zero") }
        let count = step > 0 ? max(0, (stop - start + step - 1) / step) : max(0, (start - stop - step - 1) / -step)
        guard count <= maximumRange else {
            throw JinjaError(.overflow, "Range too big. The sandbox blocks ranges larger than MAX_RANGE (\(maximumRange)).")
        }
        return .list((0..<count).map { .int(start + $0 * step) })
    }

    static func dict(_ arguments: Arguments) throws -> Value {
        var dict = Dict()
        if let first = arguments.positional.first {
            switch first {
            case .dict(let other): for (key, value) in other.pairs { dict[key] = value }
            case .list(let pairs), .tuple(let pairs):
                for pair in pairs {
                    guard let items = pair.sequenceItems, items.count == 2 else {
                        throw JinjaError(.value, "dictionary update sequence element has the wrong length; 2 is required")
                    }
                    dict[items[0]] = items[1]
                }
            default: throw JinjaError.type("'\(first.typeName)' object is not iterable")
            }
        }
        for (key, value) in arguments.keyword { dict[key] = value }
        return .dict(dict)
    }

    static func namespace(_ arguments: Arguments) throws -> Value {
        guard case .dict(let attributes) = try dict(arguments) else { return .none }
        for key in attributes.keys {
            if case .string(let name) = key, name.hasPrefix("_") {
                throw JinjaError(.security, "underscore-prefixed namespace attribute \(name.pythonRepr)")
            }
        }
        return .namespace(Namespace(attributes))
    }

    /// `raise_exception(message)`: a `TemplateError` with the template's own message.
    static let raiseException = Callable(name: "raise_exception") { arguments in
        throw JinjaError(.raised, arguments.positional.first?.pythonStr ?? "")
    }

    /// `strftime_now(format)` at a fixed instant (the render's `now`), in the local time zone.
    static func strftimeNow(at date: Date, timeZone: TimeZone = .current) -> Callable {
        Callable(name: "strftime_now") { arguments in
            guard case .string(let format)? = arguments.positional.first else {
                throw JinjaError.type("strftime_now() argument must be str")
            }
            return .string(strftime(format, date, timeZone: timeZone))
        }
    }

    /// C's `strftime` for the directives templates use (`%d %b %Y`, `%Y-%m-%d`, ...), in English.
    static func strftime(_ format: String, _ date: Date, timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let dayOfYear = calendar.ordinality(of: .day, in: .year, for: date) ?? 1
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
        let days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
        let (year, month, day) = (parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1)
        let (hour, minute, second) = (parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0)
        let weekday = (parts.weekday ?? 1) - 1
        func padded(_ number: Int, _ width: Int = 2) -> String {
            let text = String(number)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        var out = ""
        var iterator = format.makeIterator()
        while let character = iterator.next() {
            guard character == "%", var directive = iterator.next() else { out.append(character); continue }
            var unpadded = false
            if directive == "-", let next = iterator.next() { unpadded = true; directive = next }
            func number(_ value: Int, _ width: Int = 2) -> String { unpadded ? String(value) : padded(value, width) }
            switch directive {
            case "Y": out += String(year)
            case "y": out += padded(year % 100)
            case "m": out += number(month)
            case "d": out += number(day)
            case "e": out += unpadded ? String(day) : (day < 10 ? " " : "") + String(day)
            case "H": out += number(hour)
            case "I": out += number(hour % 12 == 0 ? 12 : hour % 12)
            case "M": out += number(minute)
            case "S": out += number(second)
            case "p": out += hour < 12 ? "AM" : "PM"
            case "j": out += number(dayOfYear, 3)
            case "b", "h": out += String(months[month - 1].prefix(3))
            case "B": out += months[month - 1]
            case "a": out += String(days[weekday].prefix(3))
            case "A": out += days[weekday]
            case "%": out += "%"
            default: out += "%" + String(directive)
            }
        }
        return out
    }
}
