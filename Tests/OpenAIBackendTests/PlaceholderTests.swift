import XCTest
@testable import OpenAIBackend

final class OpenAIBackendPlaceholderTests: XCTestCase {}
