import Foundation

/// Runs a program to its end with its standard output and standard error in one pipe, as
/// the tests that run external tools (Python, xmllint, a test binary under other settings) read them.
public enum CombinedOutput {
    /// Runs `executable` with `arguments`, in the test process's environment with `environment`
    /// added (its values win); returns the exit status and everything the program printed.
    public static func run(_ executable: URL, _ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}
