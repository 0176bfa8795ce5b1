import ArgumentParser
import Foundation
import Runner

struct PretrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pretrain",
        abstract: "Pretrain the toy world's base model (the quickstart's default model) from scratch.",
        discussion: """
        Trains a small Llama-architecture model with the toy world's small subword tokenizer on \
        its non-target skills (toy_reverse, toy_upper, toy_successor, toy_max, toy_facts) and on \
        its target (toy_subtract, whose borrow items the corpus answers right only 45% of the \
        time), in the varied house style ('Q: ...\\nA: 26' or 'A: so that makes 26.'). Deterministic for the same options on the same machine; the \
        defaults reproduce the committed models/toy-base. The output directory (config.json, \
        model.safetensors, generation_config.json, tokenizer.json, pretrain.json) is replaced whole \
        at the end. Progress lines go to standard error. Use a release build.

        Example:
          forgetbench pretrain --output models/toy-base
        """
    )

    @Option(help: ArgumentHelp("Output model directory.", valueName: "dir")) var output = "models/toy-base"
    @Option(help: "Optimiser steps.") var steps = ToyPretrainingOptions().steps
    @Option(name: .customLong("batch-size"), help: "Training examples per optimiser step.") var batchSize = ToyPretrainingOptions().batchSize
    @Option(help: "Peak learning rate.") var lr = ToyPretrainingOptions().learningRate
    @Option(help: "Warm-up steps.") var warmup = ToyPretrainingOptions().warmupSteps
    @Option(help: "Seed of the initialisation, the corpus and the shuffle.") var seed = ToyPretrainingOptions().seed

    func validate() throws {
        guard steps >= 1, batchSize >= 1, warmup >= 0, lr > 0, lr.isFinite else {
            throw ValidationError("--steps and --batch-size must be at least 1, --warmup at least 0, --lr positive")
        }
    }

    func run() throws {
        var options = ToyPretrainingOptions()
        options.steps = steps
        options.batchSize = batchSize
        options.learningRate = lr
        options.warmupSteps = warmup
        options.seed = seed
        try ToyPretraining.run(options: options, output: URL(fileURLWithPath: output)) { line in
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }
}
