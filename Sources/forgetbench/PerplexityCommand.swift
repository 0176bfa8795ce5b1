import Tokenizers
import ArgumentParser
import CommandLineSupport
import Foundation
import Harness
import Masking
import NativeModel
import Runner

struct PerplexityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perplexity",
        abstract: "Score every token of a set of texts with the built-in engine.",
        discussion: """
        Each input line is {"text": ...} (tokenized with BOS, as the model's tokenizer does) or \
        {"token_ids": [...]} (used as given). Each output line holds token_ids, logprobs (one per \
        token after the first: the natural-log probability of token i given tokens 0..i-1), \
        perplexities (exp(-logprob)) and mean_nll, plus the input's "id" when it has one. The \
        output is written atomically once every line is scored.

        With --summary the input is a training set (the lines forgetbench mask reads: prompt/response, \
        messages, or prompt_ids/response_ids), chat-formatted as --chat-format says, and the command \
        prints the distribution of response-token perplexities to choose a TAU: quantiles (p10, p25, \
        median, p75, p90, p99), a histogram of ln(ppl), and the fraction stm:TAU masks at each of --taus.

        Examples:
          forgetbench perplexity --model ../shared/models/stories260K/stories260K.bin --input texts.jsonl --output scores.jsonl
          forgetbench perplexity --model ../shared/models/stories260K/stories260K.bin --input train.jsonl --summary --taus 1.5,2,2.5,5
        """
    )

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "JSON Lines input: {\"text\": ...} or {\"token_ids\": [...]} per line.")
    var input: String

    @Option(help: "JSON Lines output path (required without --summary).")
    var output: String?

    @Flag(help: "Summarise the response-token perplexities of a training set (to choose TAU) instead of writing per-token scores.")
    var summary = false

    @OptionGroup var chat: ChatFormatOption

    @Option(help: "With --summary: comma-separated TAUs at which to report the masked fraction.")
    var taus: String = "1.5,2,2.5,5,10"

    @OptionGroup var sequence: MaxSequenceLengthOption

    func validate() throws {
        if !summary && output == nil { throw ValidationError("Missing expected argument '--output <output>' (or pass --summary)") }
        if summary && output != nil { throw ValidationError("--summary prints to the terminal; drop --output") }
    }

    func run() async throws {
        if summary { return try await runSummary() }
        let output = self.output!
        let lines = try JSONLines.readObjects(path: input)
        let model = try modelOptions.load()
        var sequences: [[Int]] = []
        for (line, object) in lines {
            if let text = object["text"]?.stringValue {
                sequences.append(model.encode(text))
            } else if let ids = object["token_ids"]?.arrayValue {
                let tokens = ids.compactMap(\.integralValue)
                guard tokens.count == ids.count else {
                    throw JSONLines.LineError(path: input, line: line, problem: "token_ids must be a list of integers")
                }
                guard let bad = tokens.first(where: { $0 < 0 || $0 >= model.config.vocabSize }) else {
                    sequences.append(tokens)
                    continue
                }
                throw JSONLines.LineError(path: input, line: line, problem: "token id \(bad) is outside the vocabulary (0..<\(model.config.vocabSize))")
            } else {
                throw JSONLines.LineError(path: input, line: line, problem: "expected a \"text\" string or a \"token_ids\" list")
            }
            if sequences.last!.count > model.maxContextLength + 1 {
                throw JSONLines.LineError(path: input, line: line, problem: "\(sequences.last!.count) tokens exceed the model's context of \(model.maxContextLength) (+1 scored token)")
            }
        }
        let progress = ProgressLine(label: "scoring", total: sequences.count)
        var out = Data()
        let chunk = 64
        for start in stride(from: 0, to: sequences.count, by: chunk) {
            let part = Array(sequences[start ..< min(start + chunk, sequences.count)])
            let scores = try model.scores(part)
            for (offset, score) in scores.enumerated() {
                let index = start + offset
                var record: JSONObject = [
                    "token_ids": .array(sequences[index].map(JSONValue.int)),
                    "logprobs": .array(score.logProbs.map(JSONValue.double)),
                    "perplexities": .array(score.logProbs.map { .double(Foundation.exp(-$0)) }),
                    "mean_nll": .double(score.logProbs.isEmpty ? 0 : -score.logProbs.reduce(0, +) / Double(score.logProbs.count)),
                ]
                if let id = lines[index].object["id"] { record.append("id", id) }
                out.append(Data((JSONValue.object(record).canonicalJSON + "\n").utf8))
            }
            progress.advance(to: min(start + chunk, sequences.count))
        }
        progress.finish()
        try AtomicFile.write(out, to: URL(fileURLWithPath: output))
    }

    /// `--summary`: the response-token perplexity distribution of a training set.
    func runSummary() async throws {
        let tauValues = try taus.split(separator: ",").map { part -> Double in
            guard let v = Double(part.trimmingCharacters(in: .whitespaces)), v.isFinite else {
                throw MaskingError.badOption("--taus must be comma-separated numbers (got '\(taus)')")
            }
            return v
        }
        let model = try modelOptions.load()
        nonisolated(unsafe) var progress: ProgressLine?
        let builder = MaskedDatasetBuilder(model: model, tokenizer: model.tokenizer, tokenizerPath: model.tokenizerPath) {
            FileHandle.standardError.write(Data("note: \($0)\n".utf8))
        }
        let scored = try await builder.scoreFile(input: input, chatFormat: chat.chatFormat, maxSeqLen: sequence.maxSeqLen, cacheDirectory: nil) { done, total in
            if progress == nil { progress = ProgressLine(label: "scoring", total: total) }
            progress?.advance(to: done)
        }
        progress?.finish()
        print("chat format \(scored.format.rawValue); \(scored.scores.filter(\.tokens.truncated).count) examples truncated to \(scored.maxSeqLen) tokens")
        print(PerplexitySummary(scores: scored.scores, taus: tauValues).render())
    }
}
