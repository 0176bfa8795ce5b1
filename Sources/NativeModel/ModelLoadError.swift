/// A checkpoint that cannot be used. Its description is one line: the file, then the problem.
public struct ModelLoadError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file or directory at fault.
    public var path: String
    /// What is wrong, in words, with what was expected.
    public var problem: String

    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(path): \(problem)" }
}
