import Foundation
import XCTest

/// What a test that runs programs in the sandbox does where the sandbox cannot work.
public enum SandboxRequirement {
    /// Runs a sandbox's availability check (`sandbox.checkAvailable`). On Linux the sandbox must
    /// work (scripts/setup.sh installs bubblewrap): a failure is reported, not skipped, unless
    /// FORGETBENCH_SKIP_SANDBOX_TESTS is set. Other systems skip the calling test.
    public static func check(_ checkAvailable: () throws -> Void) throws {
        do {
            try checkAvailable()
        } catch {
            #if os(Linux)
            if ProcessInfo.processInfo.environment["FORGETBENCH_SKIP_SANDBOX_TESTS"] == nil { throw error }
            #endif
            throw XCTSkip("no sandbox here: \(error)")
        }
    }
}
