import Foundation

/// Float buffers kept after use, for the next user that needs about as many: a hot kernel's scratch
/// (so that a large buffer is not allocated, page-faulted and zeroed by the system on every call)
/// and large uninitialised tensors (`Tensor.pool`). Thread-safe: each caller takes a buffer of its
/// own and gives it back. Beyond `limit` buffers or `maximumBytes`, the least recently given back
/// are freed first.
final class ScratchPool: @unchecked Sendable {
    private let lock = NSLock()
    private var free: [UnsafeMutableBufferPointer<Float>] = []
    private var freeBytes = 0
    /// Buffers kept at most (about one per concurrent caller).
    private let limit: Int
    /// Bytes kept at most.
    private let maximumBytes: Int
    /// A kept buffer serves a request only up to this many times its size (nil: any size), so that
    /// a small user does not hold a large buffer.
    private let loosestFit: Int?

    init(limit: Int = 8, maximumBytes: Int = .max, loosestFit: Int? = nil) {
        self.limit = limit
        self.maximumBytes = maximumBytes
        self.loosestFit = loosestFit
    }

    /// Runs `body` with at least `count` floats of uninitialised scratch memory.
    func withBuffer<R>(count: Int, _ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        let buffer = take(count)
        defer { give(buffer) }
        return try body(buffer.baseAddress!)
    }

    /// A buffer of at least `count` floats: the most recently kept one that fits, else a new one.
    func take(_ count: Int) -> UnsafeMutableBufferPointer<Float> {
        lock.lock()
        let most = loosestFit.map { $0 * count } ?? .max
        if let i = free.lastIndex(where: { $0.count >= count && $0.count <= most }) {
            let buffer = free.remove(at: i)
            freeBytes -= Self.bytes(buffer)
            lock.unlock()
            return buffer
        }
        lock.unlock()
        return .allocate(capacity: max(count, 1))
    }

    /// Keeps `buffer` for reuse, freeing the oldest kept buffers beyond the limits.
    func give(_ buffer: UnsafeMutableBufferPointer<Float>) {
        guard Self.bytes(buffer) <= maximumBytes else { return buffer.deallocate() }
        lock.lock()
        free.append(buffer)
        freeBytes += Self.bytes(buffer)
        var evicted: [UnsafeMutableBufferPointer<Float>] = []
        while free.count > limit || freeBytes > maximumBytes {
            let oldest = free.removeFirst()
            freeBytes -= Self.bytes(oldest)
            evicted.append(oldest)
        }
        lock.unlock()
        for b in evicted { b.deallocate() }
    }

    /// The number of buffers kept now (for tests).
    var keptCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return free.count
    }

    private static func bytes(_ buffer: UnsafeMutableBufferPointer<Float>) -> Int { buffer.count * MemoryLayout<Float>.stride }
}
