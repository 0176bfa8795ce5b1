/// How a task asks the model (lm-evaluation-harness's output types).
public enum OutputType: String, Codable, Sendable, CaseIterable {
    /// One log-likelihood request per choice, sharing the item's context; the highest wins.
    case multipleChoice = "multiple_choice"
    /// The log-likelihood of the item's target after its prompt (and whether it is greedy).
    case loglikelihood
    /// The log-likelihood of a whole text, in windows of the model's context.
    case loglikelihoodRolling = "loglikelihood_rolling"
    /// Free generation until a stop sequence or a token budget, then answer extraction.
    case generateUntil = "generate_until"
}
