import Foundation
import Harness

/// One item whose 0/1 metric changed between a base run and a candidate run: right under the base
/// and wrong under the candidate (``Direction-swift.enum/rightToWrong``, McNemar's `b`) or the
/// reverse (``Direction-swift.enum/wrongToRight``, McNemar's `c`).
///
/// Every text field is model or task output: reports escape it (Markdown, XML, HTML) and never
/// interpret it.
public struct ItemFlip: Codable, Equatable, Sendable {
    /// Which way the item changed.
    public enum Direction: String, Codable, Sendable, CaseIterable {
        /// Right under the base, wrong under the candidate (a lost item; McNemar's `b`).
        case rightToWrong = "right_to_wrong"
        /// Wrong under the base, right under the candidate (a gained item; McNemar's `c`).
        case wrongToRight = "wrong_to_right"
    }

    /// The item's id in its task.
    public var id: String
    public var direction: Direction
    /// The first line of the prompt's last block (the text after its last blank line: the item's
    /// own question when few-shot examples come first), at most ``excerptLength`` characters; nil
    /// when the runs did not record prompts.
    public var prompt: String?
    /// What the base model answered (its extracted answer, else its generation or choice).
    public var baseAnswer: String
    /// What the candidate answered, as ``baseAnswer``.
    public var candidateAnswer: String
    /// The gold answer.
    public var target: String

    /// Longest prompt excerpt and answer kept, in characters (longer text ends with `…`).
    public static let excerptLength = 200

    public init(id: String, direction: Direction, prompt: String?, baseAnswer: String, candidateAnswer: String, target: String) {
        self.id = id
        self.direction = direction
        self.prompt = prompt
        self.baseAnswer = baseAnswer
        self.candidateAnswer = candidateAnswer
        self.target = target
    }

    /// The flip of one paired item, or nil when its value of `metric` is the same in both runs.
    /// Values other than 0 and 1 are not flips (the metric is not right/wrong).
    static func between(base: SampleRecord, candidate: SampleRecord, metric: String) -> ItemFlip? {
        guard let b = base.values[metric], let c = candidate.values[metric], b != c,
              (b == 0 || b == 1), (c == 0 || c == 1) else { return nil }
        return ItemFlip(id: base.id, direction: b == 1 ? .rightToWrong : .wrongToRight,
                        prompt: base.prompt.map(promptExcerpt), baseAnswer: answer(of: base), candidateAnswer: answer(of: candidate),
                        target: shortened(base.target))
    }

    /// The first line of `prompt`'s last block (after its last blank line), shortened.
    public static func promptExcerpt(_ prompt: String) -> String {
        let normalised = prompt.replacingOccurrences(of: "\r\n", with: "\n")
        var blocks = normalised.components(separatedBy: "\n\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        blocks.removeAll { $0.isEmpty }
        let line = (blocks.last ?? "").split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? ""
        return shortened(line)
    }

    /// What a sample's model answered, for display.
    static func answer(of sample: SampleRecord) -> String {
        if let extracted = sample.extractedAnswer { return shortened(extracted) }
        switch sample.response {
        case .generation(let g): return shortened(g.text)
        case .generations(let all): return shortened(all.first?.text ?? "")
        case .choices(let choices):
            guard let best = choices.indices.max(by: { choices[$0].logLikelihood < choices[$1].logLikelihood }) else { return "" }
            return "choice \(best)"
        case .loglikelihood(let l): return l.isGreedy ? "greedy" : "not greedy"
        case .rolling: return ""
        }
    }

    static func shortened(_ text: String) -> String {
        text.count > excerptLength ? String(text.prefix(excerptLength - 1)) + "…" : text
    }
}
