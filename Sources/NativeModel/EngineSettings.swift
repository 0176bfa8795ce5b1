import Foundation

/// Process-wide settings of the built-in engine.
public enum EngineSettings {
    nonisolated(unsafe) private static var threads = ProcessInfo.processInfo.activeProcessorCount

    /// Sets the threads the engine's matrix products and parallel loops use; at least 1.
    public static func setThreadCount(_ count: Int) { threads = max(1, count) }

    /// The threads the engine's matrix products and parallel loops use (default: all cores).
    public static var threadCount: Int { threads }

    /// The BLAS kernel set in use (OpenBLAS's core name, such as "Haswell" or "SkylakeX").
    public static var blasKernel: String { BLAS.kernelName }
}
