import Foundation
import Harness
import TestSupport
import XCTest
@testable import NativeModel

/// LoRA's backward pass (dA, dB, and the extra dX that flows to earlier layers) against central
/// finite differences of the whole model's loss, with the base weights frozen.
final class LoRAGradientTests: XCTestCase {
    func testLoRAGradientsMatchFiniteDifferences() {
        let config = TransformerConfig(hiddenSize: 16, intermediateSize: 24, layerCount: 2, headCount: 4, kvHeadCount: 2, vocabSize: 32,
                                       maxPositions: 32, qkvBias: true)
        let weights = LlamaWeights.random(config: config, seed: 31, scale: 0.3)
        let adapter = LoRAAdapter.initialized(for: weights, rank: 3, alpha: 6, seed: 7)
        XCTAssertEqual(adapter.modules.count, 14)
        var rng = SplitMix64(seed: 5)
        randomizeB(of: adapter, with: &rng)
        let lora = LoRALayers(adapter: adapter)
        let pass = TrainingPass(weights: weights)
        pass.lora = lora
        let sequences = [[1, 5, 9, 30, 2, 7, 7], [3, 4], [11, 0, 31, 8, 6]]
        let labels = [[-100, -100, 9, 30, -100, 7, 7], [-100, 4], [-100, 0, 31, 8, 6]]
        let gradients = Gradients(zerosLike: weights)
        let before = weights.namedTensors.map { $0.1.values }
        pass.lossAndGradients(sequences: sequences, labels: labels, gradients: gradients)
        let f = { pass.loss(sequences: sequences, labels: labels).mean }
        var worst = 0.0
        for ((name, tensor), (_, gradient)) in zip(lora.namedParameters, lora.namedGradients) {
            var numeric: [Double] = [], analytic: [Double] = []
            for _ in 0 ..< 4 {
                let i = Int(rng.next() % UInt64(tensor.count))
                let old = tensor.pointer[i]
                tensor.pointer[i] = old + 1e-2; let hi = f()
                tensor.pointer[i] = old - 1e-2; let lo = f()
                tensor.pointer[i] = old
                numeric.append((hi - lo) / 2e-2)
                analytic.append(Double(gradient.pointer[i]))
            }
            var diff = 0.0, norm = 0.0
            for (n, a) in zip(numeric, analytic) { diff += (n - a) * (n - a); norm += a * a }
            let e = (diff / max(norm, 1e-12)).squareRoot()
            worst = max(worst, e)
            XCTAssertLessThanOrEqual(e, 2e-2, "\(name): numeric \(numeric) analytic \(analytic)")
        }
        // The base weights are untouched and get no gradient from the frozen products.
        XCTAssertEqual(weights.namedTensors.map { $0.1.values }, before)
        XCTAssertEqual(gradients.layers[0].wq.values.allSatisfy { $0 == 0 }, true)
        print("LoRA gradient check: worst relative error \(worst)")
    }

    func testMergingATrainedAdapterGivesTheAdaptedForward() throws {
        let config = TransformerConfig(hiddenSize: 16, intermediateSize: 24, layerCount: 2, headCount: 4, kvHeadCount: 2, vocabSize: 32, maxPositions: 32)
        let weights = LlamaWeights.random(config: config, seed: 41, scale: 0.3)
        let adapter = LoRAAdapter.initialized(for: weights, rank: 2, alpha: 4, seed: 9)
        var rng = SplitMix64(seed: 6)
        randomizeB(of: adapter, with: &rng)
        let pass = TrainingPass(weights: weights)
        pass.lora = LoRALayers(adapter: adapter)
        let sequences = [[1, 5, 9, 30, 2, 7, 7]]
        let adapted = pass.loss(sequences: sequences, labels: sequences).mean
        // Save in PEFT's format, load back, merge: the plain forward then gives the same loss.
        let dir = try scratchDirectory(prefix: "forgetbench-tests")
        try adapter.save(to: dir, baseModel: "test")
        try LoRAAdapter.load(directory: dir).merge(into: weights)
        let merged = TrainingPass(weights: weights).loss(sequences: sequences, labels: sequences).mean
        XCTAssertEqual(merged, adapted, accuracy: 1e-5)
    }
}

