import ArgumentParser
import Foundation
import NativeModel

/// Runs the command line, mapping every failure to one `error:` line on stderr and the exit codes of
/// DESIGN.md: 0 success, 1 usage/input/runtime error (2 and 3 are gate outcomes, set by commands).
func runCommandLine() async -> Int32 {
    do {
        var command = try ForgetBench.parseAsRoot()
        if var asyncCommand = command as? AsyncParsableCommand {
            try await asyncCommand.run()
        } else {
            try command.run()
        }
        return 0
    } catch let exit as CommandExit {
        return exit.code
    } catch {
        let code = ForgetBench.exitCode(for: error)
        if code == .success {
            print(ForgetBench.fullMessage(for: error))
            return 0
        }
        if error is CleanExit || String(describing: type(of: error)).contains("ValidationError") || code == .validationFailure {
            FileHandle.standardError.write(Data((ForgetBench.fullMessage(for: error) + "\n").utf8))
        } else {
            FileHandle.standardError.write(Data("error: \(String(describing: error))\n".utf8))
        }
        return 1
    }
}

BLASKernelCheck.reexecuteWithFasterKernelsIfNeeded()
exit(await runCommandLine())
