import XCTest
@testable import RunStore

final class RunStorePlaceholderTests: XCTestCase {}
