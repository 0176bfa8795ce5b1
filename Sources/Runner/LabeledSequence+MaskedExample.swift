import Masking
import NativeModel

extension LabeledSequence {
    /// What the built-in trainer takes from a masked example: its ids, labels and weights (`ppl` is not trained on).
    init(_ example: MaskedExample) {
        self.init(inputIDs: example.inputIDs, labels: example.labels, weights: example.weights.map { $0.map { Float($0) } })
    }
}
