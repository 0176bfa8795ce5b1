import Foundation
import XCTest

extension XCTestCase {
    /// A new empty directory named `PREFIX-UUID` under the system's temporary directory, removed
    /// with everything in it when the current test ends (called from `setUp`, when each test ends).
    public func scratchDirectory(prefix: String) throws -> URL {
        let url = try SharedFixtures.temporaryDirectory(prefix: prefix)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }
}
