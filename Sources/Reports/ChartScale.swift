import Foundation

/// Maps data values onto pixel positions along one axis, linearly or logarithmically, and picks
/// readable tick values.
struct ChartScale: Sendable {
    /// The smallest and largest data values shown (for a log scale, both > 0).
    let lower: Double
    let upper: Double
    /// The pixel positions of `lower` and `upper` (may be decreasing, as for a y axis).
    let start: Double
    let end: Double
    /// Whether values are placed by their base-10 logarithm.
    let logarithmic: Bool

    /// A scale over `lower...upper` (widened when empty or degenerate).
    init(lower: Double, upper: Double, start: Double, end: Double, logarithmic: Bool = false) {
        var lower = lower, upper = upper
        if logarithmic {
            if !(lower > 0) || !lower.isFinite { lower = 1 }
            if !(upper > 0) || !upper.isFinite { upper = lower * 10 }
            if upper <= lower { (lower, upper) = (lower / 10.0.squareRoot(), lower * 10.0.squareRoot()) }
        } else {
            if !lower.isFinite { lower = 0 }
            if !upper.isFinite { upper = lower + 1 }
            if upper <= lower {
                let pad = lower == 0 ? 0.5 : abs(lower) * 0.1
                (lower, upper) = (lower - pad, lower + pad)
            }
        }
        self.lower = lower
        self.upper = upper
        self.start = start
        self.end = end
        self.logarithmic = logarithmic
    }

    /// A linear scale over `values` with 5% padding on each side, extended to nice tick values.
    static func padded(_ values: [Double], start: Double, end: Double, includeZero: Bool = false) -> ChartScale {
        let finite = values.filter(\.isFinite) + (includeZero ? [0] : [])
        guard var lower = finite.min(), var upper = finite.max() else {
            return ChartScale(lower: 0, upper: 1, start: start, end: end)
        }
        let pad = upper > lower ? (upper - lower) * 0.05 : max(abs(lower) * 0.1, 0.5)
        if !(includeZero && lower == 0) { lower -= pad }
        upper += pad
        let step = niceStep((upper - lower) / 5)
        return ChartScale(lower: (lower / step).rounded(.down) * step, upper: (upper / step).rounded(.up) * step, start: start, end: end)
    }

    /// The pixel position of `value` (values outside the domain map outside the range).
    func position(_ value: Double) -> Double {
        let t: Double
        if logarithmic {
            t = (log10(max(value, .leastNormalMagnitude)) - log10(lower)) / (log10(upper) - log10(lower))
        } else {
            t = (value - lower) / (upper - lower)
        }
        return start + t * (end - start)
    }

    /// "Nice" tick values inside the domain: about five steps of 1, 2 or 5 × 10^k on a linear scale;
    /// powers of ten (with 2× and 5× multiples when powers alone give fewer than four ticks) on a log
    /// scale.
    func ticks() -> [Double] {
        if logarithmic {
            let low = Int(log10(lower).rounded(.down)), high = Int(log10(upper).rounded(.up))
            let (from, to) = (lower * (1 - 1e-9), upper * (1 + 1e-9))
            func ticks(_ multiples: [Double]) -> [Double] {
                var result: [Double] = []
                for exponent in low...high {
                    let power: Double = pow(10, Double(exponent))
                    for multiple in multiples where multiple * power >= from && multiple * power <= to {
                        result.append(multiple * power)
                    }
                }
                return result
            }
            let powers = ticks([1])
            return powers.count >= 4 ? powers : ticks([1, 2, 5])
        }
        let (mantissa, exponent) = Self.niceStepParts((upper - lower) / 5, rounding: true)
        let step = mantissa * pow(10, Double(exponent))
        // k × mantissa / 10^-exponent is exact for the tick values we print (0.6, not 0.6000000000000001).
        let scale: Double = pow(10, Double(abs(exponent)))
        let value = { (k: Double) -> Double in
            let units: Double = k * mantissa
            return exponent < 0 ? units / scale : units * scale
        }
        var k = (lower / step).rounded(.up)
        var ticks: [Double] = []
        while value(k) <= upper + step * 1e-9, ticks.count < 50 {
            ticks.append(value(k) == 0 ? 0 : value(k))
            k += 1
        }
        return ticks
    }

    /// The tick label of `value`: as few decimals as the tick spacing needs; exponents for very large or
    /// small magnitudes on a log scale.
    func label(_ value: Double) -> String {
        if logarithmic {
            let magnitude = abs(value)
            if magnitude >= 1e5 || (magnitude > 0 && magnitude < 1e-3) {
                let exponent = Int(log10(magnitude).rounded(.down))
                let mantissa = value / pow(10, Double(exponent))
                let head = abs(mantissa - 1) < 1e-9 ? "" : DecimalFormatting.fixed(mantissa, decimals: 0) + "×"
                return "\(head)1e\(exponent)"
            }
            let decimals = magnitude >= 1 ? 0 : Int((-log10(magnitude)).rounded(.up))
            return DecimalFormatting.fixed(value, decimals: decimals)
        }
        let exponent = Self.niceStepParts((upper - lower) / 5, rounding: true).exponent
        let decimals = max(0, -exponent)
        return DecimalFormatting.fixed(value, decimals: min(decimals, 10))
    }

    /// 1, 2 or 5 × 10^k, the smallest such value not below `rough`.
    static func niceStep(_ rough: Double) -> Double {
        let (mantissa, exponent) = niceStepParts(rough, rounding: false)
        return mantissa * pow(10, Double(exponent))
    }

    /// A "nice" step (Heckbert) as mantissa (1, 2 or 5) and power of ten: the smallest one not below
    /// `rough`, or with `rounding` the nearest one (mantissa < 1.5 → 1, < 3 → 2, < 7 → 5, else 10).
    static func niceStepParts(_ rough: Double, rounding: Bool) -> (mantissa: Double, exponent: Int) {
        guard rough.isFinite, rough > 0 else { return (1, 0) }
        var exponent = Int(log10(rough).rounded(.down))
        let fraction = rough / pow(10, Double(exponent))
        let mantissa: Double
        if rounding {
            mantissa = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        } else {
            mantissa = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        }
        if mantissa == 10 {
            exponent += 1
            return (1, exponent)
        }
        return (mantissa, exponent)
    }
}
