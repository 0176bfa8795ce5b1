import Foundation

/// Parses the LaTeX of one normalised MATH answer (`MathNormalization`) into a `MathExpression`.
///
/// Grammar (precedence low to high): sums (`+`, `-`); products (`*`, `\cdot`, `\times`, `/`,
/// `\div`, and juxtaposition: `2x`, `3\sqrt{2}`, `x(x+1)`); signs; powers (`^`, right-associative,
/// `^{...}` or one token); postfix `!` and `\%`; primaries: numbers, `\pi`, `e`, `\infty`,
/// letters and Greek-letter commands as variables (with `_` subscripts), `\frac{a}{b}` (a mixed
/// number `2\frac{1}{2}` is 2 + 1/2), `\sqrt{x}`, `\sqrt[n]{x}`, `(...)`, `{...}`, `|x|`,
/// `\lfloor x\rfloor`, `\lceil x\rceil`, functions (`\sin x`, `\sin^2 x`, `\log_2 8`, `\ln(x)`).
/// Anything else (relations, `\pm`, text words) is not an expression: nil.
public struct MathExpressionParser {
    enum Token: Hashable {
        case number(String)
        case letter(Character)
        case command(String)
        case symbol(Character)
    }

    var tokens: [Token]
    var position = 0
    /// Brackets, braces and arguments currently open; parsing gives up past `maxDepth` (answers
    /// are model output, and a recursive-descent parser must not recurse without bound).
    var depth = 0
    static let maxDepth = 48

    /// The expression `text` denotes, or nil when it is not one this grammar reads.
    public static func parse(_ text: String) -> MathExpression? {
        guard let tokens = tokenize(text), !tokens.isEmpty else { return nil }
        var parser = MathExpressionParser(tokens: tokens)
        guard let e = parser.expression(), parser.position == parser.tokens.count else { return nil }
        return e
    }

