import Foundation

/// A bounded, thread-safe cache from a word to its token ids.
final class WordCache: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [ExactString: [Int32]] = [:]
    private let capacity: Int

    /// - Parameter capacity: entries kept before the cache is emptied and refilled.
    init(capacity: Int = 20_000) {
        self.capacity = capacity
    }

    func get(_ key: ExactString) -> [Int32]? {
        lock.lock()
        defer { lock.unlock() }
        return storage[key]
    }

    func set(_ key: ExactString, _ value: [Int32]) {
        lock.lock()
        defer { lock.unlock() }
        if storage.count >= capacity { storage.removeAll(keepingCapacity: true) }
        storage[key] = value
    }
}
