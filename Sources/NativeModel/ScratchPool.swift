import Foundation

/// Float buffers reused between calls of a hot kernel, so that a large scratch buffer is not
/// allocated, page-faulted and zeroed by the system on every call. Thread-safe: each caller takes a
/// buffer of its own and gives it back.
final class ScratchPool: @unchecked Sendable {
    private let lock = NSLock()
    private var free: [UnsafeMutableBufferPointer<Float>] = []
    /// Buffers kept for reuse at most (about one per concurrent caller).
    private let limit: Int

    init(limit: Int = 8) { self.limit = limit }

    /// Runs `body` with at least `count` floats of uninitialised scratch memory.
    func withBuffer<R>(count: Int, _ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        let buffer = take(count)
        defer { give(buffer) }
        return try body(buffer.baseAddress!)
    }

    private func take(_ count: Int) -> UnsafeMutableBufferPointer<Float> {
        lock.lock()
        if let i = free.lastIndex(where: { $0.count >= count }) {
            let buffer = free.remove(at: i)
            lock.unlock()
            return buffer
        }
        lock.unlock()
        return .allocate(capacity: max(count, 1))
    }

    private func give(_ buffer: UnsafeMutableBufferPointer<Float>) {
        lock.lock()
        defer { lock.unlock() }
        if free.count < limit {
            free.append(buffer)
        } else if let smallest = free.indices.min(by: { free[$0].count < free[$1].count }), free[smallest].count < buffer.count {
            free[smallest].deallocate()
            free[smallest] = buffer
        } else {
            buffer.deallocate()
        }
    }
}
