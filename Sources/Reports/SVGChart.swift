import Foundation

/// A chart rendered as a self-contained SVG file: a `viewBox` so it scales, system fonts, a white
/// background, no scripts and no external resources (it displays on GitHub, in browsers and in
/// Markdown via ``MarkdownDocument/image(alt:path:title:)``).
///
/// The SVG is built as a FoundationXML tree, so every label is escaped by the XML library. Elements
/// carry classes that tests and stylesheets can select: `x-axis`, `y-axis`, `tick-label`,
/// `axis-label`, `legend-entry`, `point`, `point-label`, `pareto-front`, `bar`, `threshold`.
public enum SVGChart: Sendable, Codable, Hashable {
    /// A scatter plot with labelled points and a marked Pareto front.
    case scatter(ScatterChart)
    /// A histogram of overlaid series with an optional threshold line.
    case histogram(HistogramChart)

    /// The chart as UTF-8 SVG (an XML document).
    public func svgData() -> Data {
        switch self {
        case let .scatter(chart): chart.svgData()
        case let .histogram(chart): chart.svgData()
        }
    }

    /// The chart as an SVG string.
    public func svgString() -> String {
        String(decoding: svgData(), as: UTF8.self)
    }

    /// Writes the SVG to `url` atomically (temporary file, then rename), creating missing directories.
    ///
    /// - Throws: ``ReportsError/writeFailed(path:reason:)`` if the file cannot be written.
    public func write(to url: URL) throws {
        try AtomicFileWriter.write(svgData(), to: url)
    }
}
