/// What one candidate is fine-tuned on: the ground-truth training set under a masking regime, or
/// a data regime's own training set (trained on without masking beyond the prompt).
public enum TrainingRegime: Sendable, Hashable, CustomStringConvertible {
    case masking(MaskingRegime)
    case data(DataRegime)

    /// Parses a regime as specs write it: a data regime's name (`self-output`, `rephrase`) or any
    /// form ``MaskingRegime/parse(_:tau:)`` accepts (`tau` is the TAU of `stm` and `matched` counts).
    /// - Throws: as ``MaskingRegime/parse(_:tau:)``.
    public static func parse(_ text: String, tau: Double = MaskingRegime.defaultTau) throws -> TrainingRegime {
        if let data = DataRegime(rawValue: text) { return .data(data) }
        return .masking(try MaskingRegime.parse(text, tau: tau))
    }

    /// `masking` or `data` (as experiment results record a regime's kind).
    public var kind: String {
        switch self {
        case .masking: return "masking"
        case .data: return "data"
        }
    }

    /// The masking regime, or nil for a data regime.
    public var masking: MaskingRegime? {
        if case .masking(let m) = self { return m }
        return nil
    }

    /// The data regime, or nil for a masking regime.
    public var data: DataRegime? {
        if case .data(let d) = self { return d }
        return nil
    }

    public var description: String {
        switch self {
        case .masking(let m): return m.description
        case .data(let d): return d.rawValue
        }
    }
}
