import Foundation
import XCTest

/// Paths the tests read, derived from this file's location (no bundle resources needed).
enum TestPaths {
    /// The repository root (two levels above `Tests/TokenizersTests`).
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `Tests/Fixtures/tokenizers/<name>`.
    static func fixture(_ name: String) -> URL {
        repositoryRoot.appendingPathComponent("Tests/Fixtures/tokenizers").appendingPathComponent(name)
    }

    /// The shared data folder: `$FORGETBENCH_SHARED`, else `../shared` beside the repository.
    static var shared: URL {
        if let env = ProcessInfo.processInfo.environment["FORGETBENCH_SHARED"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        return repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared")
    }

    /// A file under the shared folder, or an `XCTSkip` when it is absent.
    static func sharedFile(_ relative: String) throws -> String {
        let url = shared.appendingPathComponent(relative)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw XCTSkip("shared file \(url.path) is absent; set FORGETBENCH_SHARED to the shared folder to run this test")
        }
        return url.path
    }

    /// A fresh temporary directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("forgetbench-tokenizers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
