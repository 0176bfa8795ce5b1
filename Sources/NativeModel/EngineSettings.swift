import Foundation

/// Process-wide settings of the built-in engine.
///
/// Results never depend on these: every forward pass is batch-invariant (`InvariantGEMM`) and every
/// parallel split is set by the shape of the work, not by the number of threads.
public enum EngineSettings {
    nonisolated(unsafe) private static var threads = defaultThreadCount()

    /// Sets the threads the engine's matrix products and parallel loops use; at least 1.
    public static func setThreadCount(_ count: Int) { threads = max(1, count) }

    /// The threads the engine's matrix products and parallel loops use: `FORGETBENCH_THREADS` when
    /// set to a positive integer, else every active core.
    public static var threadCount: Int { threads }

    /// The BLAS kernel set in use (OpenBLAS's core name, such as "Haswell" or "SkylakeX").
    public static var blasKernel: String { BLAS.kernelName }

    static func defaultThreadCount(environment: [String: String] = ProcessInfo.processInfo.environment) -> Int {
        if let value = environment["FORGETBENCH_THREADS"], let count = Int(value), count > 0 { return count }
        return ProcessInfo.processInfo.activeProcessorCount
    }
}
