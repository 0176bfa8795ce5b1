import Foundation
// Its helpers are called unqualified: this target's own `TestSupport` enum hides the module's name.
import TestSupport
import XCTest

/// Paths and tools the Reports tests need.
enum TestSupport {
    /// The repository root: the first directory above this file that holds `Package.swift` (symlinks
    /// resolved, so a throwaway package that links `Tests/ReportsTests` still finds the real root).
    static var repositoryRoot: URL? {
        var directory = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path),
               FileManager.default.fileExists(atPath: directory.appendingPathComponent("Tests/Fixtures").path) {
                return directory
            }
            directory.deleteLastPathComponent()
        }
        return nil
    }

    /// `FORGETBENCH_SHARED` if set, otherwise `../shared` next to the repository root.
    static var sharedDirectory: URL? {
        if let path = ProcessInfo.processInfo.environment["FORGETBENCH_SHARED"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return repositoryRoot?.deletingLastPathComponent().appendingPathComponent("shared")
    }

    /// `Tests/Fixtures/reports/<path>`.
    static func fixture(_ path: String) throws -> URL {
        guard let root = repositoryRoot else { throw XCTSkip("repository root not found from \(#filePath)") }
        return root.appendingPathComponent("Tests/Fixtures/reports").appendingPathComponent(path)
    }

    /// The JUnit schema and the xmllint executable, or an `XCTSkip` naming what is missing.
    static func junitSchemaAndXmllint() throws -> (schema: URL, xmllint: URL) {
        guard let shared = sharedDirectory else { throw XCTSkip("shared directory not found; set FORGETBENCH_SHARED") }
        let schema = shared.appendingPathComponent("schemas/junit-10.xsd")
        guard FileManager.default.fileExists(atPath: schema.path) else { throw XCTSkip("no schema at \(schema.path)") }
        let searchPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in searchPath.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin", "/opt/homebrew/bin"] {
            let candidate = URL(fileURLWithPath: directory).appendingPathComponent("xmllint")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return (schema, candidate) }
        }
        throw XCTSkip("xmllint not installed (Debian: libxml2-utils)")
    }

    /// Runs `xmllint --noout --schema schema file`; returns its exit status and combined output.
    static func validate(_ file: URL, schema: URL, xmllint: URL) throws -> (status: Int32, output: String) {
        try CombinedOutput.run(xmllint, ["--noout", "--schema", schema.path, file.path])
    }

    /// A fresh temporary directory, removed when the test ends.
    static func temporaryDirectory(_ testCase: XCTestCase) throws -> URL {
        try testCase.scratchDirectory(prefix: "ReportsTests")
    }
}
