/// One result value, compared the way execution accuracy compares results: an integer and a
/// real with the same value are equal (`5` and `5.0`), text is compared byte for byte.
public enum SQLValue: Hashable, Sendable, Comparable, CustomStringConvertible {
    case null
    /// Integers, and reals with an integral value that fits in 64 bits.
    case integer(Int64)
    case real(Double)
    case text(String)
    /// Blobs as lowercase hex.
    case blob(String)

    /// A real in canonical form: integral values become ``integer(_:)``.
    public static func number(_ value: Double) -> SQLValue {
        if value.rounded() == value, abs(value) < 9.0e18 { return .integer(Int64(value)) }
        return .real(value)
    }

    public var description: String {
        switch self {
        case .null: return "NULL"
        case let .integer(v): return String(v)
        case let .real(v): return String(v)
        case let .text(t): return t
        case let .blob(h): return "x'\(h)'"
        }
    }

    private var rank: Int {
        switch self {
        case .null: return 0
        case .integer, .real: return 1
        case .text: return 2
        case .blob: return 3
        }
    }

    /// A total order (for sorting rows into a multiset): NULL < numbers < text < blobs.
    public static func < (a: SQLValue, b: SQLValue) -> Bool {
        switch (a, b) {
        case let (.integer(x), .integer(y)): return x < y
        case let (.integer(x), .real(y)): return Double(x) < y
        case let (.real(x), .integer(y)): return x < Double(y)
        case let (.real(x), .real(y)): return x < y
        case let (.text(x), .text(y)): return Array(x.utf8).lexicographicallyPrecedes(y.utf8)
        case let (.blob(x), .blob(y)): return x < y
        default: return a.rank < b.rank
        }
    }
}

/// Result comparison as execution accuracy defines it: the same rows the same number of times,
/// in any order (a multiset of rows; the values within a row keep their column order).
public enum SQLResultComparison {
    /// Whether `a` and `b` hold the same multiset of rows.
    public static func sameMultiset(_ a: [[SQLValue]], _ b: [[SQLValue]]) -> Bool {
        guard a.count == b.count else { return false }
        let order: ([SQLValue], [SQLValue]) -> Bool = { $0.lexicographicallyPrecedes($1) }
        return a.sorted(by: order) == b.sorted(by: order)
    }
}
