import Foundation

/// Progress on stderr: a redrawn bar on a terminal, a line every few seconds otherwise.
public final class ProgressLine: @unchecked Sendable {
    public let label: String
    public let total: Int
    private let started = Date()
    private var lastPrint = Date.distantPast
    private var lastDone = -1
    private let isTerminal = isatty(STDERR_FILENO) != 0

    public init(label: String, total: Int) {
        self.label = label
        self.total = total
    }

    private var done = 0

    /// Reports `count` more units finished.
    public func advance(by count: Int) { advance(to: done + count) }

    /// Reports `done` of `total` units finished.
    public func advance(to done: Int) {
        self.done = done
        guard done != lastDone else { return }
        let now = Date()
        // Off a terminal: a line every 5 seconds from the start, and the last one.
        if !isTerminal && done < total && now.timeIntervalSince(lastPrint == .distantPast ? started : lastPrint) < 5 { return }
        guard now.timeIntervalSince(lastPrint) >= (isTerminal ? 0.1 : 5) || done == total else { return }
        guard now.timeIntervalSince(started) > 1 || !isTerminal else { return }
        // Off a terminal, a line at the start says nothing the caller's own line did not.
        guard done > 0 || isTerminal else { return }
        lastPrint = now
        lastDone = done
        let elapsed = now.timeIntervalSince(started)
        let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
        let fraction = total > 0 ? Double(done) / Double(total) : 1
        if isTerminal {
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(done)/\(total) ETA \(Int(eta))s ".utf8))
        } else {
            FileHandle.standardError.write(Data("\(label): \(done)/\(total) (\(Int(fraction * 100))%), ETA \(Int(eta))s\n".utf8))
        }
    }

    /// Ends the bar's current line on a terminal, so the caller can print a line; the next
    /// `advance` draws the bar again below it.
    public func pause() {
        if isTerminal && lastPrint != .distantPast { FileHandle.standardError.write(Data("\n".utf8)) }
        lastPrint = .distantPast
    }

    /// Ends the bar's line on a terminal.
    public func finish() {
        if isTerminal && Date().timeIntervalSince(started) > 1 { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
