/// Stars that flag statistically significant results in tables (`*`, `**`, `***`).
///
/// The reports module only renders: pass the p-value you want judged, normally after multiplicity
/// adjustment (for example Holm's), and the thresholds your analysis uses.
public enum SignificanceMark {
    /// The conventional thresholds: `*` p < 0.05, `**` p < 0.01, `***` p < 0.001.
    public static let conventionalThresholds: [Double] = [0.05, 0.01, 0.001]

    /// One star per threshold that `p` is strictly below; an empty string when `p` is not below any, or
    /// is NaN. Thresholds may be given in any order; NaN thresholds are ignored.
    ///
    /// - Parameters:
    ///   - p: the (adjusted) p-value.
    ///   - thresholds: significance levels (default ``conventionalThresholds``).
    public static func mark(p: Double, thresholds: [Double] = conventionalThresholds) -> String {
        guard !p.isNaN else { return "" }
        return String(repeating: "*", count: thresholds.count(where: { !$0.isNaN && p < $0 }))
    }

    /// A legend line for the marks, such as `* p < 0.05, ** p < 0.01, *** p < 0.001 (Holm-adjusted)`.
    /// `note` is appended in parentheses when given.
    public static func legend(thresholds: [Double] = conventionalThresholds, note: String? = nil) -> String {
        let sorted = thresholds.filter { !$0.isNaN }.sorted(by: >)
        let parts = sorted.enumerated().map { index, threshold in
            "\(String(repeating: "*", count: index + 1)) p < \(shortest(threshold))"
        }
        var line = parts.joined(separator: ", ")
        if let note, !note.isEmpty { line += " (\(note))" }
        return line
    }

    /// `value` with the fewest decimals (up to 10) that print it exactly enough: 0.05 → `0.05`.
    private static func shortest(_ value: Double) -> String {
        for decimals in 0...10 {
            let text = DecimalFormatting.fixed(value, decimals: decimals)
            if Double(text) == value { return text }
        }
        return DecimalFormatting.fixed(value, decimals: 10)
    }
}
