import ArgumentParser
import Foundation
import Sandbox

/// How code-execution tasks (mbpp, humaneval) run the model's programs.
struct CodeExecutionOptions: ParsableArguments {
    @Option(name: .customLong("code-workers"), help: ArgumentHelp(
        "Programs of code-execution tasks run at the same time (default: the number of cores).", valueName: "n"))
    var workers: Int?

    @Option(name: .customLong("code-timeout"), help: ArgumentHelp(
        "CPU seconds each program may use (default 10); its wall-clock deadline, when its whole process tree is killed, is twice that.", valueName: "seconds"))
    var timeout: Double?

    @Flag(name: .customLong("unsafe-run-code-unconfined"), help: ArgumentHelp(
        "Run model-written programs WITHOUT the bubblewrap sandbox, on this machine as this user (only the rlimits, a clean environment and the deadline apply): for machines where namespaces cannot be created. The programs can read and write your files and reach the network."))
    var unconfined = false

    func validate() throws {
        if let workers, workers < 1 || workers > 256 { throw ValidationError("--code-workers must be between 1 and 256, got \(workers)") }
        if let timeout, !(timeout > 0) || timeout > 3600 { throw ValidationError("--code-timeout must be a number of seconds in (0, 3600], got \(timeout)") }
    }

    /// The sandbox these options describe (not yet checked: the pipeline checks it when a task needs it).
    func sandbox() throws -> Sandbox {
        var limits = ResourceLimits()
        if let timeout {
            limits.cpuSeconds = max(1, Int(timeout.rounded(.up)))
            limits.wallSeconds = 2 * timeout
        }
        if unconfined {
            FileHandle.standardError.write(Data("warning: --unsafe-run-code-unconfined: model-written programs run on this machine without a sandbox\n".utf8))
        }
        return try Sandbox(configuration: SandboxConfiguration(confinement: unconfined ? .unconfined : .bubblewrap, workers: workers, limits: limits))
    }
}
