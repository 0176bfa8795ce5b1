/// What the model answered for one item. In JSON: `{"type": "choices", "choices": [...]}`,
/// `{"type": "loglikelihood", "loglikelihood": {...}}`, `{"type": "rolling", "rolling": {...}}` or
/// `{"type": "generation", "generation": {...}}` or `{"type": "generations", "generations": [...]}`.
public enum ModelResponse: Codable, Hashable, Sendable {
    case choices([LoglikelihoodResponse])
    case loglikelihood(LoglikelihoodResponse)
    case rolling(RollingLoglikelihoodResponse)
    case generation(GenerationResponse)
    /// Several answers to one item (`GenerationSettings.samples` > 1), in sample order.
    case generations([GenerationResponse])

    private enum Kind: String, Codable { case choices, loglikelihood, rolling, generation, generations }
    private enum CodingKeys: String, CodingKey { case type, choices, loglikelihood, rolling, generation, generations }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(Kind.self, forKey: .type) {
        case .choices: self = .choices(try c.decode([LoglikelihoodResponse].self, forKey: .choices))
        case .loglikelihood: self = .loglikelihood(try c.decode(LoglikelihoodResponse.self, forKey: .loglikelihood))
        case .rolling: self = .rolling(try c.decode(RollingLoglikelihoodResponse.self, forKey: .rolling))
        case .generation: self = .generation(try c.decode(GenerationResponse.self, forKey: .generation))
        case .generations: self = .generations(try c.decode([GenerationResponse].self, forKey: .generations))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .choices(let v): try c.encode(Kind.choices, forKey: .type); try c.encode(v, forKey: .choices)
        case .loglikelihood(let v): try c.encode(Kind.loglikelihood, forKey: .type); try c.encode(v, forKey: .loglikelihood)
        case .rolling(let v): try c.encode(Kind.rolling, forKey: .type); try c.encode(v, forKey: .rolling)
        case .generation(let v): try c.encode(Kind.generation, forKey: .type); try c.encode(v, forKey: .generation)
        case .generations(let v): try c.encode(Kind.generations, forKey: .type); try c.encode(v, forKey: .generations)
        }
    }
}
