import Foundation
import Harness
import XCTest
@testable import NativeModel

/// The hand-written backward passes against central finite differences (each kernel, then the whole
/// model's loss), and the training pass against PyTorch autograd on the same safetensors weights
/// (fixtures by `scripts/reference/make_grad_fixtures.py`).
///
/// Finite differences run the Float forward passes and difference the Double objective
/// `L = Σ r_i y_i` (fixed random `r`), with steps large enough that Float rounding stays well below
/// the tolerance; errors are compared as whole vectors: ‖fd − analytic‖ / ‖analytic‖.
final class GradientTests: XCTestCase {
    // MARK: - Helpers

    private static func random(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0 ..< count).map { _ in (rng.nextUniform() * 2 - 1) * scale }
    }

    /// Central differences of `f` with respect to each of the `count` floats at `p` (restored after).
    private static func numericGradient(_ p: UnsafeMutablePointer<Float>, count: Int, step: Float, _ f: () -> Double) -> [Double] {
        (0 ..< count).map { i in
            let old = p[i]
            let hi = old + step, lo = old - step
            p[i] = hi; let fHi = f()
            p[i] = lo; let fLo = f()
            p[i] = old
            return (fHi - fLo) / (Double(hi) - Double(lo))
        }
    }

    /// Central differences of `f` and the analytic gradient `g` of `tensor` at its largest-gradient
    /// element and at `random` elements drawn from `rng`.
    private static func sampledGradients(_ tensor: Tensor, _ g: Tensor, random: Int, rng: inout SplitMix64,
                                         _ f: () -> Double) -> (numeric: [Double], analytic: [Float]) {
        var indices = [(0 ..< g.count).max { abs(g.pointer[$0]) < abs(g.pointer[$1]) }!]
        for _ in 0 ..< random { indices.append(Int(rng.next() % UInt64(tensor.count))) }
        var numeric: [Double] = [], analytic: [Float] = []
        for i in indices {
            numeric += numericGradient(tensor.pointer + i, count: 1, step: 1e-2, f)
            analytic.append(g.pointer[i])
        }
        return (numeric, analytic)
    }

    private static func relativeError(_ a: [Double], _ b: [Double]) -> Double {
        precondition(a.count == b.count)
        var diff = 0.0, norm = 0.0
        for (x, y) in zip(a, b) { diff += (x - y) * (x - y); norm += y * y }
        return (diff / max(norm, 1e-300)).squareRoot()
    }

    private static func dot(_ y: UnsafePointer<Float>, _ r: [Float]) -> Double {
        var total = 0.0
        for i in 0 ..< r.count { total += Double(y[i]) * Double(r[i]) }
        return total
    }

    private func assertClose(_ analytic: [Float], _ numeric: [Double], _ what: String, tolerance: Double = 1e-2,
                             file: StaticString = #filePath, line: UInt = #line) {
        let e = Self.relativeError(numeric, analytic.map(Double.init))
        print("gradient check \(what): relative error \(e)")
        XCTAssertLessThanOrEqual(e, tolerance, what, file: file, line: line)
    }

    // MARK: - Kernels

    func testEmbeddingBackwardIsScatterAdd() {
        let vocab = 7, dim = 5, tokens = [3, 1, 3, 0, 6]
        let table = Tensor(shape: [vocab, dim], values: Self.random(vocab * dim, seed: 1))
        let r = Self.random(tokens.count * dim, seed: 2)
        let out = Tensor(zeros: [tokens.count, dim])
        let f = { () -> Double in
            Embedding.forward(tokens: tokens, table: table.pointer, dim: dim, out: out.pointer)
            return Self.dot(out.pointer, r)
        }
        let dTable = Tensor(zeros: [vocab, dim])
        Embedding.backward(tokens: tokens, dOut: r, dim: dim, dTable: dTable.pointer)
        assertClose(dTable.values, Self.numericGradient(table.pointer, count: table.count, step: 1e-2, f), "embedding")
        XCTAssertEqual(Array(dTable.values[2 * dim ..< 3 * dim]), [Float](repeating: 0, count: dim), "unused row")
    }

    func testRMSNormBackward() {
        let rows = 3, dim = 8
        let x = Tensor(shape: [rows, dim], values: Self.random(rows * dim, seed: 3))
        let w = Tensor(shape: [dim], values: Self.random(dim, seed: 4).map { 1 + $0 * 0.5 })
        let r = Self.random(rows * dim, seed: 5)
        let y = Tensor(zeros: [rows, dim]), inv = Tensor(zeros: [rows])
        let f = { () -> Double in
            RMSNorm.forward(x.pointer, weight: w.pointer, y.pointer, rows: rows, dim: dim, eps: 1e-5, inverseRMS: inv.pointer)
            return Self.dot(y.pointer, r)
        }
        _ = f()
        // Accumulating into a residual gradient of ones: subtract them afterwards.
        let dX = Tensor(shape: [rows, dim], values: [Float](repeating: 1, count: rows * dim))
        let dW = Tensor(zeros: [dim])
        RMSNorm.backward(r, x: x.pointer, weight: w.pointer, inverseRMS: inv.pointer, rows: rows, dim: dim,
                         dX: dX.pointer, accumulate: true, dWeight: dW.pointer)
        assertClose(dX.values.map { $0 - 1 }, Self.numericGradient(x.pointer, count: x.count, step: 1e-3, f), "rmsnorm dx")
        assertClose(dW.values, Self.numericGradient(w.pointer, count: w.count, step: 1e-2, f), "rmsnorm dweight")
    }

    func testRotaryBackward() {
        let config = TransformerConfig(hiddenSize: 16, intermediateSize: 8, layerCount: 1, headCount: 2, kvHeadCount: 1, vocabSize: 4, maxPositions: 16)
        let rope = RotaryEmbedding(config: config)
        let rows = 3, stride = 16
        let cos = Tensor(zeros: [rows, 4]), sin = Tensor(zeros: [rows, 4])
        rope.table(positions: [0, 5, 9], cos: cos.pointer, sin: sin.pointer)
        let x = Tensor(shape: [rows, stride], values: Self.random(rows * stride, seed: 6))
        let r = Self.random(rows * stride, seed: 7)
        let y = Tensor(zeros: [rows, stride])
        let f = { () -> Double in
            y.pointer.update(from: x.pointer, count: x.count)
            RotaryEmbedding.apply(y.pointer, rows: rows, heads: 2, headDim: 8, stride: stride, cos: cos.pointer, sin: sin.pointer)
            return Self.dot(y.pointer, r)
        }
        let dX = Tensor(shape: [rows, stride], values: r)
        RotaryEmbedding.backward(dX.pointer, rows: rows, heads: 2, headDim: 8, stride: stride, cos: cos.pointer, sin: sin.pointer)
        assertClose(dX.values, Self.numericGradient(x.pointer, count: x.count, step: 1e-2, f), "rope")
    }

    func testCausalAttentionBackwardWithGroupedQueriesOverPackedSequences() {
        let heads = 4, kvHeads = 2, hd = 4
        let qDim = heads * hd, kvDim = kvHeads * hd
        // 70 rows: more than one of the kernels' row blocks (CausalAttention.trainingBlock = 64).
        let lengths = [3, 70, 1, 2]
        var offsets = [0], probabilityOffsets = [0]
        for n in lengths { offsets.append(offsets.last! + n); probabilityOffsets.append(probabilityOffsets.last! + heads * n * n) }
        let rows = offsets.last!
        let q = Tensor(shape: [rows, qDim], values: Self.random(rows * qDim, seed: 8))
        let k = Tensor(shape: [rows, kvDim], values: Self.random(rows * kvDim, seed: 9))
        let v = Tensor(shape: [rows, kvDim], values: Self.random(rows * kvDim, seed: 10))
        let out = Tensor(zeros: [rows, qDim]), p = Tensor(zeros: [probabilityOffsets.last!])
        let r = Self.random(rows * qDim, seed: 11)
        let f = { () -> Double in
            CausalAttention.forwardPacked(q: q.pointer, k: k.pointer, v: v.pointer, out: out.pointer, offsets: offsets,
                                          probabilities: p.pointer, probabilityOffsets: probabilityOffsets,
                                          heads: heads, kvHeads: kvHeads, headDim: hd)
            return Self.dot(out.pointer, r)
        }
        _ = f()
        let dQ = Tensor(zeros: [rows, qDim]), dK = Tensor(zeros: [rows, kvDim]), dV = Tensor(zeros: [rows, kvDim])
        // Garbage in the outputs: the backward pass must overwrite, not add.
        dK.pointer.update(repeating: 7, count: dK.count); dV.pointer.update(repeating: 7, count: dV.count)
        CausalAttention.backwardPacked(dOut: r, q: q.pointer, k: k.pointer, v: v.pointer, offsets: offsets,
                                       probabilities: p.pointer, probabilityOffsets: probabilityOffsets,
                                       heads: heads, kvHeads: kvHeads, headDim: hd, dQ: dQ.pointer, dK: dK.pointer, dV: dV.pointer)
        assertClose(dQ.values, Self.numericGradient(q.pointer, count: q.count, step: 1e-2, f), "attention dq")
        assertClose(dK.values, Self.numericGradient(k.pointer, count: k.count, step: 1e-2, f), "attention dk")
        assertClose(dV.values, Self.numericGradient(v.pointer, count: v.count, step: 1e-2, f), "attention dv")
    }

    func testSwiGLUBackward() {
        let count = 24
        let gate = Tensor(shape: [count], values: Self.random(count, seed: 12, scale: 4))
        let up = Tensor(shape: [count], values: Self.random(count, seed: 13, scale: 2))
        let r = Self.random(count, seed: 14)
        let h = Tensor(zeros: [count])
        let f = { () -> Double in
            h.pointer.update(from: gate.pointer, count: count)
            SwiGLU.forward(gate: h.pointer, up: up.pointer, count: count)
            return Self.dot(h.pointer, r)
        }
        let dGate = Tensor(zeros: [count]), dUp = Tensor(zeros: [count])
        SwiGLU.backward(r, gate: gate.pointer, up: up.pointer, dGate: dGate.pointer, dUp: dUp.pointer, count: count)
        assertClose(dGate.values, Self.numericGradient(gate.pointer, count: count, step: 1e-2, f), "swiglu dgate")
        assertClose(dUp.values, Self.numericGradient(up.pointer, count: count, step: 1e-2, f), "swiglu dup")
    }

    func testLinearBackwardWithBias() {
        let rows = 4, inF = 5, outF = 3
        let x = Tensor(shape: [rows, inF], values: Self.random(rows * inF, seed: 15))
        let w = Tensor(shape: [outF, inF], values: Self.random(outF * inF, seed: 16))
        let b = Tensor(shape: [outF], values: Self.random(outF, seed: 17))
        let r = Self.random(rows * outF, seed: 18)
        let y = Tensor(zeros: [rows, outF])
        let f = { () -> Double in
            Linear.forward(x.pointer, rows: rows, inFeatures: inF, weight: w.pointer, bias: b.pointer, y.pointer, outFeatures: outF)
            return Self.dot(y.pointer, r)
        }
        let dX = Tensor(zeros: [rows, inF]), dW = Tensor(zeros: [outF, inF]), dB = Tensor(zeros: [outF])
        Linear.backward(r, rows: rows, outFeatures: outF, x: x.pointer, inFeatures: inF, weight: w.pointer,
                        dX: dX.pointer, dWeight: dW.pointer, dBias: dB.pointer)
        assertClose(dX.values, Self.numericGradient(x.pointer, count: x.count, step: 1e-2, f), "linear dx")
        assertClose(dW.values, Self.numericGradient(w.pointer, count: w.count, step: 1e-2, f), "linear dw")
        assertClose(dB.values, Self.numericGradient(b.pointer, count: b.count, step: 1e-2, f), "linear db")
    }

    func testCrossEntropyShiftMaskAndGradient() {
        // Three sequences: one partly masked, one fully masked, one of length 1 (predicts nothing).
        let labels = [[5, -100, 2, 7], [-100, -100, -100], [3], [1, 4]]
        let targets = CrossEntropy.shiftedTargets(labels: labels)
        XCTAssertEqual(targets, [-100, 2, 7, -100, -100, -100, -100, -100, 4, -100])
        let rows = targets.count, vocab = 9
        let logits = Tensor(shape: [rows, vocab], values: Self.random(rows * vocab, seed: 19, scale: 3))
        let counted = targets.filter { $0 != -100 }.count
        XCTAssertEqual(counted, 3)
        var reference = 0.0
        for (r, t) in targets.enumerated() where t != -100 {
            let row = (0 ..< vocab).map { Double(logits.pointer[r * vocab + $0]) }
            let m = row.max()!
            reference += m + log(row.map { exp($0 - m) }.reduce(0, +)) - row[t]
        }
        let scratch = Tensor(zeros: [rows, vocab])
        let f = { () -> Double in
            scratch.pointer.update(from: logits.pointer, count: logits.count)
            return CrossEntropy.loss(logits: scratch.pointer, rows: rows, vocab: vocab, targets: targets, gradientScale: nil) / Double(counted)
        }
        XCTAssertEqual(f() * Double(counted), reference, accuracy: 1e-9 * reference + 1e-5)
        let numeric = Self.numericGradient(logits.pointer, count: logits.count, step: 1e-2, f)
        let gradient = logits.copy()
        let sum = CrossEntropy.loss(logits: gradient.pointer, rows: rows, vocab: vocab, targets: targets, gradientScale: 1 / Float(counted))
        XCTAssertEqual(sum, reference, accuracy: 1e-5)
        assertClose(gradient.values, numeric, "cross-entropy")
        for (r, t) in targets.enumerated() where t == -100 {
            XCTAssertTrue((0 ..< vocab).allSatisfy { gradient.pointer[r * vocab + $0] == 0 }, "ignored row \(r) has a gradient")
        }
    }

    func testWeightedCrossEntropyAndItsGradient() {
        // The soft regime's loss: row r counts weights[r] times, in the sum and in the gradient.
        let labels = [[5, -100, 2, 7], [1, 4, 8]]
        let weights: [[Float]] = [[0.9, 0.7, 0.25, 0.6], [0.3, 1, 0.05]]
        let targets = CrossEntropy.shiftedTargets(labels: labels)
        let rowWeights = CrossEntropy.shiftedWeights(weights)
        XCTAssertEqual(rowWeights, [0.7, 0.25, 0.6, 0, 1, 0.05, 0])
        let rows = targets.count, vocab = 9
        let logits = Tensor(shape: [rows, vocab], values: Self.random(rows * vocab, seed: 41, scale: 3))
        let counted = targets.filter { $0 != -100 }.count
        var reference = 0.0
        for (r, t) in targets.enumerated() where t != -100 {
            let row = (0 ..< vocab).map { Double(logits.pointer[r * vocab + $0]) }
            let m = row.max()!
            reference += Double(rowWeights[r]) * (m + log(row.map { exp($0 - m) }.reduce(0, +)) - row[t])
        }
        let scratch = Tensor(zeros: [rows, vocab])
        let f = { () -> Double in
            scratch.pointer.update(from: logits.pointer, count: logits.count)
            return CrossEntropy.loss(logits: scratch.pointer, rows: rows, vocab: vocab, targets: targets, gradientScale: nil, weights: rowWeights)
                / Double(counted)
        }
        XCTAssertEqual(f() * Double(counted), reference, accuracy: 1e-9 * reference + 1e-5)
        let numeric = Self.numericGradient(logits.pointer, count: logits.count, step: 1e-2, f)
        let gradient = logits.copy()
        let sum = CrossEntropy.loss(logits: gradient.pointer, rows: rows, vocab: vocab, targets: targets, gradientScale: 1 / Float(counted),
                                    weights: rowWeights)
        XCTAssertEqual(sum, reference, accuracy: 1e-5)
        assertClose(gradient.values, numeric, "weighted cross-entropy")
        // Weights of 1 are the unweighted loss exactly.
        let plain = logits.copy(), ones = logits.copy()
        let a = CrossEntropy.loss(logits: plain.pointer, rows: rows, vocab: vocab, targets: targets, gradientScale: 0.5)
        let b = CrossEntropy.loss(logits: ones.pointer, rows: rows, vocab: vocab, targets: targets, gradientScale: 0.5,
                                  weights: [Float](repeating: 1, count: rows))
        XCTAssertEqual(a, b)
        XCTAssertEqual(plain.values, ones.values)
    }

    func testWholeModelWeightedLossGradient() {
        let config = Self.tinyConfig(tied: false, biases: false)
        let weights = LlamaWeights.random(config: config, seed: 27, scale: 0.3)
        let pass = TrainingPass(weights: weights)
        let (sequences, labels) = Self.tinyBatch
        var rng = SplitMix64(seed: 28)
        let tokenWeights = labels.map { $0.map { _ in Float(rng.nextUniform()) } }
        let gradients = Gradients(zerosLike: weights)
        let loss = pass.lossAndGradients(sequences: sequences, labels: labels, weights: tokenWeights, gradients: gradients)
        XCTAssertEqual(pass.loss(sequences: sequences, labels: labels, weights: tokenWeights).sum, loss.sum, accuracy: 1e-9)
        XCTAssertLessThan(loss.sum, pass.loss(sequences: sequences, labels: labels).sum)
        let f = { pass.loss(sequences: sequences, labels: labels, weights: tokenWeights).mean }
        let gradientByName = Dictionary(uniqueKeysWithValues: gradients.namedTensors.map { ($0.0, $0.1) })
        for (name, tensor) in weights.namedTensors where name.contains("layers.1") || name == "lm_head.weight" {
            let (numeric, analytic) = Self.sampledGradients(tensor, gradientByName[name]!, random: 3, rng: &rng, f)
            XCTAssertLessThanOrEqual(Self.relativeError(numeric, analytic.map(Double.init)), 2e-2, "\(name): numeric \(numeric) analytic \(analytic)")
        }
    }

    // MARK: - Whole model

    private static func tinyConfig(tied: Bool, biases: Bool) -> TransformerConfig {
        TransformerConfig(hiddenSize: 16, intermediateSize: 24, layerCount: 2, headCount: 4, kvHeadCount: 2, vocabSize: 32,
                          maxPositions: 32, tieWordEmbeddings: tied, qkvBias: biases, outputBias: biases)
    }

    private static let tinyBatch: (sequences: [[Int]], labels: [[Int]]) = (
        [[1, 5, 9, 30, 2, 7, 7], [3, 4], [11, 0, 31, 8, 6]],
        [[-100, -100, 9, 30, -100, 7, 7], [-100, 4], [-100, 0, 31, 8, 6]]
    )

    private func checkWholeModel(tied: Bool, biases: Bool) {
        let config = Self.tinyConfig(tied: tied, biases: biases)
        let weights = LlamaWeights.random(config: config, seed: tied ? 21 : 22, scale: 0.3)
        // Norm weights away from 1 and non-zero biases, so that every tensor matters.
        var rng = SplitMix64(seed: 23)
        for (name, t) in weights.namedTensors where name.hasSuffix("norm.weight") || name.hasSuffix(".bias") {
            for i in 0 ..< t.count { t.pointer[i] += (rng.nextUniform() - 0.5) * 0.4 }
        }
        let pass = TrainingPass(weights: weights)
        let (sequences, labels) = Self.tinyBatch
        let gradients = Gradients(zerosLike: weights)
        let loss = pass.lossAndGradients(sequences: sequences, labels: labels, gradients: gradients)
        XCTAssertEqual(loss.countedTokens, 9)
        XCTAssertEqual(pass.loss(sequences: sequences, labels: labels).mean, loss.mean, accuracy: 1e-12)
        let f = { pass.loss(sequences: sequences, labels: labels).mean }

        let gradientByName = Dictionary(uniqueKeysWithValues: gradients.namedTensors.map { ($0.0, $0.1) })
        var worst = 0.0
        for (name, tensor) in weights.namedTensors {
            let (numeric, analytic) = Self.sampledGradients(tensor, gradientByName[name]!, random: 4, rng: &rng, f)
            let e = Self.relativeError(numeric, analytic.map(Double.init))
            worst = max(worst, e)
            XCTAssertLessThanOrEqual(e, 2e-2, "\(name): numeric \(numeric) analytic \(analytic)")
        }
        print("gradient check whole model (tied \(tied), biases \(biases)): worst relative error \(worst)")
    }

    func testWholeModelGradientUntiedWithBiases() { checkWholeModel(tied: false, biases: true) }
    func testWholeModelGradientTied() { checkWholeModel(tied: true, biases: false) }

    func testMicroBatchesAccumulateToTheBatchGradient() {
        let config = Self.tinyConfig(tied: true, biases: true)
        let weights = LlamaWeights.random(config: config, seed: 24, scale: 0.3)
        let pass = TrainingPass(weights: weights)
        let (sequences, labels) = Self.tinyBatch
        let whole = Gradients(zerosLike: weights)
        let loss = pass.lossAndGradients(sequences: sequences, labels: labels, gradients: whole)
        let parts = Gradients(zerosLike: weights)
        var sum = 0.0
        for i in sequences.indices {
            sum += pass.lossAndGradients(sequences: [sequences[i]], labels: [labels[i]], gradients: parts, normalizer: loss.countedTokens).sum
        }
        XCTAssertEqual(sum, loss.sum, accuracy: 1e-4)
        for ((name, a), (_, b)) in zip(whole.namedTensors, parts.namedTensors) {
            let e = Self.relativeError(b.values.map(Double.init), a.values.map(Double.init))
            XCTAssertLessThanOrEqual(e, 1e-5, name)
        }
    }

    func testParallelSplitsGiveTheSameGradients() {
        // 150 rows: the row-split RMSNorm / SwiGLU steps and several attention blocks are used.
        let config = Self.tinyConfig(tied: false, biases: true)
        let weights = LlamaWeights.random(config: config, seed: 25, scale: 0.3)
        var rng = SplitMix64(seed: 26)
        let sequences = [100, 50].map { n in (0 ..< n).map { _ in Int(rng.next() % 32) } }
        let labels = sequences.map { s in s.enumerated().map { $0.offset % 3 == 0 ? -100 : $0.element } }
        let threads = EngineSettings.threadCount
        defer { EngineSettings.setThreadCount(threads) }
        var results: [(TrainingLoss, Gradients)] = []
        for count in [1, 2] {
            EngineSettings.setThreadCount(count)
            let g = Gradients(zerosLike: weights)
            results.append((TrainingPass(weights: weights).lossAndGradients(sequences: sequences, labels: labels, gradients: g), g))
        }
        // The parallel splits are set by the shape, not the threads: bit-identical.
        XCTAssertEqual(results[0].0.mean, results[1].0.mean)
        for ((name, a), (_, b)) in zip(results[0].1.namedTensors, results[1].1.namedTensors) {
            XCTAssertEqual(b.values, a.values, name)
        }
    }

    // MARK: - PyTorch parity

    private func checkAgainstPyTorch(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let dir = TestPaths.fixtures.appendingPathComponent("grad/\(name)")
        let expected = try TestPaths.json(dir.appendingPathComponent("expected.json"))
        let weights = try CheckpointLoader.loadWeights(at: dir.path)
        let sequences = try XCTUnwrap(expected["input_ids"] as? [[Int]])
        let labels = try XCTUnwrap(expected["labels"] as? [[Int]])
        let reference = try XCTUnwrap(expected["gradients"] as? [String: [String: Any]])

        let gradients = Gradients(zerosLike: weights)
        let loss = TrainingPass(weights: weights).lossAndGradients(sequences: sequences, labels: labels, gradients: gradients)
        XCTAssertEqual(loss.countedTokens, expected["counted_tokens"] as? Int, file: file, line: line)
        let referenceLoss = try XCTUnwrap(expected["loss"] as? Double)
        let lossError = abs(loss.mean - referenceLoss) / referenceLoss
        XCTAssertLessThanOrEqual(lossError, 1e-5, "\(name): loss \(loss.mean) vs \(referenceLoss)", file: file, line: line)

        XCTAssertEqual(Set(gradients.namedTensors.map(\.0)), Set(reference.keys), "\(name): tensor names", file: file, line: line)
        var worst = (error: 0.0, tensor: "")
        for (tensorName, g) in gradients.namedTensors {
            guard let ref = reference[tensorName] else { continue }
            XCTAssertEqual(g.shape, ref["shape"] as? [Int], tensorName, file: file, line: line)
            let values = (0 ..< g.count).map { Double(g.pointer[$0]) }
            let refNorm = try XCTUnwrap(ref["norm"] as? Double)
            var errors: [Double] = []
            // Norm of the whole tensor.
            let norm = values.reduce(0) { $0 + $1 * $1 }.squareRoot()
            errors.append(abs(norm - refNorm) / refNorm)
            // The first values, the random samples, and the full tensor when stored.
            let first = try XCTUnwrap(ref["first"] as? [Double])
            errors.append(Self.relativeError(Array(values[0 ..< first.count]), first))
            let indices = try XCTUnwrap(ref["indices"] as? [Int]), sampled = try XCTUnwrap(ref["values"] as? [Double])
            errors.append(Self.relativeError(indices.map { values[$0] }, sampled))
            if let full = ref["full"] as? [Double] { errors.append(Self.relativeError(values, full)) }
            // The probe projection checks every element: |Δ(g·p)| ≤ ‖Δg‖ ‖p‖, so scale by ‖g_ref‖ ‖p‖.
            let probe = (0 ..< g.count).map { cos(0.37 * Double($0)) }
            let probeNorm = probe.reduce(0) { $0 + $1 * $1 }.squareRoot()
            let probeDot = zip(values, probe).reduce(0) { $0 + $1.0 * $1.1 }
            errors.append(abs(probeDot - (try XCTUnwrap(ref["probe_dot"] as? Double))) / (refNorm * probeNorm))
            let e = errors.max()!
            if e > worst.error { worst = (e, tensorName) }
            XCTAssertLessThanOrEqual(e, 1e-4, "\(name) \(tensorName): relative errors \(errors)", file: file, line: line)
        }
        print("PyTorch parity \(name): loss relative error \(lossError), worst gradient relative error \(worst.error) (\(worst.tensor))")
    }

    func testPyTorchParityLlamaUntied() throws { try checkAgainstPyTorch("llama_untied") }
    func testPyTorchParityLlamaTied() throws { try checkAgainstPyTorch("llama_tied") }
    func testPyTorchParityQwen2BiasesTied() throws { try checkAgainstPyTorch("qwen2_bias_tied") }
}
