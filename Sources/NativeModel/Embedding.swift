/// The token embedding lookup: row `t` of the output is row `tokens[t]` of the `[vocab, dim]` table.
enum Embedding {
    /// Gathers `tokens.count` rows of `table` into `out` (`tokens.count × dim`).
    static func forward(tokens: [Int], table: UnsafePointer<Float>, dim: Int, out: UnsafeMutablePointer<Float>) {
        for (r, token) in tokens.enumerated() {
            (out + r * dim).update(from: table + token * dim, count: dim)
        }
    }

    /// The backward pass of `forward`: adds row `t` of `dOut` to row `tokens[t]` of `dTable`
    /// (a scatter-add: a token that occurs several times collects every occurrence's gradient).
    static func backward(tokens: [Int], dOut: UnsafePointer<Float>, dim: Int, dTable: UnsafeMutablePointer<Float>) {
        for (r, token) in tokens.enumerated() {
            let src = dOut + r * dim, dst = dTable + token * dim
            for i in 0 ..< dim { dst[i] += src[i] }
        }
    }
}
