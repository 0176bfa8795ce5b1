/// Locale-independent number formatting for reports (always a `.` decimal point, no grouping).
///
/// Non-finite inputs never crash: NaN prints as ``notAvailable`` (`n/a`), infinities as `∞`/`-∞`
/// (`+∞` where a sign is always shown). Negative zero, and negative values that round to zero at the
/// requested precision, print without a sign (`0.000`, `0.0 pts`, `0.00%`).
public enum ReportNumberFormat {
    /// What NaN and other unavailable values print as.
    public static let notAvailable = "n/a"

    /// `value` with `decimals` digits after the point (default 3): `0.512`, `-1.250`, `n/a`, `∞`.
    public static func number(_ value: Double, decimals: Int = 3) -> String {
        if value.isNaN { return notAvailable }
        if value.isInfinite { return value < 0 ? "-∞" : "∞" }
        return DecimalFormatting.fixed(value, decimals: decimals)
    }

    /// `value` with an explicit sign: `+1.20`, `-0.35`; values that round to zero print unsigned.
    public static func signed(_ value: Double, decimals: Int = 3) -> String {
        if value.isNaN { return notAvailable }
        if value.isInfinite { return value < 0 ? "-∞" : "+∞" }
        let text = DecimalFormatting.fixed(value, decimals: decimals)
        if DecimalFormatting.roundsToZero(value, decimals: decimals) || text.hasPrefix("-") { return text }
        return "+" + text
    }

    /// A value and the half-width of its interval: `0.512 ± 0.031`.
    ///
    /// - Parameters:
    ///   - value: the estimate.
    ///   - halfWidth: half the width of its confidence interval (the sign is ignored); `nil` or NaN
    ///     prints the value alone.
    ///   - decimals: digits after the point for both numbers (default 3).
    public static func valueWithInterval(_ value: Double, halfWidth: Double?, decimals: Int = 3) -> String {
        let main = number(value, decimals: decimals)
        guard let halfWidth, !halfWidth.isNaN, !value.isNaN else { return main }
        return "\(main) ± \(number(abs(halfWidth), decimals: decimals))"
    }

    /// A value and its interval's bounds: `0.150 [0.052, 0.360]` (intervals need not be symmetric).
    ///
    /// - Parameters:
    ///   - value: the estimate.
    ///   - interval: the interval's lower and upper bounds; `nil` prints the value alone.
    ///   - decimals: digits after the point for all three numbers (default 3).
    public static func valueWithBounds(_ value: Double, interval: (lower: Double, upper: Double)?, decimals: Int = 3) -> String {
        let main = number(value, decimals: decimals)
        guard let interval, !value.isNaN else { return main }
        return "\(main) [\(number(interval.lower, decimals: decimals)), \(number(interval.upper, decimals: decimals))]"
    }

    /// A change in percentage points with its sign: `+1.2 pts`, `-34.7 pts`, `0.0 pts`.
    ///
    /// - Parameters:
    ///   - points: the change, already in percentage points (0.7255 → 0.1850 is `-54.05`).
    ///   - decimals: digits after the point (default 1).
    public static func signedPoints(_ points: Double, decimals: Int = 1) -> String {
        if points.isNaN { return notAvailable }
        return signed(points, decimals: decimals) + " pts"
    }

    /// A percentage: `-38.19%`, `+3.20%` (signed by default), or `38.19%` with `alwaysSigned: false`.
    ///
    /// - Parameters:
    ///   - percent: the value, already in percent (TI and BWT are defined ×100): pass `-38.19`, not
    ///     `-0.3819`.
    ///   - decimals: digits after the point (default 2).
    ///   - alwaysSigned: whether positive values get a `+` (default `true`).
    public static func percent(_ percent: Double, decimals: Int = 2, alwaysSigned: Bool = true) -> String {
        if percent.isNaN { return notAvailable }
        return (alwaysSigned ? signed(percent, decimals: decimals) : number(percent, decimals: decimals)) + "%"
    }

    /// A p-value: `p = 0.003`, or `p < 0.001` below the smallest printable value.
    ///
    /// - Parameters:
    ///   - p: the p-value in [0, 1]. Values above 1 by less than 1e-9 (rounding in adjustments) print as
    ///     1; NaN, negative or larger values print `p = n/a`.
    ///   - decimals: digits after the point (default 3, 1...15); values below `10^-decimals` print as
    ///     `p < 0.001` (for 3 decimals).
    public static func pValue(_ p: Double, decimals: Int = 3) -> String {
        let decimals = min(max(decimals, 1), 15)
        guard !p.isNaN, p >= 0, p <= 1 + 1e-9 else { return "p = \(notAvailable)" }
        let floor = DecimalFormatting.fixed(1 / pow10(decimals), decimals: decimals)
        if p < 1 / pow10(decimals) { return "p < \(floor)" }
        return "p = \(DecimalFormatting.fixed(min(p, 1), decimals: decimals))"
    }

    private static func pow10(_ exponent: Int) -> Double {
        (0..<exponent).reduce(1.0) { value, _ in value * 10 }
    }
}
