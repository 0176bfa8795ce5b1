import Foundation

/// A candidate whose external trainer failed (`training.trainer: command`): the run reports it
/// (`report.md`, an `error` element in `junit.xml`) and goes on with the other candidates; running
/// the spec again retries only the failed ones.
public struct TrainingFailure: Codable, Equatable, Sendable {
    public var regime: String
    public var seed: UInt64
    /// The trainer's exit status (0 when it exited cleanly but left no usable output).
    public var exitCode: Int32
    /// One line: what went wrong.
    public var message: String
    /// The trainer's log, relative to the run directory.
    public var log: String
    /// The last lines the trainer printed.
    public var lastLines: [String]
}
