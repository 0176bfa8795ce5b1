/// The size of a chart's canvas in SVG user units (pixels at 100% zoom). The SVG's `viewBox` is
/// `0 0 width height`, so it scales to any display size.
public struct ChartSize: Sendable, Codable, Hashable {
    /// The canvas width (at least 320).
    public var width: Double
    /// The canvas height (at least 240).
    public var height: Double

    /// A canvas of `width` × `height` (default 800 × 480), clamped to the minimum size.
    public init(width: Double = 800, height: Double = 480) {
        self.width = max(320, width.isFinite ? width : 800)
        self.height = max(240, height.isFinite ? height : 480)
    }
}
