/// The limits every program runs under. The rlimits are set as hard limits inside the sandbox
/// before the program starts, so the program cannot raise them.
public struct ResourceLimits: Codable, Hashable, Sendable {
    /// Wall-clock seconds from spawn until the whole process tree is killed (> 0).
    public var wallSeconds: Double
    /// CPU seconds (`RLIMIT_CPU`), for the program's process (≥ 1).
    public var cpuSeconds: Int
    /// Bytes of address space (`RLIMIT_AS`) of each process. Python needs about 30 MB to start.
    public var memoryBytes: Int
    /// Largest file the program may write, in bytes (`RLIMIT_FSIZE`).
    public var fileSizeBytes: Int
    /// Processes (and threads) the program may create beyond itself (`RLIMIT_NPROC`, ≥ 0).
    public var processes: Int
    /// Open file descriptors (`RLIMIT_NOFILE`, ≥ 8).
    public var openFiles: Int
    /// Bytes of stdout and stderr together before the program is killed (≥ 1).
    public var outputBytes: Int
    /// Size of the program's fresh working directory (a tmpfs), in bytes.
    public var scratchBytes: Int

    /// The defaults: 10 s of CPU (the paper's MBPP timeout) and 20 s of wall-clock time (a
    /// program that sleeps or blocks; twice the CPU limit, so that a busy machine running many
    /// programs at once does not time out a correct but slow one, such as MBPP 123's canonical
    /// solution, 3 s of CPU), 512 MiB of address space per process, 16 MiB files, 4 processes
    /// besides the program, 64 open files, 1 MiB of output, a 64 MiB working directory.
    ///
    /// Memory is bounded per process (there is no cgroup): a program that forks can hold at most
    /// (processes + 1) × memoryBytes, 2.5 GiB with the defaults, per worker.
    public init(wallSeconds: Double = 20, cpuSeconds: Int = 10, memoryBytes: Int = 512 << 20, fileSizeBytes: Int = 16 << 20,
                processes: Int = 4, openFiles: Int = 64, outputBytes: Int = 1 << 20, scratchBytes: Int = 64 << 20) {
        self.wallSeconds = wallSeconds
        self.cpuSeconds = cpuSeconds
        self.memoryBytes = memoryBytes
        self.fileSizeBytes = fileSizeBytes
        self.processes = processes
        self.openFiles = openFiles
        self.outputBytes = outputBytes
        self.scratchBytes = scratchBytes
    }

    /// Checks the ranges. - Throws: `SandboxError.invalidConfiguration` naming the first bad value.
    public func validate() throws(SandboxError) {
        if !(wallSeconds > 0) || !wallSeconds.isFinite { throw .invalidConfiguration("the wall-clock limit must be a positive number of seconds, got \(wallSeconds)") }
        if cpuSeconds < 1 { throw .invalidConfiguration("the CPU limit must be at least 1 second, got \(cpuSeconds)") }
        if memoryBytes < 64 << 20 { throw .invalidConfiguration("the memory limit must be at least 64 MiB (Python needs about 30 MB to start), got \(memoryBytes) bytes") }
        if fileSizeBytes < 0 { throw .invalidConfiguration("the file size limit must not be negative, got \(fileSizeBytes)") }
        if processes < 0 { throw .invalidConfiguration("the process limit must not be negative, got \(processes)") }
        if openFiles < 8 { throw .invalidConfiguration("the open-file limit must be at least 8, got \(openFiles)") }
        if outputBytes < 1 { throw .invalidConfiguration("the output cap must be at least 1 byte, got \(outputBytes)") }
        if scratchBytes < 1 << 20 { throw .invalidConfiguration("the working directory must be at least 1 MiB, got \(scratchBytes) bytes") }
    }
}
