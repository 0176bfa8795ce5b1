import Foundation

/// The masked mean negative log-likelihood, as a Hugging Face causal-LM loss computes it from a
/// masked training set: the mean over every t with `labels[t] != -100` of
/// -log p(input_ids[t] | input_ids[<t]) (natural log), pooled over all examples (token-weighted).
public enum MaskedLoss {
    /// Sum of NLL and number of labelled tokens of one example, given its teacher-forced
    /// log-probs (`logProbs[i]` = log p(token i+1 | tokens 0...i)).
    public static func sum(labels: [Int], logProbs: [Double]) -> (nll: Double, count: Int) {
        var nll = 0.0, count = 0
        for t in labels.indices.dropFirst() where labels[t] != MaskedExample.ignoreIndex {
            nll -= logProbs[t - 1]
            count += 1
        }
        return (nll, count)
    }

    /// Token-weighted mean NLL over `examples` paired with their log-probs; NaN when no token is labelled.
    public static func mean(_ examples: [(labels: [Int], logProbs: [Double])]) -> Double {
        var total = 0.0, count = 0
        for e in examples {
            let s = sum(labels: e.labels, logProbs: e.logProbs)
            total += s.nll
            count += s.count
        }
        return count == 0 ? .nan : total / Double(count)
    }
}
