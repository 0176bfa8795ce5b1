import Foundation

/// Rotary position embedding (Su et al. 2021) in the Hugging Face "rotate half" layout: in each head,
/// element j and element j + headDim/2 form a pair rotated by angle `position * inverseFrequency[j]`.
struct RotaryEmbedding: Sendable {
    let headDim: Int
    /// One inverse frequency per pair, with any `rope_scaling` applied.
    let inverseFrequencies: [Double]

    init(config: TransformerConfig) {
        let dim = config.headDim
        headDim = dim
        var inv = (0 ..< dim / 2).map { 1 / pow(config.ropeTheta, Double(2 * $0) / Double(dim)) }
        switch config.ropeScaling {
        case nil: break
        case .linear(let factor):
            inv = inv.map { $0 / factor }
        case let .llama3(factor, low, high, original):
            // As transformers' `_compute_llama3_parameters`.
            let lowWavelength = Double(original) / low
            let highWavelength = Double(original) / high
            inv = inv.map { f in
                let wavelength = 2 * Double.pi / f
                if wavelength < highWavelength { return f }
                if wavelength > lowWavelength { return f / factor }
                let smooth = (Double(original) / wavelength - low) / (high - low)
                return (1 - smooth) * f / factor + smooth * f
            }
        }
        inverseFrequencies = inv
    }

    /// Fills `cos` and `sin` (each `positions.count × headDim/2`) for the given positions.
    func table(positions: [Int], cos: UnsafeMutablePointer<Float>, sin: UnsafeMutablePointer<Float>) {
        let half = headDim / 2
        for (r, p) in positions.enumerated() {
            for j in 0 ..< half {
                // Angles in Float, as PyTorch computes `positions * inv_freq` in float32.
                let angle = Float(p) * Float(inverseFrequencies[j])
                cos[r * half + j] = Foundation.cos(angle)
                sin[r * half + j] = Foundation.sin(angle)
            }
        }
    }

    /// Rotates `heads` heads of each of `rows` rows in place (row stride `stride`).
    static func apply(
        _ x: UnsafeMutablePointer<Float>, rows: Int, heads: Int, headDim: Int, stride: Int,
        cos: UnsafePointer<Float>, sin: UnsafePointer<Float>
    ) {
        rotate(x, rows: rows, heads: heads, headDim: headDim, stride: stride, cos: cos, sin: sin, sinSign: 1)
    }

    /// The transpose of `apply` (rotation by the negative angle): the backward pass.
    static func applyInverse(
        _ x: UnsafeMutablePointer<Float>, rows: Int, heads: Int, headDim: Int, stride: Int,
        cos: UnsafePointer<Float>, sin: UnsafePointer<Float>
    ) {
        rotate(x, rows: rows, heads: heads, headDim: headDim, stride: stride, cos: cos, sin: sin, sinSign: -1)
    }

    /// Rotates by the angle whose sine is `sinSign * sin` (±1: the rotation or its inverse). Negating
    /// the sine is exact, so `a·c - b·(-s)` has the bits of `a·c + b·s`; inlined with a constant
    /// sign, the multiply folds away.
    @inline(__always)
    private static func rotate(
        _ x: UnsafeMutablePointer<Float>, rows: Int, heads: Int, headDim: Int, stride: Int,
        cos: UnsafePointer<Float>, sin: UnsafePointer<Float>, sinSign: Float
    ) {
        let half = headDim / 2
        for r in 0 ..< rows {
            let c = cos + r * half, s = sin + r * half
            for h in 0 ..< heads {
                let v = x + r * stride + h * headDim
                for j in 0 ..< half {
                    let a = v[j], b = v[j + half], sj = sinSign * s[j]
                    v[j] = a * c[j] - b * sj
                    v[j + half] = b * c[j] + a * sj
                }
            }
        }
    }
}

extension RotaryEmbedding {
    /// The backward pass of `apply`: a rotation is orthogonal, so the gradient with respect to the
    /// unrotated input is the upstream gradient rotated back (`applyInverse`), in place.
    static func backward(
        _ dX: UnsafeMutablePointer<Float>, rows: Int, heads: Int, headDim: Int, stride: Int,
        cos: UnsafePointer<Float>, sin: UnsafePointer<Float>
    ) {
        applyInverse(dX, rows: rows, heads: heads, headDim: headDim, stride: stride, cos: cos, sin: sin)
    }
}
