import NativeModel

/// The generation settings shared by completions and chat completions.
public struct SamplingParameters: Sendable, Equatable {
    /// Most new tokens (0 allowed: nothing is generated).
    public var maxTokens: Int
    /// 0 is greedy decoding (argmax, as `NativeLanguageModel.generate`); OpenAI's default is 1.
    public var temperature: Float
    /// Nucleus threshold in (0, 1]; 1 samples from the whole distribution.
    public var topP: Float
    /// The sampler's seed. A request's `seed` maps to its 64-bit two's-complement pattern, with 0
    /// (which llama2.c's xorshift sampler cannot use) replaced by `0x9E3779B97F4A7C15`; without a
    /// seed a random one is drawn.
    public var seed: UInt64
    /// Generation stops before the first of these; the text returned excludes it.
    public var stop: [String]
    /// Send the answer as server-sent events while generating (``CompletionStream``).
    public var stream: Bool

    /// The engine job that generates from `prompt` with these settings.
    public func job(prompt: [Int]) -> GenerationJob {
        GenerationJob(prompt: prompt, maxNewTokens: maxTokens, temperature: temperature, topP: topP, seed: seed, stopSequences: stop)
    }

    /// The seed used for a request's `seed` field (see ``seed``).
    public static func engineSeed(_ requested: Int?) -> UInt64 {
        guard let requested else { return UInt64.random(in: 1 ... UInt64.max) }
        let bits = UInt64(bitPattern: Int64(requested))
        return bits == 0 ? 0x9E37_79B9_7F4A_7C15 : bits
    }

    /// Reads `temperature`, `top_p`, `seed`, `stop`, `stream`, `n`, `best_of` and the penalties;
    /// `maxTokens` is given by the caller (its default differs between endpoints).
    /// - Throws: ``OpenAIError`` (400) for a field of the wrong type or out of range, `n` or
    ///   `best_of` other than 1, or non-zero penalties (not supported).
    public init(fields: RequestFields, maxTokens: Int) throws {
        self.maxTokens = maxTokens
        let temperature = try fields.number("temperature") ?? 1
        guard temperature >= 0, temperature <= 2 else {
            throw OpenAIError.invalid("'temperature' must be between 0 and 2, got \(temperature)", param: "temperature")
        }
        self.temperature = Float(temperature)
        let topP = try fields.number("top_p") ?? 1
        guard topP > 0, topP <= 1 else {
            throw OpenAIError.invalid("'top_p' must be in (0, 1], got \(topP)", param: "top_p")
        }
        self.topP = Float(topP)
        seed = Self.engineSeed(try fields.int("seed"))
        stop = try fields.strings("stop") ?? []
        if let n = try fields.int("n"), n != 1 {
            throw OpenAIError.invalid("'n' must be 1 (this server returns one choice per prompt), got \(n)", param: "n")
        }
        if let bestOf = try fields.int("best_of"), bestOf != 1 {
            throw OpenAIError.invalid("'best_of' must be 1, got \(bestOf)", param: "best_of")
        }
        stream = try fields.bool("stream") ?? false
        for penalty in ["presence_penalty", "frequency_penalty"] {
            if let p = try fields.number(penalty), p != 0 {
                throw OpenAIError.invalid("'\(penalty)' is not supported (only 0), got \(p)", param: penalty)
            }
        }
    }
}
