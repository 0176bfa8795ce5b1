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

extension SwiGLU {
    /// The backward pass of `forward`, from the saved pre-activation `gate` and `up` and the upstream
    /// gradient `dOut` of `silu(gate) * up`:
    /// `dGate = dOut · up · σ(g)(1 + g(1 − σ(g)))`, `dUp = dOut · silu(g)`, both written (not added).
    /// `dGate` / `dUp` may alias `gate` / `up` respectively (each index is read before it is written).
    static func backward(
        _ dOut: UnsafePointer<Float>, gate: UnsafePointer<Float>, up: UnsafePointer<Float>,
        dGate: UnsafeMutablePointer<Float>, dUp: UnsafeMutablePointer<Float>, count: Int
    ) {
        for i in 0 ..< count {
            let g = gate[i], u = up[i], d = dOut[i]
            let s = 1 / (1 + VectorMath.exp(-g))
            dGate[i] = d * u * s * (1 + g * (1 - s))
            dUp[i] = d * g * s
        }
    }
}
