/// Errors thrown by `Metrics` functions when their input cannot be summarised.
public enum MetricsError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No items were given where at least `minimum` are needed.
    case notEnoughItems(count: Int, minimum: Int)
    /// Paired inputs (base vs candidate, log-likelihoods vs counts) have different lengths.
    case lengthMismatch(first: Int, second: Int)
    /// A parameter is outside its documented range (named, with the offending value as text).
    case invalidParameter(name: String, value: String, expected: String)
    /// A value that must be finite is NaN or infinite (index of the first offending item).
    case nonFiniteValue(index: Int)

    /// A one-line, human-readable explanation naming the offending value.
    public var description: String {
        switch self {
        case let .notEnoughItems(count, minimum):
            return "need at least \(minimum) item(s), got \(count)"
        case let .lengthMismatch(first, second):
            return "paired inputs differ in length: \(first) vs \(second)"
        case let .invalidParameter(name, value, expected):
            return "invalid \(name) = \(value): expected \(expected)"
        case let .nonFiniteValue(index):
            return "item \(index) is not a finite number"
        }
    }
}

extension MetricsError {
    static func checkFinite(_ values: [Double]) throws {
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw MetricsError.nonFiniteValue(index: bad)
        }
    }

    static func checkLevel(_ level: Double) throws {
        guard level > 0, level < 1 else {
            throw MetricsError.invalidParameter(name: "level", value: "\(level)", expected: "a probability in (0, 1)")
        }
    }
}
