/// A task that also has a training split, so an experiment can fine-tune on it (the target task)
/// and build data regimes from it (`self-output` samples the base model's answers to the training
/// prompts and keeps those `score(_:response:)` judges correct).
public protocol TrainableTask: EvaluationTask {
    /// The training split's items, rendered like test items (same prompt format), in a fixed
    /// order; never overlapping the test split. `limit` takes the first N.
    func trainingInstances(limit: Int?) throws -> [TaskInstance]

    /// The response to fine-tune on for a training item, exactly as the task's annotators wrote it
    /// (the text that follows the prompt, without the prompt).
    func groundTruthResponse(for instance: TaskInstance) -> String

    /// The metric whose per-item value 1 means "correct" (for keeping self-outputs).
    var correctnessMetric: String { get }
}
