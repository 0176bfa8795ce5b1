import ArgumentParser
import CommandLineSupport
import Foundation
import NativeModel

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Continue a prompt with the built-in engine and print the continuation.",
        discussion: """
        Prints only the new text (not the prompt), decoded by the tokenizer's rules, then a newline. \
        Temperature 0 is greedy; otherwise llama2.c's sampler is used, so the same seed, temperature \
        and top-p give the same text as llama2.c's run.c.

        Example:
          forgetbench generate --model ../shared/models/stories260K/stories260K.bin --prompt "" --max-tokens 200 --temperature 0
        """
    )

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "The text to continue (may be empty: generation then starts from BOS).")
    var prompt: String

    @Option(name: .customLong("max-tokens"), help: "Most new tokens to generate.")
    var maxTokens: Int = 256

    @Option(help: "Sampling temperature; 0 is greedy.")
    var temperature: Float = 1.0

    @Option(name: .customLong("top-p"), help: "Nucleus sampling threshold in (0, 1); 0 or 1 samples from the whole distribution.")
    var topP: Float = 0.9

    @Option(help: "Seed of the sampler (non-zero).")
    var seed: UInt64 = 42

    @Option(name: .customLong("stop"), help: "Stop before this text (repeatable).")
    var stop: [String] = []

    func validate() throws {
        guard maxTokens >= 0 else { throw ValidationError("--max-tokens must be 0 or more, got \(maxTokens)") }
        guard temperature >= 0, temperature.isFinite else { throw ValidationError("--temperature must be 0 or more, got \(temperature)") }
        guard topP >= 0, topP <= 1 else { throw ValidationError("--top-p must be within [0, 1], got \(topP)") }
        guard seed != 0 else { throw ValidationError("--seed must be non-zero (llama2.c's xorshift sampler stays at 0 forever)") }
    }

    func run() throws {
        let model = try modelOptions.load()
        let tokens = model.encode(prompt)
        let result = try model.generate(prompt: tokens, maxNewTokens: maxTokens, temperature: temperature,
                                        topP: topP, seed: seed, stopSequences: stop)
        print(result.text)
    }
}
