/// Arrows that tell the reader which way a metric is good, for table headers: `accuracy ↑`,
/// `perplexity ↓`.
public enum DirectionArrow {
    /// `↑` when higher values are better, `↓` when lower values are better.
    public static func arrow(higherIsBetter: Bool) -> String {
        higherIsBetter ? "↑" : "↓"
    }

    /// `name` followed by a space and its arrow: `accuracy ↑`.
    public static func label(_ name: String, higherIsBetter: Bool) -> String {
        "\(name) \(arrow(higherIsBetter: higherIsBetter))"
    }
}
