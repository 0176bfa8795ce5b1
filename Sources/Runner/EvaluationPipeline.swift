import Foundation
import Harness
import Sandbox
import Tasks

/// `forgetbench eval` end to end: evaluate each task, aggregate, and write the run directory
/// (results, samples, Markdown report, JUnit XML).
public struct EvaluationPipeline: Sendable {
    public var model: any LanguageModel
    public var modelRecord: ModelRecord
    public var settings: EvaluationSettings
    /// Show progress on stderr.
    public var showsProgress = true
    /// Put before each progress line (an experiment indents its evaluations).
    public var progressIndent = ""
    /// When set, called with the number of items finished since the last call instead of
    /// printing per-task progress (an experiment draws one bar for a whole stage).
    public var itemsFinished: (@Sendable (Int) -> Void)?
    /// The prompt a chat-templated task shows the model: its text as a user turn of the model's
    /// chat template, with the generation prompt. Needed when a task applies the template.
    public var chatPrompt: (@Sendable (String) throws -> String)?
    /// sha256 of the template behind `chatPrompt`, recorded in the results.
    public var chatTemplateSHA256: String?
    /// Where code-execution tasks (MBPP, HumanEval) run the model's programs; checked before any
    /// model work when a task needs it. nil: a confined sandbox with the default settings.
    public var sandbox: Sandbox?

    public init(model: any LanguageModel, modelRecord: ModelRecord, settings: EvaluationSettings) {
        self.model = model
        self.modelRecord = modelRecord
        self.settings = settings
    }

    /// Evaluates `tasks` and writes everything to `output`. Returns the results.
    public func run(tasks: [any EvaluationTask], output: URL) async throws -> EvaluationResults {
        try RunDirectory.prepare(output)
        // Render every task's items first: a data or template problem fails before any model work.
        let shard = try settings.shard.map(Shard.init(parsing:))
        var usedTemplate = false
        let rendered = try tasks.map { task -> [TaskInstance] in
            let all = try task.instances(limit: self.settings.limit, seed: self.settings.seed)
            let selected = shard?.select(all) ?? all
            guard self.settings.applyChatTemplate ?? task.appliesChatTemplate, task.outputType != .loglikelihoodRolling else { return selected }
            guard let chatPrompt else {
                throw RunnerError.invalid("\(task.name): the task applies the chat template, which needs a local model (its tokenizer_config.json); pass --no-apply-chat-template to send plain prompts")
            }
            usedTemplate = true
            return try selected.map { instance in
                var templated = instance
                templated.prompt = try chatPrompt(instance.prompt)
                return templated
            }
        }
        var settings = self.settings
        if usedTemplate { settings.chatTemplateSHA256 = chatTemplateSHA256 }
        var evaluator = Evaluator(model: model, limit: settings.limit, seed: settings.seed)
        evaluator.sandbox = try Self.sandbox(for: tasks, given: sandbox)
        var taskResults: [TaskResult] = []
        var samples: [String: [SampleRecord]] = [:]
        var seconds: [String: Double] = [:]
        let started = Date()
        for (index, task) in tasks.enumerated() {
            let taskStart = Date()
            if showsProgress && itemsFinished == nil {
                FileHandle.standardError.write(Data("\(progressIndent)[\(index + 1)/\(tasks.count)] \(task.name) (\(task.outputType.rawValue))\n".utf8))
            }
            var bar: ProgressLine?
            var reported = 0
            let (result, records) = try await evaluator.evaluate(task, instances: rendered[index]) { done, total in
                if let itemsFinished {
                    itemsFinished(done - reported)
                    reported = done
                    return
                }
                guard showsProgress else { return }
                if bar == nil { bar = ProgressLine(label: progressIndent + task.name, total: total) }
                bar?.advance(to: done)
            }
            bar?.finish()
            taskResults.append(result)
            samples[task.name] = records
            seconds[task.name] = Date().timeIntervalSince(taskStart)
        }
        taskResults.sort { $0.name < $1.name }
        let results = EvaluationResults(model: modelRecord, settings: settings, tasks: taskResults,
                                        timings: Timings(totalSeconds: Date().timeIntervalSince(started), taskSeconds: seconds))
        try RunDirectory.write(results: results, samples: samples, report: EvaluationReport.markdown(results),
                               junit: try EvaluationReport.junit(results), to: output)
        return results
    }

    /// The sandbox for `tasks`, checked: nil when no task runs code; `given`, or a confined one
    /// with the default settings. - Throws: `SandboxError.unavailable` (naming the fix) before
    /// any model work when programs cannot be confined here.
    public static func sandbox(for tasks: [any EvaluationTask], given: Sandbox?) throws -> Sandbox? {
        guard tasks.contains(where: { ($0 as? any CodeExecutingTask)?.executesCode == true }) else { return nil }
        let sandbox = try given ?? Sandbox()
        try sandbox.checkAvailable()
        return sandbox
    }
}
