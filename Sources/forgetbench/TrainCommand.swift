import ArgumentParser
import CommandLineSupport
import Foundation
import Harness
import Masking
import NativeModel
import Runner

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Fine-tune a model with the built-in engine on a masked training set.",
        discussion: """
        --data is the output of 'forgetbench mask' (input_ids + labels with -100, and its \
        manifest, whose base-model fingerprint must be this model's). The loss is the mean \
        cross-entropy over the tokens whose label is not -100. AdamW with bias correction and \
        decoupled weight decay (not on biases and norms), linear warm-up then cosine decay, \
        global-norm clipping, gradient accumulation, a seeded shuffle per epoch.

        LoRA (the default, on all linear layers as the paper used; initialised as PEFT does) writes a \
        PEFT adapter to --output (adapter_config.json + adapter_model.safetensors), loadable with \
        --model BASE --adapter OUTPUT by every command and by PEFT; with --merge it writes the merged \
        model instead. Full fine-tuning (--full) writes a Hugging Face model directory (config.json, \
        model.safetensors, generation_config.json, the tokenizer), loadable with --model. Progress \
        shows step, loss, tokens/s and ETA. A resumable checkpoint is kept in OUTPUT/checkpoint \
        (every --checkpoint-every steps); after an interruption, run the same command with --resume. \
        A NaN or infinite loss stops the run before the step is applied. OUTPUT/training.json records \
        the loss of every optimiser step.

        --trainer-command hands the training to an external program (e.g. PyTorch on GPUs with \
        integrations/hf/train.py) with the same settings: ForgetBench writes them to \
        OUTPUT/trainer-settings.json, runs the command (no shell; placeholders {data}, {settings}, \
        {base}, {output}, {gpus}), appends its output to OUTPUT/trainer.log, shows its step lines, \
        and checks it left an adapter or a model in OUTPUT. The trainer's exit status is this \
        command's when it fails.

        Examples:
          forgetbench train --model ../shared/models/stories260K/stories260K.bin --data train.stm.jsonl --lr 1e-3 --output runs/stm-adapter
          forgetbench train --model ../shared/models/stories260K/stories260K.bin --data train.stm.jsonl --full --lr 1e-3 --epochs 2 --output runs/stm-model
          forgetbench train --model models/llama-3-8b-instruct --data train.stm.jsonl --lr 2e-4 --output runs/stm \
            --trainer-command 'accelerate launch --num_processes {gpus} integrations/hf/train.py --data {data} --settings {settings} --model {base} --output {output}' --gpus 8
        """
    )

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: ArgumentHelp("A masked training set written by 'forgetbench mask'.", valueName: "file.jsonl"))
    var data: String

    @Option(help: ArgumentHelp("Output directory for the fine-tuned model.", valueName: "dir"))
    var output: String

    @Flag(help: "Full fine-tuning of every weight instead of LoRA.")
    var full = false

    @Option(name: .customLong("lora-rank"), help: "LoRA rank.")
    var loraRank: Int = 8

    @Option(name: .customLong("lora-alpha"), help: "LoRA alpha (the update is scaled by alpha / rank).")
    var loraAlpha: Double = 16

    @Option(name: .customLong("lora-dropout"), help: "LoRA dropout on the adapter path's input while training, as PEFT's lora_dropout.")
    var loraDropout: Double = 0

    @Flag(help: "With LoRA: write the merged model (a Hugging Face directory) instead of the adapter.")
    var merge = false

    @Option(help: "Peak learning rate.") var lr: Double = 2e-5
    @Option(help: "Passes over the data.") var epochs: Int = 3
    @Option(name: .customLong("batch-size"), help: "Training examples per micro-batch (an optimiser step sees --batch-size × --grad-accum); the spec's training.batch_size.") var batchSize: Int = 8
    @Option(name: .customLong("grad-accum"), help: "Micro-batches per optimiser step.") var gradAccum: Int = 1
    @OptionGroup var sequence: MaxSequenceLengthOption
    var maxSeqLen: Int? { sequence.maxSeqLen }
    @Option(help: "Warm-up optimiser steps.") var warmup: Int = 0
    @Option(name: .customLong("weight-decay"), help: "AdamW's decoupled weight decay.") var weightDecay: Double = 0
    @Option(name: .customLong("max-grad-norm"), help: "Clip the global gradient norm to this (0: off).") var maxGradNorm: Double = 1
    @Option(help: "Seed of the shuffle.") var seed: UInt64 = 42
    @Option(name: .customLong("checkpoint-every"), help: "Optimiser steps between resumable checkpoints.") var checkpointEvery: Int = 50
    @Flag(help: "Continue an interrupted run from OUTPUT/checkpoint.") var resume = false
    @Option(name: .customLong("trainer-command"), help: ArgumentHelp(
        "Train with this external command instead of the built-in engine (placeholders {data}, {settings}, {base}, {output}, {gpus}).",
        valueName: "command line")) var trainerCommand: String?
    @Option(help: "With --trainer-command: processes to launch ({gpus}).") var gpus: Int = 1
    @Option(help: "With --trainer-command: float32, bfloat16 or float16.") var dtype: String = "float32"

    func validate() throws {
        guard loraRank >= 1, loraAlpha > 0 else { throw ValidationError("--lora-rank must be at least 1 and --lora-alpha positive") }
        guard loraDropout >= 0, loraDropout < 1 else { throw ValidationError("--lora-dropout must be in [0, 1)") }
        if full && merge { throw ValidationError("--merge applies to LoRA; full fine-tuning already writes a whole model") }
        guard lr > 0, lr.isFinite else { throw ValidationError("--lr must be positive") }
        guard epochs >= 1, batchSize >= 1, gradAccum >= 1, warmup >= 0, checkpointEvery >= 0 else {
            throw ValidationError("--epochs, --batch-size and --grad-accum must be at least 1; --warmup and --checkpoint-every at least 0")
        }
        if let trainerCommand {
            do { _ = try TrainerCommand(trainerCommand) } catch { throw ValidationError("--trainer-command: \(error)") }
            guard gpus >= 1 else { throw ValidationError("--gpus must be at least 1") }
            guard ["float32", "bfloat16", "float16"].contains(dtype) else { throw ValidationError("--dtype must be float32, bfloat16 or float16") }
            if resume { throw ValidationError("--resume applies to the built-in trainer; an external trainer resumes on its own terms") }
        }
    }

    var settings: TrainingSettings {
        var settings = TrainingSettings()
        settings.learningRate = lr
        settings.epochs = epochs
        settings.batchSize = batchSize
        settings.gradientAccumulation = gradAccum
        settings.warmupSteps = warmup
        settings.weightDecay = weightDecay
        settings.maxGradientNorm = maxGradNorm
        settings.seed = seed
        settings.checkpointEvery = checkpointEvery
        return settings
    }

    var method: FineTuningMethod { full ? .full : .lora(rank: loraRank, alpha: loraAlpha, dropout: loraDropout) }

    func run() throws {
        if let trainerCommand { return try runExternal(trainerCommand) }
        let model = try modelOptions.load()
        let settings = settings
        var job = FineTuningJob(model: model, modelSource: modelOptions.model, settings: settings,
                                method: method)
        job.merge = merge
        job.maxSequenceLength = maxSeqLen
        job.resume = resume ? .required : .refuse
        let examples = try job.readDataset(path: data)
        let total = settings.totalSteps(examples: examples.count)
        let limit = min(maxSeqLen ?? model.maxContextLength, model.maxContextLength)
        let truncated = examples.count { $0.inputIDs.count > limit }
        if resume { FileHandle.standardError.write(Data("resuming from \(output)/checkpoint\n".utf8)) }
        FileHandle.standardError.write(Data("training (\(job.method)) \(examples.count) examples (\(truncated) truncated to \(limit) tokens), \(total) optimiser steps\n".utf8))
        let isTerminal = isatty(STDERR_FILENO) != 0
        var lastPrint = Date.distantPast
        job.progress = { p in
            let now = Date()
            guard p.step == p.totalSteps || now.timeIntervalSince(lastPrint) >= (isTerminal ? 0.2 : 5) else { return }
            lastPrint = now
            let line = String(format: "step %d/%d  loss %.4f  lr %.2e  grad-norm %.3f  %.0f tok/s  ETA %ds",
                              p.step, p.totalSteps, p.loss, p.learningRate, p.gradientNorm, p.tokensPerSecond, Int(p.secondsRemaining))
            FileHandle.standardError.write(Data((isTerminal ? "\r" + line + " " : line + "\n").utf8))
        }
        let summary = try job.run(examples: examples, dataSHA256: try ContentHash.sha256(fileAt: URL(fileURLWithPath: data)),
                                  output: URL(fileURLWithPath: output))
        if isTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
        if !full && !merge {
            print(String(format: "final loss %.4f; wrote the LoRA adapter %@ (load it with --model %@ --adapter %@)", summary.finalLoss, output, modelOptions.model, output))
        } else {
            print(String(format: "final loss %.4f; wrote %@ (load it with --model %@)", summary.finalLoss, output, output))
        }
    }

    /// `--trainer-command`: the data's tokenizer is checked here (the trainer checks it again), then
    /// the command runs with the settings this command's options give.
    func runExternal(_ template: String) throws {
        let command = try TrainerCommand(template)
        let manifest = try MaskedDatasetManifest.load(forDataset: data)
        let directory = URL(fileURLWithPath: modelOptions.model)
        let tokenizer = modelOptions.tokenizer.map { URL(fileURLWithPath: $0) } ?? directory.appendingPathComponent("tokenizer.json")
        if let expected = manifest.tokenizerSHA256, let bytes = FileManager.default.contents(atPath: tokenizer.path), ContentHash.sha256(bytes) != expected {
            throw RunnerError.invalid("\(data): was tokenised by another tokenizer than \(tokenizer.path) (its manifest names sha256 \(expected)); mask the data with this model")
        }
        var job = ExternalTrainingJob(command: command, settings: ExternalTrainerSettings(settings: settings, method: method, merge: merge, maxSeqLen: maxSeqLen, dtype: dtype),
                                      data: URL(fileURLWithPath: data), base: modelOptions.model)
        job.processes = gpus
        job.line = { line in
            if line.hasPrefix("step ") || line.hasPrefix("error") || line.hasPrefix("Traceback") {
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
        }
        FileHandle.standardError.write(Data("training (\(method)) with \(command.words[0]); its output goes to \(output)/trainer.log\n".utf8))
        do {
            let summary = try job.run(output: URL(fileURLWithPath: output))
            print(String(format: "final loss %.4f; the trainer wrote %@", summary.finalLoss, output))
        } catch let error as ExternalTrainerError {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(error.exitCode == 0 ? 1 : error.exitCode)
        }
    }
}
