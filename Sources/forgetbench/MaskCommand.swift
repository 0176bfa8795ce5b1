import Tokenizers
import ArgumentParser
import CommandLineSupport
import Foundation
import Masking
import NativeModel
import OpenAIBackend
import Runner

/// `forgetbench mask`: build a masked training set (Selective Token Masking and its controls).
struct MaskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mask",
        abstract: "Write a masked training set (input_ids + labels with -100) for a masking regime.",
        discussion: """
        Input lines: {"prompt": ..., "response": ...}, {"messages": [{"role", "content"}, ...]} (the last \
        assistant message is the response, earlier turns the prompt; an optional "tools" list goes to a \
        tool-use chat template) or {"prompt_ids": [...], \
        "response_ids": [...]} (token ids used as given). Each example is chat-formatted and tokenized \
        once. With the model's chat template (--chat-format template, or auto when the model has one) \
        the tokens are those of transformers' apply_chat_template(..., tokenize=True) and the response \
        starts at the token count of the prompt rendered with add_generation_prompt, as the paper's \
        collator finds it; an example whose prompt is not a token-aligned prefix of the conversation \
        (a template that rewrites earlier turns) is an error naming its line. With plain, chatml or \
        llama3 the prompt part and the response are tokenized separately. Each is scored once by the \
        frozen base model (cached in --cache-dir, default the output's directory, as \
        forgetbench-scores-<key>.json keyed by the model fingerprint, the data's sha256, the chat format \
        and --max-seq-len), and masked. Prompt tokens are never trained on.

        Regimes: ground-truth | stm:TAU (drop response tokens with ppl > TAU, TAU > 1) | \
        top-fraction:K (drop the K fraction of response tokens with the highest ppl, ranked over the \
        whole dataset) | random:matched, random:K (as many random response tokens as stm:--tau drops, \
        or round(K*N); seeded by --seed) | lowest:matched, lowest:K (the lowest-ppl response tokens) | \
        dpf:T, dpf (differential perplexity: drop tokens whose ppl under --reference, a ground-truth \
        fine-tune of --model, exceeds their base ppl by more than T; dpf takes --tau) | stm+dpf:TAU \
        (stm:TAU, and also every token whose ppl rose under --reference) | soft (drop nothing; each \
        token's loss is weighted by its base probability 1/ppl, written as "weights").

        Output: one line per example with input_ids, labels (-100 where not trained, else the token \
        id; not shifted, as Hugging Face causal-LM losses expect) and ppl (per token; null for the \
        first); OUT.manifest.json records the base model fingerprint, regime, TAU, seed, chat format, \
        counts and truncations. Examples over --max-seq-len are truncated at the end and counted.

        Scoring through a server: --model openai:URL --model-name M --tokenizer FILE scores on a \
        served model (vLLM, SGLang, forgetbench serve), the way to mask data for a model too big for \
        the built-in engine. The tokenizer must be the served model's: the server is sent the token \
        ids (a list of ids as the prompt, echo: true, logprobs), so the labels are exactly those an \
        in-process run gives; a server that cannot score token-id prompts is an error naming that.

        Examples:
          forgetbench mask --model ../shared/models/stories260K/stories260K.bin --input train.jsonl --regime stm:2.5 --output train.stm.jsonl
          forgetbench mask --model openai:http://127.0.0.1:8000/v1 --model-name meta-llama/Llama-3.1-8B-Instruct \
            --tokenizer llama-3.1-8b/tokenizer.json --input train.jsonl --regime stm:2.5 --output train.stm.jsonl
        """
    )

    @OptionGroup var modelOptions: ModelOptions

    @OptionGroup(title: "Scoring through a server (--model openai:URL --tokenizer FILE)") var remoteOptions: RemoteModelOptions

    @Option(help: "Training set, JSON Lines.")
    var input: String

    @Option(help: ArgumentHelp("Masking regime: ground-truth, stm:TAU, top-fraction:K, random:matched, random:K, lowest:matched, lowest:K, dpf:T, stm+dpf:TAU, soft.", valueName: "regime"))
    var regime: String

    @Option(help: ArgumentHelp("dpf and stm+dpf: a ground-truth fine-tune of --model, as a LoRA adapter directory (applied to --model) or a whole model directory; it scores the same set and the regime compares its perplexities with the base's.", valueName: "path"))
    var reference: String?

    @OptionGroup var chat: ChatFormatOption

    @Flag(name: .customLong("mask-end-of-turn"), help: "Leave the end-of-turn tokens after each reply (<|eot_id|>, <|im_end|>, EOS) out of the loss; by default they are trained on, as the paper's collator does, so the tuned model learns to stop.")
    var maskEndOfTurn = false

    @Option(help: "Seed of the random regimes.")
    var seed: UInt64 = 0

    @Option(help: "TAU of stm (without :TAU) and of random:matched / lowest:matched; must be > 1.")
    var tau: Double = MaskingRegime.defaultTau

    @OptionGroup var sequence: MaxSequenceLengthOption

    @Option(name: .customLong("cache-dir"), help: "Directory of the base-model score cache (default: the output's directory).")
    var cacheDir: String?

    @Flag(name: .customLong("no-cache"), help: "Score without reading or writing the cache.")
    var noCache = false

    @Option(help: "Masked training set to write (JSON Lines); the manifest goes to OUT.manifest.json.")
    var output: String

    func run() async throws {
        let parsed = try MaskingRegime.parse(regime, tau: tau)
        let scorer = try modelOptions.loadForScoring(remote: remoteOptions)
        var referenceModel: NativeLanguageModel?
        if parsed.needsReference {
            guard let reference else {
                await scorer.close()
                throw ValidationError("--regime \(regime) needs --reference (a ground-truth fine-tune of --model: its LoRA adapter directory or a model directory)")
            }
            let isAdapter = FileManager.default.fileExists(atPath: URL(fileURLWithPath: reference).appendingPathComponent("adapter_config.json").path)
            referenceModel = try NativeLanguageModel.load(modelPath: isAdapter ? modelOptions.model : reference, tokenizerPath: modelOptions.tokenizer,
                                                          adapterPath: isAdapter ? reference : nil)
        }
        nonisolated(unsafe) var progress: ProgressLine?
        let request = MaskingRequest(input: input, output: output, regime: parsed, chatFormat: chat.chatFormat, seed: seed,
                                     maxSeqLen: sequence.maxSeqLen, cacheDirectory: cacheDir, useCache: !noCache, trainOnEndOfTurn: !maskEndOfTurn)
        let builder = MaskedDatasetBuilder(model: scorer.model, tokenizer: scorer.tokenizer, tokenizerPath: scorer.tokenizerPath) {
            FileHandle.standardError.write(Data("note: \($0)\n".utf8))
        }
        let outcome: MaskedDatasetBuilder.Outcome
        do {
            // Token ids mean text only under one tokenizer: check the server's against --tokenizer.
            if let served = scorer.model as? OpenAILanguageModel {
                let probe = "ForgetBench tokenizer check: The quick brown fox jumps over 13 lazy dogs; 12345 + 678 = 13023."
                if !(try await served.checkTokenizer(probe: probe, expected: scorer.tokenizer.encode(probe, addSpecialTokens: true))) {
                    FileHandle.standardError.write(Data("note: the server has no /tokenize route; its tokenizer is taken to be \(scorer.tokenizerPath)\n".utf8))
                }
            }
            outcome = try await builder.run(request, reference: referenceModel) { done, total in
                if progress == nil { progress = ProgressLine(label: "scoring", total: total) }
                progress?.advance(to: done)
            }
        } catch {
            await scorer.close()
            throw error
        }
        await scorer.close()
        progress?.finish()
        let m = outcome.manifest
        print("\(m.counts.examples) examples, \(m.counts.responseTokens) response tokens, \(m.counts.maskedTokens) masked "
            + "(\(String(format: "%.1f", m.counts.maskedFraction * 100))%) under \(m.regime), chat format \(m.chatFormat), "
            + "\(m.truncatedExamples) truncated; scores \(outcome.usedCache ? "from the cache" : "computed"); wrote \(output)")
    }
}
