import Harness
import NativeModel

/// What the engine did with one prompt: its tokens, the new tokens, the text they add and,
/// when log-probs were asked for, the teacher-forced scores of the whole sequence.
public struct PromptRun: Sendable {
    /// The prompt's tokens.
    public var promptTokens: [Int]
    /// Every token generated (the one that completed a stop sequence included; EOS excluded).
    public var generated: [Int]
    /// The text the generated tokens add after the prompt, before any stop-sequence cut.
    public var fullCompletion: String
    /// The completion returned to the client: cut before the first stop sequence.
    public var completion: String
    /// Why generation ended (`length` when `max_tokens` is 0).
    public var finishReason: FinishReason
    /// `scores[i]` describes token `i + 1` of `promptTokens + generated`; nil without log-probs.
    public var scores: [PositionScore]?

    /// Runs every prompt on `model`'s engine: the prompts' generations join the batch that all
    /// requests share (``ServedModel/generate(_:onToken:)``, each equal to the prompt generated
    /// alone), then, when `topK` is not nil, one batched teacher-forced pass scores all sequences.
    /// - Throws: `EngineError` when the engine refuses a prompt (it should not after validation).
    public static func run(prompts: [[Int]], sampling: SamplingParameters, topK: Int?, model: ServedModel) async throws -> [PromptRun] {
        var runs = prompts.map {
            PromptRun(promptTokens: $0, generated: [], fullCompletion: "", completion: "", finishReason: .length)
        }
        if sampling.maxTokens > 0 {
            let jobs = prompts.map(sampling.job(prompt:))
            for (i, outcome) in try await model.generate(jobs).enumerated() {
                runs[i].generated = outcome.tokens
                runs[i].fullCompletion = model.engine.continuationText(prompt: prompts[i], generated: outcome.tokens)
                runs[i].completion = outcome.text
                runs[i].finishReason = outcome.finishReason
            }
        }
        if let topK {
            let sequences = runs.map { $0.promptTokens + $0.generated }
            let scored = try await model.withEngine { engine in try PromptScorer.score(sequences, topK: topK, model: engine) }
            for i in runs.indices { runs[i].scores = scored[i] }
        }
        return runs
    }
}
