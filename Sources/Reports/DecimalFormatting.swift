import Foundation

/// Locale-independent fixed-point formatting shared by the report writers.
enum DecimalFormatting {
    /// `value` with exactly `decimals` digits after a `.` (never a `,`, whatever the process locale),
    /// no grouping separators, and no minus sign on a result that rounds to zero (`-0.0001` and `-0.0`
    /// both give `0.000`). `value` must be finite.
    static func fixed(_ value: Double, decimals: Int) -> String {
        precondition(value.isFinite, "fixed-point formatting needs a finite value")
        let places = min(max(decimals, 0), 17)
        // `%f` never groups digits, so the only comma it can print is a localized decimal separator.
        var text = String(format: "%.\(places)f", value).replacingOccurrences(of: ",", with: ".")
        if text.hasPrefix("-"), text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) {
            text.removeFirst()
        }
        return text
    }

    /// Whether `value` prints as zero with `decimals` digits after the point.
    static func roundsToZero(_ value: Double, decimals: Int) -> Bool {
        fixed(value, decimals: decimals).allSatisfy { $0 == "0" || $0 == "." }
    }
}
