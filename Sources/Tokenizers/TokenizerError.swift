/// An error loading a tokenizer file. Its description is one line naming the file and the problem.
public struct TokenizerError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file that could not be used.
    public var path: String
    /// What is wrong with it, in words.
    public var problem: String

    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(path): \(problem)" }
}
