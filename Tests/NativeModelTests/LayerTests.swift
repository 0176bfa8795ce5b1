import Harness
import Foundation
import XCTest
@testable import NativeModel

/// Kernels against direct definitions in Double.
final class LayerTests: XCTestCase {
    func testRotaryApplyThenInverseIsIdentityAndPreservesNorm() {
        let config = TransformerConfig(hiddenSize: 32, intermediateSize: 8, layerCount: 1, headCount: 2, kvHeadCount: 1, vocabSize: 4, maxPositions: 64)
        let rope = RotaryEmbedding(config: config)
        var rng = SplitMix64(seed: 3)
        let x = Tensor(shape: [3, 32], values: (0 ..< 96).map { _ in rng.nextUniform() - 0.5 })
        let original = x.values
        let cos = Tensor(zeros: [3, 8]), sin = Tensor(zeros: [3, 8])
        rope.table(positions: [0, 7, 63], cos: cos.pointer, sin: sin.pointer)
        RotaryEmbedding.apply(x.pointer, rows: 3, heads: 2, headDim: 16, stride: 32, cos: cos.pointer, sin: sin.pointer)
        XCTAssertEqual(Array(x.values[0 ..< 32]), Array(original[0 ..< 32]), "position 0 is not rotated")
        let norm = { (v: [Float]) in v.reduce(0) { $0 + $1 * $1 } }
        XCTAssertEqual(norm(Array(x.values[32 ..< 64])), norm(Array(original[32 ..< 64])), accuracy: 1e-5)
        XCTAssertNotEqual(Array(x.values[32 ..< 64]), Array(original[32 ..< 64]))
        RotaryEmbedding.applyInverse(x.pointer, rows: 3, heads: 2, headDim: 16, stride: 32, cos: cos.pointer, sin: sin.pointer)
        for (a, b) in zip(x.values, original) { XCTAssertEqual(a, b, accuracy: 1e-6) }
    }

    func testRMSNormMatchesDefinition() {
        let x: [Float] = [1, -2, 3, 0.5]
        let w: [Float] = [1, 2, 0.5, -1]
        var y = [Float](repeating: 0, count: 4)
        RMSNorm.forward(x, weight: w, &y, rows: 1, dim: 4, eps: 1e-5)
        let rms = (x.map { Double($0 * $0) }.reduce(0, +) / 4 + 1e-5).squareRoot()
        for i in 0 ..< 4 { XCTAssertEqual(Double(y[i]), Double(x[i]) / rms * Double(w[i]), accuracy: 1e-6) }
    }

    func testHalfFloatConversion() {
        XCTAssertEqual(HalfFloat.toFloat(0x3C00), 1)
        XCTAssertEqual(HalfFloat.toFloat(0xC000), -2)
        XCTAssertEqual(HalfFloat.toFloat(0x7BFF), 65504)
        XCTAssertEqual(HalfFloat.toFloat(0x0001), Float(sign: .plus, exponent: -24, significand: 1))
        XCTAssertEqual(HalfFloat.toFloat(0x7C00), .infinity)
        XCTAssertTrue(HalfFloat.toFloat(0x7E00).isNaN)
        XCTAssertEqual(HalfFloat.toFloat(0x8000).sign, .minus)
    }

    func testLlama2cPermutationMovesInterleavedPairsToHalves() {
        let w = Tensor(shape: [4, 1], values: [0, 1, 2, 3])  // one head of size 4
        let p = Llama2cCheckpoint.permuteForHalfSplit(w, heads: 1, headSize: 4)
        XCTAssertEqual(p.values, [0, 2, 1, 3])
    }

    func testSamplerMatchesXorshiftDefinition() {
        var sampler = Sampler(temperature: 1, topP: 0.9, seed: 42)
        var s: UInt64 = 42
        for _ in 0 ..< 5 {
            s ^= s >> 12; s ^= s << 25; s ^= s >> 27
            XCTAssertEqual(sampler.nextUInt32(), UInt32((s &* 0x2545F4914F6CDD1D) >> 32))
        }
    }
}
