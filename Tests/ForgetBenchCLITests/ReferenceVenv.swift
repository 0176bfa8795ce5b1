import Foundation
import XCTest

/// The Python venv with the reference peers (torch, transformers, peft) that `scripts/setup.sh
/// --for-tests` makes outside the repository: `FORGETBENCH_VENV`, default ~/.cache/forgetbench/venv.
enum ReferenceVenv {
    /// The venv's python, once it is known to import `modules`. Without it the calling test skips,
    /// saying why, except under CI (`CI` set, or `FORGETBENCH_REQUIRE_VENV`, which scripts/test
    /// sets), where it fails.
    static func python(importing modules: [String]) throws -> String {
        let environment = ProcessInfo.processInfo.environment
        let venv = environment["FORGETBENCH_VENV"]
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/forgetbench/venv").path
        let python = venv + "/bin/python"
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: python)
        probe.arguments = ["-c", "import " + modules.joined(separator: ", ")]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        let usable = (try? probe.run()).map { probe.waitUntilExit(); return probe.terminationStatus == 0 } ?? false
        if !usable {
            let reason = "no Python venv importing \(modules.joined(separator: ", ")) at \(venv) (scripts/setup.sh --for-tests makes it; or set FORGETBENCH_VENV)"
            if environment["CI"] != nil || environment["FORGETBENCH_REQUIRE_VENV"] != nil { XCTFail(reason) }
            throw XCTSkip(reason)
        }
        return python
    }
}
