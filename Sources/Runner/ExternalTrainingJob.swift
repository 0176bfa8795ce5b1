import Foundation
import Harness

/// Fine-tuning by an external program (``TrainerCommand``): ForgetBench writes the settings
/// (`OUTPUT/trainer-settings.json`), runs the command with its output appended to
/// `OUTPUT/trainer.log`, checks the adapter or model the trainer left in `OUTPUT`, and records the
/// summary (`OUTPUT/training.json`, last, with the command and its exit status) so that a finished
/// job is not run again.
public struct ExternalTrainingJob {
    public var command: TrainerCommand
    public var settings: ExternalTrainerSettings
    /// The masked training set (`forgetbench mask`'s JSONL, with its manifest beside it).
    public var data: URL
    /// The base model as the trainer should load it (`{base}`).
    public var base: String
    /// Processes to launch (`{gpus}`).
    public var processes: Int = 1
    /// The trainer's working directory (default: the current one).
    public var workingDirectory: URL?
    /// Called with each line the trainer prints.
    public var line: (String) -> Void = { _ in }

    public init(command: TrainerCommand, settings: ExternalTrainerSettings, data: URL, base: String) {
        self.command = command
        self.settings = settings
        self.data = data
        self.base = base
    }

    /// Runs the trainer into `output` and returns its summary.
    /// - Throws: ``ExternalTrainerError`` when the trainer fails or leaves no usable output.
    public func run(output: URL) throws -> FineTuningSummary {
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let settingsURL = output.appendingPathComponent("trainer-settings.json")
        try settings.write(to: settingsURL)
        let summaryURL = output.appendingPathComponent("training.json")
        try? FileManager.default.removeItem(at: summaryURL)
        let arguments = command.arguments(data: data.path, settings: settingsURL.path, base: base, output: output.path, gpus: processes)
        let log = output.appendingPathComponent("trainer.log")
        let started = Date()
        let outcome = try TrainerCommand.run(arguments: arguments, in: workingDirectory, log: log, line: line)
        guard outcome.exitCode == 0 else {
            try? FileManager.default.removeItem(at: summaryURL)   // a failed job must not look finished
            throw ExternalTrainerError(exitCode: outcome.exitCode, problem: "the trainer exited with status \(outcome.exitCode)", log: log.path,
                                       lastLines: outcome.lastLines)
        }
        if let missing = TrainerCommand.missingOutput(in: output) {
            throw ExternalTrainerError(exitCode: 0, problem: "the trainer exited with status 0 but \(missing)", log: log.path, lastLines: outcome.lastLines)
        }
        // The trainer's own summary when it wrote one (integrations/hf/train.py does), else what is known here.
        var summary = FileManager.default.contents(atPath: summaryURL.path).flatMap { try? RunDirectory.decoder().decode(FineTuningSummary.self, from: $0) }
            ?? FineTuningSummary(examples: 0, truncatedExamples: 0, steps: 0, finalLoss: .nan, trainedTokens: 0,
                                 method: settings.method, seconds: Date().timeIntervalSince(started), resumed: false)
        summary.trainerCommand = arguments
        summary.trainerExitCode = outcome.exitCode
        try AtomicFile.write(try RunDirectory.json(summary), to: summaryURL)
        return summary
    }
}

/// An external trainer that failed: its exit status, what went wrong, where its log is and the
/// last lines it printed. The description is one line plus those lines, indented.
public struct ExternalTrainerError: Error, CustomStringConvertible, Sendable {
    public var exitCode: Int32
    public var problem: String
    public var log: String
    public var lastLines: [String]

    public var description: String {
        let tail = lastLines.suffix(5).filter { !$0.isEmpty }.map { "  | \($0)" }.joined(separator: "\n")
        return "\(problem) (log: \(log))" + (tail.isEmpty ? "" : "\n" + tail)
    }
}
