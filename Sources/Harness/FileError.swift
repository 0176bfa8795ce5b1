/// A file that cannot be used: the one error shape for bad input files (checkpoints, tokenizers,
/// JSON Lines datasets). Its description is one line: the file, the line when the problem is on
/// one, then what is wrong and what was expected.
public struct FileError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file or directory at fault.
    public var path: String
    /// The 1-based line the problem is on; 0 when it concerns the whole file.
    public var line: Int
    /// What is wrong, in words, with what was expected.
    public var problem: String

    public init(path: String, line: Int = 0, problem: String) {
        self.path = path
        self.line = line
        self.problem = problem
    }

    /// `PATH:LINE: problem`, or `PATH: problem` for a whole-file problem.
    public var description: String { line > 0 ? "\(path):\(line): \(problem)" : "\(path): \(problem)" }
}
