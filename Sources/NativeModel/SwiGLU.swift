/// The gated activation of Llama's MLP: `h = silu(gate) * up`, with `silu(x) = x * sigmoid(x)`.
enum SwiGLU {
    /// `gate[i] = silu(gate[i]) * up[i]` for `count` elements, in place (one pointer read and
    /// written at the same index, so the loop vectorises without an aliasing check).
    static func forward(gate: UnsafeMutablePointer<Float>, up: UnsafePointer<Float>, count: Int) {
        for i in 0 ..< count {
            let g = gate[i]
            gate[i] = g / (1 + VectorMath.exp(-g)) * up[i]
        }
    }
}
