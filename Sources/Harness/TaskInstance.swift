/// One evaluation item, fully rendered (few-shot examples included in `prompt`).
public struct TaskInstance: Codable, Hashable, Sendable {
    /// Stable within the task and dataset version (a record id, or the record's index).
    public var id: String
    /// The context the model sees.
    public var prompt: String
    /// The gold answer as text, for reports and for `loglikelihood` tasks.
    public var target: String
    /// For `multiple_choice`: the continuations scored after `prompt`.
    public var choices: [String]
    /// For `multiple_choice`: the index of the correct choice.
    public var goldIndex: Int?
    /// For `multiple_choice` with partial evaluation (Winogrande): the full context of each choice,
    /// one per entry of `choices`, each scored with its own continuation. nil: every choice
    /// follows `prompt`.
    public var choiceContexts: [String]?

    public init(id: String, prompt: String, target: String, choices: [String] = [], goldIndex: Int? = nil, choiceContexts: [String]? = nil) {
        precondition(choiceContexts == nil || choiceContexts!.count == choices.count, "one context per choice")
        self.id = id
        self.prompt = prompt
        self.target = target
        self.choices = choices
        self.goldIndex = goldIndex
        self.choiceContexts = choiceContexts
    }

    /// The log-likelihood requests of a `multiple_choice` item, one per choice in order: each
    /// choice's continuation after its own context (`choiceContexts`) or after `prompt`.
    public var choiceRequests: [LoglikelihoodRequest] {
        choices.indices.map { k in LoglikelihoodRequest(context: choiceContexts?[k] ?? prompt, continuation: choices[k]) }
    }

    /// The text that identifies what the model was shown (hashed into sample records so items
    /// pair across runs): `prompt`, or every choice's context when they differ.
    public var shownText: String {
        guard let choiceContexts else { return prompt }
        return choiceContexts.joined(separator: "\u{1E}")
    }
}
