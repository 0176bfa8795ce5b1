import Foundation
import Harness
import SQLExecution

/// Per-item metrics (scoring one answer) shared by YAML and compiled tasks. Values are keyed by metric name, plus the
/// ``Harness/ItemScore/Key`` values corpus-level aggregations read (perplexities, bits per byte).
public enum ItemMetrics {
    /// Multiple choice in lm-evaluation-harness's way. `acc`: the argmax of the log-likelihoods is
    /// `gold`; `acc_norm`: the argmax of log-likelihood / UTF-8 bytes of the choice text. Ties go to
    /// the lowest index (numpy's argmax), so a tie counts as correct only when gold comes first.
    /// - Parameters:
    ///   - loglikelihoods: natural-log likelihood of each choice's continuation.
    ///   - choiceTexts: the choices without the delimiter (their byte lengths normalise `acc_norm`).
    /// - Returns: (acc, acc_norm, index predicted by acc), each accuracy 0 or 1.
    public static func multipleChoice(loglikelihoods: [Double], choiceTexts: [String], gold: Int) -> (acc: Double, accNorm: Double, predicted: Int) {
        precondition(loglikelihoods.count == choiceTexts.count && !choiceTexts.isEmpty)
        let predicted = argmax(loglikelihoods)
        let normalised = zip(loglikelihoods, choiceTexts).map { $0 / Double(max(1, $1.utf8.count)) }
        let predictedNorm = argmax(normalised)
        return (predicted == gold ? 1 : 0, predictedNorm == gold ? 1 : 0, predicted)
    }

    /// The first index of the largest value (NaN never wins).
    static func argmax(_ values: [Double]) -> Int {
        var best = 0
        for i in values.indices.dropFirst() where values[i] > values[best] || values[best].isNaN { best = i }
        return best
    }

    /// Words as lm-evaluation-harness counts them for word perplexity: `len(re.split(r"\s+", text))`,
    /// i.e. one more than the number of whitespace runs (leading or trailing runs count too).
    public static func wordCount(_ text: String) -> Int {
        var runs = 0
        var inSpace = false
        for scalar in text.unicodeScalars {
            let space = CharacterSet.whitespacesAndNewlines.contains(scalar)
            if space, !inSpace { runs += 1 }
            inSpace = space
        }
        return runs + 1
    }

    /// Values for a rolling log-likelihood of `text`: `loglikelihood`, `tokens`, `words`, `bytes`.
    public static func rollingValues(text: String, logLikelihood: Double, tokenCount: Int) -> [String: Double] {
        [ItemScore.Key.logLikelihood: logLikelihood, ItemScore.Key.tokens: Double(tokenCount), ItemScore.Key.words: Double(wordCount(text)),
         ItemScore.Key.bytes: Double(text.utf8.count)]
    }

    /// Exact match after filters: `filters` on the response (nil if an extractor fails), and
    /// `targetFilters` on the target. - Returns: the score (0 or 1) and the extracted answer.
    public static func exactMatch(response: String, target: String, filters: [AnswerFilter], targetFilters: [AnswerFilter]) -> (score: Double, extracted: String?) {
        let extracted = AnswerFilter.run(filters, on: response)
        let expected = AnswerFilter.run(targetFilters, on: target) ?? target
        return (extracted != nil && extracted == expected ? 1 : 0, extracted)
    }
}

extension ItemMetrics {
    /// MATH-style scoring: `filters` pick the answer out of the response (default: the last
    /// `\boxed{}`), `targetFilters` prepare the target, and `MathEquivalence` decides.
    /// - Returns: the score (0 or 1), the extracted answer, and the outcome (`equivalent`,
    ///   `not_equivalent`, `no_answer`).
    public static func mathEquivalence(response: String, target: String, filters: [AnswerFilter], targetFilters: [AnswerFilter])
        -> (score: Double, extracted: String?, outcome: String) {
        guard let extracted = AnswerFilter.run(filters, on: response) else { return (0, nil, "no_answer") }
        let gold = AnswerFilter.run(targetFilters, on: target) ?? target
        return MathEquivalence.equivalent(extracted, gold) ? (1, extracted, "equivalent") : (0, extracted, "not_equivalent")
    }

    /// Execution accuracy: the SQL `filters` extract from the response, run read-only on
    /// `database`, returns the same multiset of rows as `targetSQL`. `targetSQL` may hold several
    /// equivalent gold queries, one per line: the first that runs gives the expected rows.
    /// - Returns: the score (0 or 1), the extracted SQL, and the outcome: `correct`,
    ///   `wrong_result`, `no_answer`, `refused: …`, `timeout`, `row_limit`, `error: …`, or
    ///   `gold_failed: …` when the target query itself does not run (a dataset problem).
    public static func sqlExecution(response: String, targetSQL: String, filters: [AnswerFilter], database: ReadOnlySQLDatabase)
        -> (score: Double, extracted: String?, outcome: String) {
        guard let sql = AnswerFilter.run(filters, on: response), !sql.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            return (0, nil, "no_answer")
        }
        var gold: [[SQLValue]]?
        var goldFailure = "no gold query"
        for line in targetSQL.split(separator: "\n") where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let outcome = database.run(String(line))
            if let rows = outcome.rows { gold = rows; break }
            goldFailure = describe(outcome)
        }
        guard let gold else { return (0, sql, "gold_failed: \(goldFailure)") }
        let predicted = database.run(sql)
        guard let rows = predicted.rows else { return (0, sql, describe(predicted)) }
        return SQLResultComparison.sameMultiset(rows, gold) ? (1, sql, "correct") : (0, sql, "wrong_result")
    }

    static func describe(_ outcome: SQLQueryOutcome) -> String {
        switch outcome {
        case .rows: return "rows"
        case let .refused(why): return "refused: \(why)"
        case .timedOut: return "timeout"
        case .rowLimit: return "row_limit"
        case let .error(message): return "error: \(message)"
        }
    }
}

extension SplitMix64 {
    /// A generator for item `index` under `seed`, independent of other items.
    static func forItem(seed: UInt64, index: Int) -> SplitMix64 {
        var mixer = SplitMix64(seed: seed ^ (UInt64(truncatingIfNeeded: index) &* 0xD1B5_4A32_D192_ED03))
        return SplitMix64(seed: mixer.next())
    }
}
