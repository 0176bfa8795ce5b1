import Foundation

/// Large float buffers kept after their tensor is gone, for the next tensor of about the same size.
///
/// A forward pass allocates its activations and logits anew for every batch (the ~110M model's
/// logits for 4 × 256 tokens are 131 MB). Buffers that large come from `mmap`, so each batch would
/// page-fault and zero them again, page by page: measured at 5–9% of a forward pass on Zen 4. Only
/// uninitialised tensors of at least `minimumCount` elements take part; at most `capacityBytes` are
/// kept, the least recently given back freed first. Thread-safe.
final class LargeBufferCache: @unchecked Sendable {
    static let shared = LargeBufferCache()

    /// Elements below which a tensor allocates normally (1 MiB of floats).
    static let minimumCount = 1 << 18
    /// Bytes kept at most.
    let capacityBytes: Int

    private let lock = NSLock()
    private var kept: [UnsafeMutableBufferPointer<Float>] = []
    private var keptBytes = 0

    init(capacityBytes: Int = 512 << 20) { self.capacityBytes = capacityBytes }

    /// A buffer of at least `count` floats (and at most twice that, so that a small tensor does not
    /// hold a large buffer), reused when one is kept, else newly allocated.
    func take(_ count: Int) -> UnsafeMutableBufferPointer<Float> {
        lock.lock()
        if let i = kept.lastIndex(where: { $0.count >= count && $0.count <= 2 * count }) {
            let buffer = kept.remove(at: i)
            keptBytes -= buffer.count * MemoryLayout<Float>.stride
            lock.unlock()
            return buffer
        }
        lock.unlock()
        return .allocate(capacity: count)
    }

    /// Keeps `buffer` for reuse, freeing the oldest kept buffers beyond the capacity.
    func give(_ buffer: UnsafeMutableBufferPointer<Float>) {
        let bytes = buffer.count * MemoryLayout<Float>.stride
        guard bytes <= capacityBytes else { return buffer.deallocate() }
        lock.lock()
        kept.append(buffer)
        keptBytes += bytes
        var freed: [UnsafeMutableBufferPointer<Float>] = []
        while keptBytes > capacityBytes {
            let oldest = kept.removeFirst()
            keptBytes -= oldest.count * MemoryLayout<Float>.stride
            freed.append(oldest)
        }
        lock.unlock()
        for b in freed { b.deallocate() }
    }

    /// The number of buffers kept now (for tests).
    var keptCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return kept.count
    }
}
