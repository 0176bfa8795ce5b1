import XCTest
@testable import Server

final class ServerPlaceholderTests: XCTestCase {}
