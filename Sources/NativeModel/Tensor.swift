/// A dense, row-major array of `Float` that owns its memory: weights, activations, gradients.
///
/// A reference type on purpose: weights are shared between a model and its views without copies.
/// It is not synchronised; one writer at a time.
public final class Tensor: @unchecked Sendable {
    /// The extent of each dimension, outermost first.
    public let shape: [Int]
    /// The number of elements (the product of `shape`).
    public let count: Int
    /// The first element. Valid for `count` elements while the tensor lives.
    public let pointer: UnsafeMutablePointer<Float>
    /// The buffer's size when it came from `pool` (and goes back there), else 0.
    private let cachedCapacity: Int

    /// A zero-filled tensor of the given shape.
    public init(zeros shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative tensor dimension in \(shape)")
        self.shape = shape
        self.count = shape.reduce(1, *)
        self.pointer = .allocate(capacity: max(count, 1))
        self.cachedCapacity = 0
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    /// A tensor whose elements are not initialised: for activations and scratch that are written
    /// before they are read. A large one reuses the memory of an earlier one (`pool`).
    public init(uninitialized shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative tensor dimension in \(shape)")
        self.shape = shape
        self.count = shape.reduce(1, *)
        if count >= Self.pooledCount {
            let buffer = Self.pool.take(count)
            self.pointer = buffer.baseAddress!
            self.cachedCapacity = buffer.count
        } else {
            self.pointer = .allocate(capacity: max(count, 1))
            self.cachedCapacity = 0
        }
    }

    /// A tensor holding `values`, which must have exactly the product of `shape` elements.
    public convenience init(shape: [Int], values: [Float]) {
        self.init(zeros: shape)
        precondition(values.count == count, "\(values.count) values for shape \(shape)")
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: count) }
    }

    deinit {
        if cachedCapacity > 0 {
            Self.pool.give(UnsafeMutableBufferPointer(start: pointer, count: cachedCapacity))
        } else {
            pointer.deallocate()
        }
    }

    /// Memory of large uninitialised tensors kept for the next ones. A forward pass allocates its
    /// activations and logits anew for every batch (the ~110M model's logits for 4 × 256 tokens are
    /// 131 MB); buffers that large come from `mmap`, so each batch would page-fault and zero them
    /// again, page by page: measured at 5–9% of a forward pass on Zen 4. At most 512 MiB are kept.
    static let pool = ScratchPool(limit: .max, maximumBytes: 512 << 20, loosestFit: 2)
    /// Elements from which an uninitialised tensor takes its memory from `pool` (1 MiB of floats).
    static let pooledCount = 1 << 18

    /// The elements as a buffer.
    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: pointer, count: count) }

    /// A copy of the elements as an array.
    public var values: [Float] { Array(buffer) }

    /// A deep copy.
    public func copy() -> Tensor {
        let t = Tensor(zeros: shape)
        t.pointer.update(from: pointer, count: count)
        return t
    }

    /// Sets every element to zero.
    public func zero() { pointer.update(repeating: 0, count: count) }
}
