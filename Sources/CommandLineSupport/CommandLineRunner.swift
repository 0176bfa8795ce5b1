import ArgumentParser
import Foundation

/// Ends the process with a given exit code after the command has reported its outcome.
public struct CommandExit: Error {
    public var code: Int32
    public init(code: Int32) { self.code = code }
}

/// Runs a command line, mapping every failure to one `error:` line on stderr and the exit codes of
/// DESIGN.md: 0 success, 1 usage/input/runtime error (2 and 3 are gate outcomes, which commands
/// report by throwing ``CommandExit``).
/// - Parameters:
///   - root: the root command (`forgetbench`, or `forgetbench-serve`).
///   - arguments: the arguments after the program's name (default: the process's).
/// - Returns: the exit code.
public func runCommandLine<Root: ParsableCommand>(_ root: Root.Type, arguments: [String]? = nil) async -> Int32 {
    do {
        var command = try root.parseAsRoot(arguments)
        if var asyncCommand = command as? AsyncParsableCommand {
            try await asyncCommand.run()
        } else {
            try command.run()
        }
        return 0
    } catch let exit as CommandExit {
        return exit.code
    } catch {
        let code = root.exitCode(for: error)
        if code == .success {
            print(root.fullMessage(for: error))
            return 0
        }
        if error is CleanExit || String(describing: type(of: error)).contains("ValidationError") || code == .validationFailure {
            FileHandle.standardError.write(Data((root.fullMessage(for: error) + "\n").utf8))
        } else {
            FileHandle.standardError.write(Data("error: \(String(describing: error))\n".utf8))
        }
        return 1
    }
}
