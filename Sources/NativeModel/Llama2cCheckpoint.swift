import Foundation

/// Loads llama2.c's legacy `.bin` checkpoint: a header of seven int32 (dim, hidden_dim, n_layers,
/// n_heads, n_kv_heads, vocab_size, seq_len; a negative vocab_size means an unshared classifier)
/// followed by float32 weights in `run.c`'s order.
///
/// llama2.c rotates interleaved pairs (2i, 2i+1) of each head; the query and key rows are permuted
/// on load to the Hugging Face half-split layout, as transformers' conversion script does, so that
/// one attention kernel serves both formats.
enum Llama2cCheckpoint {
    static func load(url: URL) throws -> LlamaWeights {
        let path = url.path
        func fail(_ s: String) -> ModelLoadError { ModelLoadError(path: path, problem: s) }
        let data: Data
        do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw fail("cannot read the file (\(error.localizedDescription))")
        }
        guard data.count >= 28 else { throw fail("truncated: \(data.count) bytes, shorter than the 28-byte llama2.c header") }
        let header: [Int] = data.withUnsafeBytes { raw in
            (0 ..< 7).map { Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self))) }
        }
        let (dim, hidden, layers, heads, kvHeads, signedVocab, seqLen) =
            (header[0], header[1], header[2], header[3], header[4], header[5], header[6])
        let shared = signedVocab > 0
        let vocab = abs(signedVocab)
        guard dim > 0, hidden > 0, layers > 0, heads > 0, kvHeads > 0, vocab > 0, seqLen > 0,
              dim % heads == 0, heads % kvHeads == 0, dim <= 1 << 16, layers <= 1024, vocab <= 1 << 22, seqLen <= 1 << 22 else {
            throw fail("not a llama2.c checkpoint: implausible header \(header) (dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len)")
        }
        let headSize = dim / heads
        let kvDim = kvHeads * headSize
        let config = TransformerConfig(
            modelType: "llama2.c", hiddenSize: dim, intermediateSize: hidden, layerCount: layers,
            headCount: heads, kvHeadCount: kvHeads, vocabSize: vocab, maxPositions: seqLen,
            ropeTheta: 10000, rmsNormEps: 1e-5, tieWordEmbeddings: shared, bosTokenID: 1, eosTokenIDs: [1, 2])
        try config.validate(path: path)

        let perLayer = 2 * dim + dim * dim * 2 + 2 * dim * kvDim + 3 * dim * hidden
        let expectedFloats = vocab * dim + layers * perLayer + dim + seqLen * headSize + (shared ? 0 : vocab * dim)
        let expectedBytes = 28 + 4 * expectedFloats
        guard data.count == expectedBytes else {
            throw fail("size \(data.count) bytes disagrees with its header \(header): expected \(expectedBytes) bytes")
        }

        var offset = 28
        func read(_ shape: [Int]) -> Tensor {
            let t = Tensor(zeros: shape)
            data.withUnsafeBytes { raw in
                for i in 0 ..< t.count {
                    t.pointer[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 4 * i, as: UInt32.self)))
                }
            }
            offset += 4 * t.count
            return t
        }
        func readLayers(_ shape: [Int]) -> [Tensor] { (0 ..< layers).map { _ in read(shape) } }

        let embedding = read([vocab, dim])
        let attnNorm = readLayers([dim])
        let wq = readLayers([dim, dim]).map { permuteForHalfSplit($0, heads: heads, headSize: headSize) }
        let wk = readLayers([kvDim, dim]).map { permuteForHalfSplit($0, heads: kvHeads, headSize: headSize) }
        let wv = readLayers([kvDim, dim])
        let wo = readLayers([dim, dim])
        let mlpNorm = readLayers([dim])
        let w1 = readLayers([hidden, dim])
        let w2 = readLayers([dim, hidden])
        let w3 = readLayers([hidden, dim])
        let finalNorm = read([dim])
        offset += 4 * seqLen * headSize  // freq_cis_real and freq_cis_imag, recomputed instead
        let classifier = shared ? embedding : read([vocab, dim])

        let layerWeights = (0 ..< layers).map { i in
            LayerWeights(attentionNorm: attnNorm[i], wq: wq[i], wk: wk[i], wv: wv[i], wo: wo[i],
                         bq: nil, bk: nil, bv: nil, bo: nil, mlpNorm: mlpNorm[i],
                         wGate: w1[i], wUp: w3[i], wDown: w2[i])
        }
        return LlamaWeights(config: config, embedding: embedding, layers: layerWeights, finalNorm: finalNorm, classifier: classifier)
    }

    /// Reorders each head's rows from interleaved pairs (0,1),(2,3)… to halves (0,h/2),(1,h/2+1)….
    static func permuteForHalfSplit(_ w: Tensor, heads: Int, headSize: Int) -> Tensor {
        let cols = w.shape[1]
        let out = Tensor(zeros: w.shape)
        let half = headSize / 2
        for h in 0 ..< heads {
            for j in 0 ..< half {
                let base = h * headSize
                (out.pointer + (base + j) * cols).update(from: w.pointer + (base + 2 * j) * cols, count: cols)
                (out.pointer + (base + half + j) * cols).update(from: w.pointer + (base + 2 * j + 1) * cols, count: cols)
            }
        }
        return out
    }
}
