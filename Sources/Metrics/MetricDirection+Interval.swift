import Harness

extension MetricDirection {
    /// A raw interval for `candidate - base` expressed in the good direction (bounds swap for
    /// ``Harness/MetricDirection/lowerIsBetter``); the level is kept.
    public func goodDirectionInterval(_ interval: ConfidenceInterval) -> ConfidenceInterval {
        switch self {
        case .higherIsBetter:
            return interval
        case .lowerIsBetter:
            return ConfidenceInterval(lower: -interval.upper, upper: -interval.lower, level: interval.level)
        }
    }
}
