/// The gated activation of Llama's MLP: `h = silu(gate) * up`, with `silu(x) = x * sigmoid(x)`.
enum SwiGLU {
    /// `out[i] = silu(gate[i]) * up[i]` for `count` elements (`out` may alias `gate`).
    static func forward(gate: UnsafePointer<Float>, up: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0 ..< count {
            let g = gate[i]
            out[i] = g / (1 + VectorMath.exp(-g)) * up[i]
        }
    }
}
