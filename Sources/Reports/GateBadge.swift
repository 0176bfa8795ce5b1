/// How a gate's outcome is shown in reports: an emoji and a word.
///
/// Mirrors the outcomes the `Metrics` module decides (the raw values match `GateOutcome`'s raw values,
/// so `GateBadge(rawValue: outcome.rawValue)` converts) without depending on it.
public enum GateBadge: String, Sendable, Hashable, Codable, CaseIterable {
    /// The gate passed (non-inferior): ✅.
    case pass
    /// The gate failed: ❌.
    case fail
    /// The data cannot tell: ⚠️.
    case inconclusive
    /// Significantly better than before: 🟢.
    case improved

    /// Parses an outcome name case-insensitively, ignoring surrounding white space (`"PASS"`,
    /// `" improved"`); `nil` for anything else.
    public init?(outcome: String) {
        self.init(rawValue: outcome.trimmingASCIIWhitespace().lowercased())
    }

    /// The emoji: ✅, ❌, ⚠️ or 🟢.
    public var emoji: String {
        switch self {
        case .pass: "✅"
        case .fail: "❌"
        case .inconclusive: "⚠️"
        case .improved: "🟢"
        }
    }

    /// The emoji and the outcome's name: `✅ pass`.
    public var badge: String { "\(emoji) \(rawValue)" }
}