/// Three LoRA training steps against PEFT + torch.optim.AdamW from the same initial adapter
/// (`scripts/reference/make_lora_train_fixtures.py`): losses at every step and the final A and B.
final class LoRATrainingParityTests: XCTestCase {
    func testThreeAdamWStepsMatchPEFT() throws {
        let dir = TestPaths.fixtures.appendingPathComponent("lora_train/llama_untied_r4")
        let base = TestPaths.fixtures.appendingPathComponent("grad/llama_untied")
        let batch = try TestPaths.json(base.appendingPathComponent("expected.json"))
        let sequences = try XCTUnwrap(batch["input_ids"] as? [[Int]]), labels = try XCTUnwrap(batch["labels"] as? [[Int]])
        let expected = try TestPaths.json(dir.appendingPathComponent("expected.json"))
        let referenceLosses = try XCTUnwrap(expected["losses"] as? [Double])

        let weights = try CheckpointLoader.loadWeights(at: base.path)
        let lora = LoRALayers(adapter: try LoRAAdapter.load(directory: dir.appendingPathComponent("initial")))
        let pass = TrainingPass(weights: weights)
        pass.lora = lora
        let optimizer = AdamW(parameters: lora.namedParameters, configuration: AdamWConfiguration(weightDecay: 0.01))
        let gradients = Gradients(zerosLike: weights)
        for step in 0 ..< 3 {
            lora.zeroGradients()
            let loss = pass.lossAndGradients(sequences: sequences, labels: labels, gradients: gradients).mean
            XCTAssertEqual(loss, referenceLosses[step], accuracy: 1e-5 * referenceLosses[step], "loss at step \(step + 1)")
            GradientClipping.clip(lora.namedGradients.map(\.1), maxNorm: 1)
            optimizer.step(gradients: lora.namedGradients, learningRate: 1e-2)
        }
        let final = try LoRAAdapter.load(directory: dir.appendingPathComponent("final"))
        var worst = 0.0
        for (module, (a, b)) in lora.adapter.modules {
            let reference = try XCTUnwrap(final.modules[module], module)
            for (mine, theirs) in [(a, reference.a), (b, reference.b)] {
                var diff = 0.0, norm = 0.0
                for i in 0 ..< mine.count {
                    diff += pow(Double(mine.pointer[i] - theirs.pointer[i]), 2)
                    norm += pow(Double(theirs.pointer[i]), 2)
                }
                worst = max(worst, (diff / norm).squareRoot())
            }
        }
        XCTAssertLessThanOrEqual(worst, 1e-4, "largest relative difference of an A or B tensor after 3 steps")
        print("LoRA training parity with PEFT: worst tensor relative difference \(worst)")
    }
}

/// LoRA dropout: gradients under a fixed mask against finite differences; no dropout outside training.
final class LoRADropoutTests: XCTestCase {
    func testGradientsWithDropoutMatchFiniteDifferencesUnderTheSameMask() {
        let config = TransformerConfig(hiddenSize: 16, intermediateSize: 24, layerCount: 1, headCount: 4, kvHeadCount: 2, vocabSize: 32, maxPositions: 32)
        let weights = LlamaWeights.random(config: config, seed: 51, scale: 0.3)
        let adapter = LoRAAdapter.initialized(for: weights, rank: 2, alpha: 4, seed: 3)
        var rng = SplitMix64(seed: 8)
        randomizeB(of: adapter, with: &rng)
        let lora = LoRALayers(adapter: adapter, dropout: 0.3)
        let pass = TrainingPass(weights: weights)
        pass.lora = lora
        let sequences = [[1, 5, 9, 30, 2, 7, 7]], labels = [[-100, 5, 9, 30, 2, 7, 7]]
        let gradients = Gradients(zerosLike: weights)
        lora.reseed(99)
        pass.lossAndGradients(sequences: sequences, labels: labels, gradients: gradients)
        // The same mask for every evaluation: reseed, and use the training forward (its gradients are discarded).
        let scratch = Gradients(zerosLike: weights)
        let f = { () -> Double in lora.reseed(99); return pass.lossAndGradients(sequences: sequences, labels: labels, gradients: scratch).mean }
        let (name, a) = lora.namedParameters.first { $0.0.contains("q_proj.lora_A") }!
        // Copied now: the evaluations below run training passes, which add to the LoRA gradients.
        let g = lora.namedGradients.first { $0.0 == name }!.1.values
        var numeric: [Double] = [], analytic: [Double] = []
        for i in [0, 5, 17, 30] {
            let old = a.pointer[i]
            a.pointer[i] = old + 1e-2; let hi = f()
            a.pointer[i] = old - 1e-2; let lo = f()
            a.pointer[i] = old
            numeric.append((hi - lo) / 2e-2)
            analytic.append(Double(g[i]))
        }
        // As the gradient check above: the error relative to the gradient's norm, since an entry near
        // zero is dominated by the finite difference's own rounding (a Float loss divided by 2e-2).
        var diff = 0.0, norm = 0.0
        for (n, x) in zip(numeric, analytic) { diff += (n - x) * (n - x); norm += x * x }
        XCTAssertLessThanOrEqual((diff / max(norm, 1e-12)).squareRoot(), 2e-2, "numeric \(numeric) analytic \(analytic)")
        print("LoRA dropout gradient check: numeric \(numeric) analytic \(analytic)")
        // Outside training (loss, inference) the adapter path sees the whole input.
        let evalA = pass.loss(sequences: sequences, labels: labels).mean, evalB = pass.loss(sequences: sequences, labels: labels).mean
        XCTAssertEqual(evalA, evalB)
        lora.reseed(100)
        XCTAssertNotEqual(pass.lossAndGradients(sequences: sequences, labels: labels, gradients: scratch).mean, evalA)
    }
}

/// Gives every adapter's `B` seeded non-zero values (PEFT starts it at zero, which would leave `A`
/// without gradient), module by module in name order so that the values do not depend on the
/// dictionary's per-process iteration order.
private func randomizeB(of adapter: LoRAAdapter, with rng: inout SplitMix64) {
    for module in adapter.modules.keys.sorted() {
        let b = adapter.modules[module]!.b
        for i in 0 ..< b.count { b.pointer[i] = (rng.nextUniform() - 0.5) * 0.6 }
    }
}
