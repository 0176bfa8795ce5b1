import Foundation
@testable import Sandbox
import TestSupport
import XCTest

/// Paths and helpers the sandbox tests share.
enum SandboxPaths {
    /// The repository root, from this file's location.
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// `../shared` beside the repository (it need not exist: writing there must fail either way).
    static let shared = repository.appendingPathComponent("../shared").standardized
}

extension XCTestCase {
    /// A confined sandbox with short limits and a label unique to the test, so that leftover
    /// processes can be found. Where bubblewrap cannot work, Linux fails (unless FORGETBENCH_SKIP_SANDBOX_TESTS is set) and other systems skip.
    func makeSandbox(workers: Int = 2, wallSeconds: Double = 1.5, cpuSeconds: Int = 5, outputBytes: Int = 1 << 20,
                     confinement: SandboxConfiguration.Confinement = .bubblewrap) throws -> Sandbox {
        let label = "fb-sandbox-test-\(UUID().uuidString.prefix(8))"
        let limits = ResourceLimits(wallSeconds: wallSeconds, cpuSeconds: cpuSeconds, memoryBytes: 512 << 20, outputBytes: outputBytes)
        let sandbox = try Sandbox(configuration: SandboxConfiguration(confinement: confinement, workers: workers, limits: limits, label: label))
        try SandboxRequirement.check(sandbox.checkAvailable)
        return sandbox
    }

    /// Fails when any process of `sandbox` is still alive (or a zombie), or a working directory
    /// of the unconfined mode is left in the temporary folder.
    func assertNothingLeft(_ sandbox: Sandbox, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(ProcessTable.processes(containing: sandbox.configuration.label), [], "processes left behind", file: file, line: line)
        if let ids = sandbox.slotUserIDs {
            XCTAssertEqual(ProcessTable.processes(ownedBy: Set(ids)), [], "processes of the sandbox users left behind", file: file, line: line)
        }
        let scratch = (try? FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory())) ?? []
        XCTAssertEqual(scratch.filter { $0.hasPrefix("forgetbench-sandbox-") }, [], "working directories left behind", file: file, line: line)
    }
}
