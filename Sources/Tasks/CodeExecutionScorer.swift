import Foundation
import Harness
import Metrics
import Sandbox

/// Scores a code-execution item: takes the program out of each of the item's answers, puts it
/// together with the item's tests (its target), runs every program in the sandbox, and reports
/// pass@k for each metric from the n answers (Chen et al.'s unbiased estimator; pass@1 with one
/// answer is 1 when it passed, else 0), plus the auxiliary values `samples` (n) and `passed` (c).
///
/// An item's target is its test program. The model's code goes where the target has a line
/// `#@completion` (HumanEval: the function head, then the completion, then the tests), or before
/// the whole target when it has none (MBPP: the function, then its asserts).
public struct CodeExecutionScorer: Sendable {
    /// The line of a target that the extracted code replaces.
    public static let completionMarker = "#@completion"

    public var extraction: ProgramExtraction
    /// The pass@k metrics: (report name, k).
    public var metrics: [(name: String, k: Int)]

    public init(extraction: ProgramExtraction, metrics: [(name: String, k: Int)]) {
        self.extraction = extraction
        self.metrics = metrics
    }

    /// The program run for `answer` on an item whose target is `target`.
    public func program(answer: String, target: String) -> String {
        let code = extraction.extract(from: answer)
        var lines = target.split(separator: "\n", omittingEmptySubsequences: false)
        if let marker = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == Self.completionMarker }) {
            lines[marker] = Substring(code)
            return lines.joined(separator: "\n")
        }
        return code + "\n" + target
    }

    /// The item's score from its answers' outcomes (in the answers' order).
    /// - Parameters:
    ///   - code: the first answer's extracted program (reported as the extracted answer).
    public func score(outcomes: [ProgramOutcome], code: String) -> ItemScore {
        let n = outcomes.count
        let c = outcomes.filter { $0.kind.isPass }.count
        var values: [String: Double] = ["samples": Double(n), "passed": Double(c)]
        for metric in metrics {
            values[metric.name] = n >= metric.k && n > 0 ? PassAtK.estimate(samples: n, correct: c, k: metric.k) : .nan
        }
        let described = outcomes.map { $0.detail.isEmpty ? $0.kind.rawValue : "\($0.kind.rawValue): \($0.detail)" }
        return ItemScore(values: values, extractedAnswer: code, outcome: described.joined(separator: "; "))
    }

    /// The answers of a response: one generation or several, or nil (a response of another kind).
    static func answers(_ response: ModelResponse) -> [String]? {
        switch response {
        case let .generation(g): return [g.text]
        case let .generations(gs) where !gs.isEmpty: return gs.map(\.text)
        default: return nil
        }
    }

    /// Scores items in a batch, running all their programs in `sandbox` in parallel.
    public func score(_ instances: [TaskInstance], responses: [ModelResponse], sandbox: Sandbox) async -> [ItemScore] {
        var programs: [String] = []
        var spans: [Range<Int>?] = []
        for (instance, response) in zip(instances, responses) {
            guard let answers = Self.answers(response) else { spans.append(nil); continue }
            let start = programs.count
            programs += answers.map { program(answer: $0, target: instance.target) }
            spans.append(start ..< programs.count)
        }
        let outcomes = await sandbox.run(programs)
        return zip(zip(instances, responses), spans).map { pair, span in
            guard let span else { return invalid(pair.1) }
            let answers = Self.answers(pair.1) ?? []
            return score(outcomes: Array(outcomes[span]), code: answers.first.map { extraction.extract(from: $0) } ?? "")
        }
    }

    /// Scores one item, running its programs one after another in `sandbox` (blocking).
    public func score(_ instance: TaskInstance, response: ModelResponse, sandbox: Sandbox) -> ItemScore {
        guard let answers = Self.answers(response) else { return invalid(response) }
        let outcomes = answers.map { sandbox.run(program(answer: $0, target: instance.target)) }
        return score(outcomes: outcomes, code: answers.first.map { extraction.extract(from: $0) } ?? "")
    }

    func invalid(_ response: ModelResponse) -> ItemScore {
        var values: [String: Double] = ["samples": 0, "passed": 0]
        for metric in metrics { values[metric.name] = 0 }
        return ItemScore(values: values, extractedAnswer: "[invalid response: \(TaskScorer.kind(response)) for a code-execution task]")
    }
}

/// A task whose scoring runs programs. The Runner hands it the run's sandbox (with the user's
/// worker count and confinement) and a batch of items, whose programs then run in parallel;
/// `score(_:response:)` runs one item's programs in `CodeExecution.fallbackSandbox`.
public protocol CodeExecutingTask: EvaluationTask {
    /// Whether any metric runs code.
    var executesCode: Bool { get }
    /// Scores `instances` from `responses` (same order), running programs in `sandbox`.
    func score(_ instances: [TaskInstance], responses: [ModelResponse], sandbox: Sandbox) async -> [ItemScore]
}

/// The sandbox of code-execution tasks scored one item at a time, outside an evaluation run.
public enum CodeExecution {
    /// A confined sandbox with the default limits (created on first use; its programs are
    /// `sandbox_refused` where bubblewrap cannot work).
    public static let fallbackSandbox: Sandbox = {
        // The default configuration is valid by construction.
        try! Sandbox(configuration: SandboxConfiguration())
    }()
}