    static func tokenize(_ text: String) -> [Token]? {
        var tokens: [Token] = []
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == " " { i += 1; continue }
            if c.isASCII, c.isNumber || (c == "." && i + 1 < chars.count && chars[i + 1].isNumber) {
                var j = i
                var sawDot = false
                while j < chars.count, chars[j].isASCII, chars[j].isNumber || (chars[j] == "." && !sawDot && j + 1 < chars.count && chars[j + 1].isNumber) {
                    if chars[j] == "." { sawDot = true }
                    j += 1
                }
                tokens.append(.number(String(chars[i ..< j])))
                i = j
            } else if c == "\\" {
                var j = i + 1
                while j < chars.count, chars[j].isLetter { j += 1 }
                if j == i + 1 {
                    // `\{`, `\}`, `\%`, `\|`: a one-character command.
                    guard j < chars.count else { return nil }
                    tokens.append(.command(String(chars[j])))
                    i = j + 1
                } else {
                    tokens.append(.command(String(chars[(i + 1) ..< j])))
                    i = j
                }
            } else if c.isLetter, c.isASCII {
                tokens.append(.letter(c))
                i += 1
            } else if "+-*/^_(){}[]!|,'=<>%".contains(c) {
                tokens.append(.symbol(c))
                i += 1
            } else {
                return nil
            }
        }
        return tokens
    }

    var peek: Token? { position < tokens.count ? tokens[position] : nil }

    mutating func accept(_ token: Token) -> Bool {
        if peek == token { position += 1; return true }
        return false
    }

    mutating func expression() -> MathExpression? {
        guard var left = term() else { return nil }
        while true {
            if accept(.symbol("+")) {
                guard let right = term() else { return nil }
                left = .add(left, right)
            } else if accept(.symbol("-")) {
                guard let right = term() else { return nil }
                left = .subtract(left, right)
            } else {
                return left
            }
        }
    }

    static let greek: Set<String> = ["alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta", "vartheta",
                                     "iota", "kappa", "lambda", "mu", "nu", "xi", "rho", "sigma", "tau", "upsilon", "phi", "varphi",
                                     "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Sigma", "Phi", "Psi", "Omega"]

    /// Whether the next token can begin a factor multiplied by juxtaposition.
    var startsImplicitFactor: Bool {
        switch peek {
        case .number?, .letter?: return true
        case let .symbol(c)?: return c == "(" || c == "{"
        case let .command(name)?:
            return ["frac", "sqrt", "pi", "infty", "lfloor", "lceil"].contains(name) || Self.greek.contains(name)
                || MathExpression.functions.contains(name)
        case nil: return false
        }
    }

    mutating func term() -> MathExpression? {
        guard var left = signed() else { return nil }
        while true {
            if accept(.symbol("*")) || accept(.command("cdot")) || accept(.command("times")) {
                guard let right = signed() else { return nil }
                left = .multiply(left, right)
            } else if accept(.symbol("/")) || accept(.command("div")) {
                guard let right = signed() else { return nil }
                left = .divide(left, right)
            } else if startsImplicitFactor {
                guard let right = power() else { return nil }
                left = .multiply(left, right)
            } else {
                return left
            }
        }
    }

    mutating func signed() -> MathExpression? {
        if accept(.symbol("-")) { return signed().map { .negate($0) } }
        if accept(.symbol("+")) { return signed() }
        return power()
    }

    mutating func power() -> MathExpression? {
        guard let base = postfix() else { return nil }
        guard accept(.symbol("^")) else { return base }
        guard let exponent = exponentOperand() else { return nil }
        return postfixOperators(.power(base, exponent))
    }

    /// `{...}`, or one token (a digit string, a letter, a command primary), with an optional sign.
    mutating func exponentOperand() -> MathExpression? {
        if accept(.symbol("-")) { return exponentOperand().map { .negate($0) } }
        if peek == .symbol("{") { return primary() }
        guard let base = primary() else { return nil }
        if accept(.symbol("^")) {
            guard let exponent = exponentOperand() else { return nil }
            return .power(base, exponent)
        }
        return base
    }

    mutating func postfix() -> MathExpression? {
        guard let p = primary() else { return nil }
        return postfixOperators(p)
    }

    mutating func postfixOperators(_ e: MathExpression) -> MathExpression {
        var e = e
        while true {
            if accept(.symbol("!")) { e = .factorial(e) }
            else if accept(.command("%")) || accept(.symbol("%")) { e = .percent(e) }
            else { return e }
        }
    }

    /// `{ expression }`.
    mutating func group() -> MathExpression? {
        guard accept(.symbol("{")), let e = expression(), accept(.symbol("}")) else { return nil }
        return e
    }

    /// A `\frac`/`\sqrt` argument: a braced group or one token.
    mutating func argument() -> MathExpression? {
        if peek == .symbol("{") { return group() }
        switch peek {
        case let .number(text)?:
            // `\frac12`: one digit each.
            position += 1
            if text.count > 1, !text.contains(".") {
                tokens.insert(.number(String(text.dropFirst())), at: position)
                return Double(String(text.first!)).map { .number($0, decimal: false) }
            }
            return Double(text).map { .number($0, decimal: text.contains(".")) }
        default:
            return primary()
        }
    }

    mutating func primary() -> MathExpression? {
        guard let token = peek, depth < Self.maxDepth else { return nil }
        depth += 1
        defer { depth -= 1 }
        position += 1
        switch token {
        case let .number(text):
            guard let value = Double(text) else { return nil }
            let number = MathExpression.number(value, decimal: text.contains("."))
            // A mixed number: an integer followed by \frac of integers.
            if !text.contains("."), peek == .command("frac") {
                let saved = position
                position += 1
                if let numerator = argument(), let denominator = argument(),
                   case let .number(n, false) = numerator, case let .number(d, false) = denominator, d != 0 {
                    return .add(number, .number(n / d, decimal: false))
                }
                position = saved
            }
            return number
        case let .letter(c):
            if c == "e" && !(peek == .symbol("_")) { return .constant(.e) }
            return subscripted(String(c))
        case let .symbol(c):
            switch c {
            case "(":
                guard let e = expression(), accept(.symbol(")")) else { return nil }
                return e
            case "{":
                position -= 1
                return group()
            case "|":
                guard let e = expression(), accept(.symbol("|")) else { return nil }
                return .function("abs", e)
            default:
                return nil
            }
        case let .command(name):
            switch name {
            case "pi": return .constant(.pi)
            case "infty": return .constant(.infinity)
            case "frac":
                guard let n = argument(), let d = argument() else { return nil }
                return .divide(n, d)
            case "sqrt":
                if accept(.symbol("[")) {
                    guard let index = expression(), accept(.symbol("]")), let radicand = argument() else { return nil }
                    return .power(radicand, .divide(.number(1, decimal: false), index))
                }
                guard let radicand = argument() else { return nil }
                return .function("sqrt", radicand)
            case "lfloor":
                guard let e = expression(), accept(.command("rfloor")) else { return nil }
                return .function("floor", e)
            case "lceil":
                guard let e = expression(), accept(.command("rceil")) else { return nil }
                return .function("ceil", e)
            case "mathbf", "mathrm", "text", "operatorname":
                return group()
            default:
                if Self.greek.contains(name) { return subscripted("\\" + name) }
                if MathExpression.functions.contains(name) { return function(name) }
                return nil
            }
        }
    }

    /// `x_1`, `a_{n+1}`: a variable named with its subscript's tokens.
    mutating func subscripted(_ name: String) -> MathExpression {
        guard accept(.symbol("_")) else { return .variable(name) }
        var text = name + "_"
        if accept(.symbol("{")) {
            var depth = 1
            while let t = peek, depth > 0 {
                position += 1
                if t == .symbol("{") { depth += 1 }
                if t == .symbol("}") { depth -= 1; if depth == 0 { break } }
                text += Self.spell(t)
            }
        } else if let t = peek {
            position += 1
            text += Self.spell(t)
        }
        return .variable(text)
    }

    static func spell(_ t: Token) -> String {
        switch t {
        case let .number(s): return s
        case let .letter(c): return String(c)
        case let .command(s): return "\\" + s
        case let .symbol(c): return String(c)
        }
    }

    /// `\sin x`, `\sin(x)`, `\sin^2 x`, `\log_2 8`, `\log_{10}(x)`.
    mutating func function(_ name: String) -> MathExpression? {
        var base: MathExpression?
        if name == "log", accept(.symbol("_")) {
            guard let b = argument() else { return nil }
            base = b
        }
        var exponent: MathExpression?
        if accept(.symbol("^")) {
            guard let e = exponentOperand() else { return nil }
            exponent = e
        }
        let argument: MathExpression?
        if accept(.symbol("(")) {
            guard let e = expression(), accept(.symbol(")")) else { return nil }
            argument = e
        } else {
            argument = power()
        }
        guard let argument else { return nil }
        var result: MathExpression = base.map { .logarithm(base: $0, argument) } ?? .function(name, argument)
        if let exponent { result = .power(result, exponent) }
        return result
    }
}
