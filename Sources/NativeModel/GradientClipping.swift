/// Gradient-norm clipping as `torch.nn.utils.clip_grad_norm_` does it.
public enum GradientClipping {
    /// Scales every gradient by `maxNorm / (total + 1e-6)` when that is below 1, where `total` is the
    /// L2 norm over all gradients together (a tied embedding counts once); returns `total`, the norm
    /// before clipping. `maxNorm` must be positive.
    @discardableResult
    public static func clip(_ gradients: Gradients, maxNorm: Double) -> Double {
        clip(gradients.namedTensors.map(\.1), maxNorm: maxNorm)
    }

    /// The same over a list of tensors (each distinct tensor counted and scaled once).
    @discardableResult
    public static func clip(_ tensors: [Tensor], maxNorm: Double) -> Double {
        precondition(maxNorm > 0, "maxNorm must be positive")
        var seen = Set<ObjectIdentifier>()
        let unique = tensors.filter { seen.insert(ObjectIdentifier($0)).inserted }
        let total = globalNorm(unique)
        let coefficient = maxNorm / (total + 1e-6)
        if coefficient < 1 {
            let scale = Float(coefficient)
            let chunks = TensorChunks(counts: unique.map(\.count))
            Parallel.forEach(chunks.count) { c in
                let (t, range) = chunks[c]
                let p = unique[t].pointer
                for i in range { p[i] *= scale }
            }
        }
        return total
    }

    /// The L2 norm over all elements of `tensors` (each listed once), accumulated in Double.
    public static func globalNorm(_ tensors: [Tensor]) -> Double {
        let chunks = TensorChunks(counts: tensors.map(\.count))
        let partial = UnsafeMutablePointer<Double>.allocate(capacity: max(chunks.count, 1))
        defer { partial.deallocate() }
        Parallel.forEach(chunks.count) { c in
            let (t, range) = chunks[c]
            partial[c] = sumOfSquares(tensors[t].pointer + range.lowerBound, count: range.count)
        }
        var total = 0.0
        for c in 0 ..< chunks.count { total += partial[c] }
        return total.squareRoot()
    }

    /// Σ x², in blocks of 1024 summed as Float in 16 lanes, the blocks added in Double.
    static func sumOfSquares(_ x: UnsafePointer<Float>, count: Int) -> Double {
        var total = 0.0
        var start = 0
        while start < count {
            let end = min(start + 1024, count)
            var lanes = SIMD16<Float>()
            var i = start
            while i + 16 <= end {
                let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
                lanes += v * v
                i += 16
            }
            var block = Double(lanes.sum())
            while i < end { block += Double(x[i]) * Double(x[i]); i += 1 }
            total += block
            start = end
        }
        return total
    }
}

/// Splits tensors of the given element counts into contiguous chunks of at most `size` elements, for
/// parallel elementwise loops: chunk `c` is (tensor index, element range).
struct TensorChunks {
    private var items: [(Int, Range<Int>)] = []

    init(counts: [Int], size: Int = 1 << 16) {
        for (t, count) in counts.enumerated() {
            var start = 0
            while start < count {
                let end = min(start + size, count)
                items.append((t, start ..< end))
                start = end
            }
        }
    }

    var count: Int { items.count }
    subscript(c: Int) -> (Int, Range<Int>) { items[c] }
}
