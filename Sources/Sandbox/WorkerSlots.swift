import Foundation

/// A fixed set of worker slots: a program runs only while it holds one, so at most `count` run at
/// once whoever calls. When running as root each slot has its own unprivileged user id, so the
/// process limit (counted per user by the kernel) of one program cannot starve another.
final class WorkerSlots: @unchecked Sendable {
    private let condition = NSCondition()
    private var free: [Int]

    init(count: Int) {
        free = Array((0 ..< count).reversed())
    }

    /// Blocks the calling thread until a slot is free; returns its index.
    func acquire() -> Int {
        condition.lock()
        defer { condition.unlock() }
        while free.isEmpty { condition.wait() }
        return free.removeLast()
    }

    func release(_ slot: Int) {
        condition.lock()
        free.append(slot)
        condition.signal()
        condition.unlock()
    }
}
