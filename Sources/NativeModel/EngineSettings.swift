/// Process-wide settings of the built-in engine.
public enum EngineSettings {
    /// Sets the threads used for matrix products (OpenBLAS); at least 1.
    public static func setThreadCount(_ count: Int) { BLAS.setThreadCount(count) }
    /// The threads used for matrix products.
    public static var threadCount: Int { BLAS.threadCount }
}
