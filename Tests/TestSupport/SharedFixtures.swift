import Foundation
import XCTest

/// Where the test targets find the repository's fixtures and `../shared` (models and goldens that
/// are not committed): one copy for every test target that needs them.
public enum SharedFixtures {
    /// The repository's root directory.
    public static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `Tests/Fixtures`.
    public static let fixtures = repositoryRoot.appendingPathComponent("Tests/Fixtures")

    /// `../shared` (or `$FORGETBENCH_SHARED`); skips the calling test when it is absent.
    public static func shared() throws -> URL {
        let url = ProcessInfo.processInfo.environment["FORGETBENCH_SHARED"].map(URL.init(fileURLWithPath:))
            ?? repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared")
        guard FileManager.default.fileExists(atPath: url.appendingPathComponent("models/stories260K/stories260K.bin").path) else {
            throw XCTSkip("../shared is not beside the repository (set FORGETBENCH_SHARED)")
        }
        return url
    }

    /// A new empty directory under the system's temporary directory, named `PREFIX-UUID`.
    public static func temporaryDirectory(prefix: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
