/// Where JSON text stops being valid JSON: the 1-based line and column (in bytes) and what was
/// expected there.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var message: String

    public var description: String { "line \(line), column \(column): \(message)" }
}
