/// Settings of a `generate_until` task.
public struct GenerationSettings: Codable, Hashable, Sendable {
    /// Generation stops before the first of these strings (lm-eval's `until`); they are not part of the answer.
    public var stopSequences: [String]
    /// The most tokens generated per answer (>= 1).
    public var maxTokens: Int
    /// Sampling temperature (>= 0); 0 is greedy decoding.
    public var temperature: Double
    /// Nucleus sampling: the smallest set of tokens whose probability reaches `topP`, in `(0, 1]` (1: all).
    public var topP: Double
    /// Answers drawn per item (≥ 1; more than one needs a temperature above 0): the response is
    /// then `.generations` with one answer per sample, as pass@k needs.
    public var samples: Int

    public init(stopSequences: [String], maxTokens: Int, temperature: Double = 0, topP: Double = 1, samples: Int = 1) {
        self.stopSequences = stopSequences
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.topP = topP
        self.samples = samples
    }

    private enum CodingKeys: String, CodingKey { case stopSequences, maxTokens, temperature, topP, samples }

    /// Decodes settings written before `samples` existed as one sample per item.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        stopSequences = try c.decode([String].self, forKey: .stopSequences)
        maxTokens = try c.decode(Int.self, forKey: .maxTokens)
        temperature = try c.decode(Double.self, forKey: .temperature)
        topP = try c.decode(Double.self, forKey: .topP)
        samples = try c.decodeIfPresent(Int.self, forKey: .samples) ?? 1
    }
}
