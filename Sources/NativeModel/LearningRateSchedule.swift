import Foundation

/// The learning rate of each optimizer step, as transformers' `get_cosine_schedule_with_warmup`,
/// `get_linear_schedule_with_warmup` and `get_constant_schedule_with_warmup` compute it:
/// `rate(atStep: k) = peak · λ(k)`, where `k` counts optimizer steps from 0 (the Hugging Face Trainer
/// calls `scheduler.step()` after `optimizer.step()`, so its k-th update uses λ(k)).
///
/// λ(k) for `k < warmupSteps` is `k / max(1, warmupSteps)` (so the very first step has rate 0 when
/// there is any warmup); after the warmup:
/// - `cosine`: `max(0, ½(1 + cos(π·p)))` with `p = (k − warmup) / max(1, total − warmup)`;
/// - `linear`: `max(0, (total − k) / max(1, total − warmup))`;
/// - `constant`: 1.
/// Both reach 0 at `k = totalSteps`. Like transformers, nothing clamps `k` past `totalSteps`
/// (cosine rises again there).
public struct LearningRateSchedule: Codable, Sendable, Equatable {
    /// The shape of the decay after the warmup.
    public enum Kind: String, Codable, Sendable, CaseIterable { case cosine, linear, constant }

    public var kind: Kind
    /// The rate at the end of the warmup (the optimizer's `lr`), > 0.
    public var peak: Double
    /// Steps of linear warmup from 0 (≥ 0).
    public var warmupSteps: Int
    /// Optimizer steps of the whole run (≥ 0); the rate decays to 0 there (cosine and linear).
    public var totalSteps: Int

    public init(kind: Kind = .cosine, peak: Double, warmupSteps: Int, totalSteps: Int) {
        self.kind = kind
        self.peak = peak
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
    }

    /// The multiplier λ(k) of the peak rate (see the type's description).
    public func multiplier(atStep k: Int) -> Double {
        if k < warmupSteps { return Double(k) / Double(max(1, warmupSteps)) }
        switch kind {
        case .constant:
            return 1
        case .linear:
            return max(0, Double(totalSteps - k) / Double(max(1, totalSteps - warmupSteps)))
        case .cosine:
            let progress = Double(k - warmupSteps) / Double(max(1, totalSteps - warmupSteps))
            return max(0, 0.5 * (1 + cos(Double.pi * 0.5 * 2 * progress)))
        }
    }

    /// The learning rate of the `k`-th optimizer step (`k` from 0).
    public func rate(atStep k: Int) -> Double { peak * multiplier(atStep: k) }
}
