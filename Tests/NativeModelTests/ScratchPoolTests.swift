@testable import NativeModel
import XCTest

final class ScratchPoolTests: XCTestCase {
    func testABufferGivenBackIsTakenAgainForATensorOfAboutItsSize() {
        let cache = ScratchPool(limit: .max, maximumBytes: 1 << 20, loosestFit: 2)
        let first = cache.take(1000)
        cache.give(first)
        XCTAssertEqual(cache.keptCount, 1)
        let again = cache.take(600)
        XCTAssertEqual(again.baseAddress, first.baseAddress, "600 floats fit a kept buffer of 1000")
        XCTAssertEqual(cache.keptCount, 0)
        cache.give(again)
        // Too small a request for the kept buffer (it would hold more than twice what it needs), and too large.
        let small = cache.take(400), large = cache.take(1001)
        XCTAssertNotEqual(small.baseAddress, first.baseAddress)
        XCTAssertNotEqual(large.baseAddress, first.baseAddress)
        XCTAssertEqual(cache.keptCount, 1)
        small.deallocate()
        large.deallocate()
    }

    func testTheCacheFreesItsOldestBuffersBeyondItsCapacity() {
        let cache = ScratchPool(limit: .max, maximumBytes: 3 * 1000 * 4, loosestFit: 2)
        let buffers = (0 ..< 4).map { _ in cache.take(1000) }
        for b in buffers { cache.give(b) }
        XCTAssertEqual(cache.keptCount, 3, "three buffers of 4000 bytes fit 12000 bytes")
        // The oldest given back went first: the three kept are the last three, newest taken first.
        XCTAssertEqual(cache.take(1000).baseAddress, buffers[3].baseAddress)
        XCTAssertEqual(cache.take(1000).baseAddress, buffers[2].baseAddress)
        XCTAssertEqual(cache.take(1000).baseAddress, buffers[1].baseAddress)
        // A buffer larger than the whole capacity is freed at once.
        cache.give(UnsafeMutableBufferPointer<Float>.allocate(capacity: 4000))
        XCTAssertEqual(cache.keptCount, 0)
    }

    func testLargeUninitialisedTensorsReuseTheMemoryOfEarlierOnes() {
        let count = Tensor.pooledCount
        var address: UnsafeMutablePointer<Float>?
        do {
            let t = Tensor(uninitialized: [2, count])
            address = t.pointer
            t.pointer[2 * count - 1] = 7
        }
        // The most recently kept buffer that fits (between one and two times the request) is taken.
        let again = Tensor(uninitialized: [count, 2])
        XCTAssertEqual(again.pointer, address)
        // Zeroed tensors do not take part: their memory comes zeroed from the system.
        let zeros = Tensor(zeros: [count])
        XCTAssertTrue(zeros.buffer.allSatisfy { $0 == 0 })
    }
}
