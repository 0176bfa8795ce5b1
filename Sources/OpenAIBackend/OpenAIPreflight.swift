import Harness

extension OpenAILanguageModel {
    /// Before any evaluation: when some of `tasks` need log-likelihoods (multiple_choice,
    /// loglikelihood, loglikelihood_rolling), checks with one request that the server returns
    /// prompt log-probs. Throws `OpenAIBackendError.noPromptLogprobs` naming those tasks when it
    /// does not, so a run fails before it starts rather than after its generation tasks.
    public func checkCanEvaluate(_ tasks: [any EvaluationTask]) async throws {
        let needing = tasks.filter { $0.outputType != .generateUntil }.map(\.name)
        guard !needing.isEmpty else { return }
        do {
            try await checkPromptLogprobs()
        } catch OpenAIBackendError.noPromptLogprobs(let url, let detail) {
            throw OpenAIBackendError.noPromptLogprobs(url: url, detail: "\(detail); cannot run: \(needing.joined(separator: ", "))")
        }
    }
}
