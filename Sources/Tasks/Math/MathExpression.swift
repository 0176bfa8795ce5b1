import Foundation

/// A parsed arithmetic expression of a MATH answer (`MathExpressionParser`): numbers, named
/// constants, variables, the four operations, powers, roots, factorials and elementary functions.
/// Evaluated in `Double` at given variable values, which is how two answers are compared.
public indirect enum MathExpression: Hashable, Sendable {
    /// A number as written; `decimal` when it had a decimal point (so it may be rounded).
    case number(Double, decimal: Bool)
    /// π, e or ∞.
    case constant(Constant)
    /// A variable (`x`, `\theta`, `a_1`).
    case variable(String)
    case negate(MathExpression)
    case add(MathExpression, MathExpression)
    case subtract(MathExpression, MathExpression)
    case multiply(MathExpression, MathExpression)
    case divide(MathExpression, MathExpression)
    case power(MathExpression, MathExpression)
    /// A function of one argument (`sin`, `log`, `sqrt`, `abs`, `floor`…).
    case function(String, MathExpression)
    /// `log_b(x)`.
    case logarithm(base: MathExpression, MathExpression)
    case factorial(MathExpression)
    /// `x%`, worth `x / 100`.
    case percent(MathExpression)

    /// Named constants.
    public enum Constant: String, Hashable, Sendable {
        case pi, e, infinity
    }

    /// The functions `function(_:_:)` knows.
    static let functions: Set<String> = ["sin", "cos", "tan", "cot", "sec", "csc", "arcsin", "arccos", "arctan",
                                          "sinh", "cosh", "tanh", "ln", "log", "exp", "sqrt", "abs", "floor", "ceil"]

    /// The value with `variables` bound (a variable not bound is NaN). Domain errors give NaN.
    public func evaluate(_ variables: [String: Double]) -> Double {
        switch self {
        case let .number(v, _): return v
        case let .constant(c):
            switch c {
            case .pi: return Double.pi
            case .e: return M_E
            case .infinity: return .infinity
            }
        case let .variable(name): return variables[name] ?? .nan
        case let .negate(a): return -a.evaluate(variables)
        case let .add(a, b): return a.evaluate(variables) + b.evaluate(variables)
        case let .subtract(a, b): return a.evaluate(variables) - b.evaluate(variables)
        case let .multiply(a, b): return a.evaluate(variables) * b.evaluate(variables)
        case let .divide(a, b): return a.evaluate(variables) / b.evaluate(variables)
        case let .power(a, b):
            let base = a.evaluate(variables), exponent = b.evaluate(variables)
            // A real odd root of a negative number: (-8)^(1/3) = -2.
            if base < 0, exponent.rounded() != exponent, let q = Self.oddDenominator(exponent) {
                return -pow(-base, exponent) * (q.isOddNumerator ? 1 : -1)
            }
            return pow(base, exponent)
        case let .function(name, a):
            let x = a.evaluate(variables)
            switch name {
            case "sin": return sin(x)
            case "cos": return cos(x)
            case "tan": return tan(x)
            case "cot": return 1 / tan(x)
            case "sec": return 1 / cos(x)
            case "csc": return 1 / sin(x)
            case "arcsin": return asin(x)
            case "arccos": return acos(x)
            case "arctan": return atan(x)
            case "sinh": return sinh(x)
            case "cosh": return cosh(x)
            case "tanh": return tanh(x)
            case "ln": return log(x)
            case "log": return log10(x)
            case "exp": return exp(x)
            case "sqrt": return x.squareRoot()
            case "abs": return abs(x)
            case "floor": return x.rounded(.down)
            case "ceil": return x.rounded(.up)
            default: return .nan
            }
        case let .logarithm(base, a): return log(a.evaluate(variables)) / log(base.evaluate(variables))
        case let .factorial(a):
            let x = a.evaluate(variables)
            guard x >= 0, x.rounded() == x, x <= 170 else { return .nan }
            return tgamma(x + 1)
        case let .percent(a): return a.evaluate(variables) / 100
        }
    }

    /// For exponents p/q with q odd (1/3, 2/3, 1/5…): whether p is odd.
    static func oddDenominator(_ exponent: Double) -> (isOddNumerator: Bool, denominator: Int)? {
        for q in stride(from: 3, through: 15, by: 2) {
            let p = exponent * Double(q)
            if abs(p - p.rounded()) < 1e-9 {
                return (Int(p.rounded()) % 2 != 0, q)
            }
        }
        return nil
    }

    /// Every variable name in the expression.
    public var variables: Set<String> {
        switch self {
        case .number, .constant: return []
        case let .variable(name): return [name]
        case let .negate(a), let .function(_, a), let .factorial(a), let .percent(a): return a.variables
        case let .add(a, b), let .subtract(a, b), let .multiply(a, b), let .divide(a, b), let .power(a, b), let .logarithm(a, b):
            return a.variables.union(b.variables)
        }
    }

    /// Whether a number in it was written with a decimal point (then values are compared rounded).
    public var hasDecimal: Bool {
        switch self {
        case let .number(_, decimal): return decimal
        case .constant, .variable: return false
        case let .negate(a), let .function(_, a), let .factorial(a), let .percent(a): return a.hasDecimal
        case let .add(a, b), let .subtract(a, b), let .multiply(a, b), let .divide(a, b), let .power(a, b), let .logarithm(a, b):
            return a.hasDecimal || b.hasDecimal
        }
    }

    /// Whether the expression is a percentage at its top (`50\%`, `-5\%`).
    public var isPercent: Bool {
        switch self {
        case .percent: return true
        case let .negate(a): return a.isPercent
        default: return false
        }
    }

    /// The expression without a top-level percent (`50\%` → `50`).
    public var withoutPercent: MathExpression {
        switch self {
        case let .percent(a): return a
        case let .negate(a): return .negate(a.withoutPercent)
        default: return self
        }
    }
}
