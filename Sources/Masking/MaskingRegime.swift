import Foundation

/// Which response tokens are dropped from the loss (label -100). Prompt tokens are never trained on
/// under any regime.
///
/// Written on the command line as:
/// - `ground-truth`: train on every response token;
/// - `stm:TAU` (or `stm`, taking `--tau`): Selective Token Masking, drop tokens with ppl > TAU (TAU > 1);
/// - `top-fraction:K`: drop the fraction K (0...1) of response tokens with the highest ppl, ranked over
///   the whole dataset (a TAU-free STM: one global threshold, not K per example);
/// - `random:matched` / `random:K`: drop tokens chosen uniformly without replacement among all response
///   tokens: as many as `stm:--tau` drops on the same data, or round(K * N);
/// - `lowest:matched` / `lowest:K`: drop the lowest-ppl response tokens, the same counts;
/// - `dpf:T` (or `dpf`, taking `--tau`): differential perplexity filtering, drop tokens whose
///   perplexity under a *reference* model (an unrestricted ground-truth fine-tune of the same base)
///   exceeds their base perplexity by more than T: score = ppl_ref − ppl_base > T;
/// - `stm+dpf:TAU` (or `stm+dpf`): drop what `stm:TAU` drops and also every token whose perplexity
///   rose under the reference (ppl_ref > ppl_base);
/// - `soft`: drop nothing; weight each response token's loss by its base probability
///   p_base = 1 / ppl_base (a TAU-free, smooth STM).
public enum MaskingRegime: Hashable, Sendable, CustomStringConvertible {
    case groundTruth
    /// Drop tokens with perplexity above `tau` (> 1).
    case stm(tau: Double)
    /// Drop the `fraction` (0...1) of highest-perplexity response tokens, ranked globally.
    case topFraction(Double)
    /// Drop random response tokens.
    case random(MaskCount)
    /// Drop the lowest-perplexity response tokens.
    case lowest(MaskCount)
    /// Drop tokens with ppl_reference − ppl_base > `threshold`.
    case dpf(threshold: Double)
    /// Drop tokens with ppl_base > `tau`, or ppl_reference > ppl_base.
    case stmDPF(tau: Double)
    /// Keep every token; weight its loss by its base probability.
    case soft

    /// How many tokens a `random` or `lowest` regime drops.
    public enum MaskCount: Hashable, Sendable {
        /// As many as `stm` with the TAU given (`--tau`) drops on the same data.
        case matched(tau: Double)
        /// round(fraction * N) of the N response tokens, rounding halves away from zero.
        case fraction(Double)
    }

    /// TAU when none is given (`stm`, `random:matched`, `lowest:matched`, a spec without `tau`):
    /// p < 0.4, which masks about 20-25% of response tokens on Llama 3 8B / Gemma 2 2B (Wu et al.).
    public static let defaultTau = 2.5

    /// Checks a TAU: it must be greater than 1 (perplexity is at least 1, so TAU <= 1 masks every
    /// token). `source` says where it came from, for the message (`--tau 0.5`, `'stm:1'`).
    /// - Throws: ``MaskingError/badOption(_:)`` when `tau <= 1`.
    @discardableResult
    public static func checkTau(_ tau: Double, source: String) throws -> Double {
        guard tau > 1 else { throw MaskingError.badOption("TAU must be greater than 1 (perplexity is at least 1, so TAU <= 1 masks every token); got \(source)") }
        return tau
    }

    /// The forms `parse` accepts, for error messages.
    public static let validForms = "ground-truth, stm:TAU, stm, top-fraction:K, random:matched, random:K, lowest:matched, lowest:K, dpf:T, dpf, stm+dpf:TAU, stm+dpf, soft (TAU > 1, 0 <= K <= 1, T finite)"

    /// Parses a `--regime` value. `tau` is the `--tau` value used by `stm`, `random:matched` and
    /// `lowest:matched`.
    /// - Throws: ``MaskingError/badRegime(_:)`` for an unknown form; ``MaskingError/badOption(_:)``
    ///   for TAU <= 1 or K outside 0...1.
    public static func parse(_ text: String, tau: Double = defaultTau) throws -> MaskingRegime {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: ":", maxSplits: 1).map(String.init)
        let name = parts.first ?? ""
        let argument = parts.count > 1 ? parts[1] : nil
        func number(_ s: String) throws -> Double {
            guard let v = Double(s), v.isFinite else { throw MaskingError.badRegime(text) }
            return v
        }
        func checkFraction(_ k: Double) throws -> Double {
            guard (0...1).contains(k) else { throw MaskingError.badOption("the fraction K in '\(text)' must be between 0 and 1") }
            return k
        }
        func count(_ argument: String?) throws -> MaskCount {
            guard let argument else { throw MaskingError.badRegime(text) }
            if argument == "matched" { return .matched(tau: try checkTau(tau, source: "--tau \(tau)")) }
            return .fraction(try checkFraction(try number(argument)))
        }
        switch name {
        case "ground-truth", "gt":
            guard argument == nil else { throw MaskingError.badRegime(text) }
            return .groundTruth
        case "stm":
            guard let argument else { return .stm(tau: try checkTau(tau, source: "--tau \(tau)")) }
            return .stm(tau: try checkTau(try number(argument), source: "'\(text)'"))
        case "top-fraction":
            guard let argument else { throw MaskingError.badRegime(text) }
            return .topFraction(try checkFraction(try number(argument)))
        case "random": return .random(try count(argument))
        case "lowest": return .lowest(try count(argument))
        case "dpf":
            guard let argument else { return .dpf(threshold: tau) }
            return .dpf(threshold: try number(argument))
        case "stm+dpf":
            guard let argument else { return .stmDPF(tau: try checkTau(tau, source: "--tau \(tau)")) }
            return .stmDPF(tau: try checkTau(try number(argument), source: "'\(text)'"))
        case "soft":
            guard argument == nil else { throw MaskingError.badRegime(text) }
            return .soft
        default: throw MaskingError.badRegime(text)
        }
    }

    /// The canonical text form (what the manifest records), e.g. `stm:2.5`, `random:matched`.
    public var description: String {
        func fmt(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v) }
        func count(_ c: MaskCount) -> String {
            switch c {
            case .matched: return "matched"
            case .fraction(let k): return fmt(k)
            }
        }
        switch self {
        case .groundTruth: return "ground-truth"
        case .stm(let tau): return "stm:\(fmt(tau))"
        case .topFraction(let k): return "top-fraction:\(fmt(k))"
        case .random(let c): return "random:\(count(c))"
        case .lowest(let c): return "lowest:\(count(c))"
        case .dpf(let t): return "dpf:\(fmt(t))"
        case .stmDPF(let tau): return "stm+dpf:\(fmt(tau))"
        case .soft: return "soft"
        }
    }

    /// The TAU the regime depends on (`stm`, or a `matched` count), else nil.
    public var tau: Double? {
        switch self {
        case .stm(let tau), .random(.matched(let tau)), .lowest(.matched(let tau)), .stmDPF(let tau): return tau
        default: return nil
        }
    }

    /// Whether the regime scores tokens with a reference model too (`dpf`, `stm+dpf`): an
    /// unrestricted ground-truth fine-tune of the base, scoring the same token sequences.
    public var needsReference: Bool {
        switch self {
        case .dpf, .stmDPF: return true
        default: return false
        }
    }

    /// Whether the regime weights token losses instead of (only) dropping tokens (`soft`).
    public var weightsTokens: Bool { self == .soft }
}
