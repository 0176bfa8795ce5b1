import Foundation
import Harness
import Metrics
import Yams

/// Which gates apply to which task and metric: a default for every (task, metric) pair, and
/// specific gates that override it. Read from `gates.yaml` and/or command-line flags.
///
/// ```yaml
/// default:            # applies to every task and metric not listed below
///   margin_points: 1  # or margin_percent (relative to the base) or margin_absolute (metric units)
///   alpha: 0.05
/// gates:
///   - task: arc_easy
///     metric: acc
///     margin_points: 2
///   - task: wikisql_rolling
///     metric: bits_per_byte
///     margin_absolute: 0.05
/// ```
/// Without a file or flags, every metric is gated with margin 0 and alpha 0.05: a significant
/// regression fails, and a change whose interval reaches below zero is inconclusive.
public struct GateConfiguration: Sendable, Equatable {
    public struct Rule: Sendable, Equatable {
        public var task: String?
        public var metric: String?
        public var margin: Gate.Margin
        public var alpha: Double

        public init(task: String?, metric: String?, margin: Gate.Margin, alpha: Double) {
            self.task = task
            self.metric = metric
            self.margin = margin
            self.alpha = alpha
        }
    }

    /// The rule for every task and metric no specific rule names (nil: only listed pairs are gated).
    public var defaultRule: Rule?
    public var rules: [Rule]

    public init(defaultRule: Rule? = Rule(task: nil, metric: nil, margin: .points(0), alpha: 0.05), rules: [Rule] = []) {
        self.defaultRule = defaultRule
        self.rules = rules
    }

    /// The gate for `task`/`metric`, or nil when none applies.
    public func gate(task: String, metric: String, direction: MetricDirection) throws -> Gate? {
        let rule = rules.first { ($0.task == nil || $0.task == task) && ($0.metric == nil || $0.metric == metric) } ?? defaultRule
        guard let rule else { return nil }
        return try Gate(task: task, metric: metric, margin: rule.margin, alpha: rule.alpha,
                        direction: direction)
    }

    /// Reads a gates file. Errors name the file, the line and the key.
    public static func load(path: String) throws -> GateConfiguration {
        try parse(try YAMLFile.read(path: path, kind: "gates file").root, path: path)
    }

    /// Reads a gates mapping (`default` and/or `gates`) from a YAML node: a gates file's root, or
    /// an experiment spec's `gates:`. Errors name `path` and the line.
    static func parse(_ root: Node, path: String) throws -> GateConfiguration {
        func where_(_ node: Node) -> String { "\(path):\(node.mark?.line ?? 0)" }
        guard let mapping = root.mapping else { throw RunnerError.invalid("\(where_(root)): expected a mapping with 'default' and/or 'gates'") }
        var configuration = GateConfiguration(defaultRule: nil, rules: [])
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? ""
            switch key {
            case "default": configuration.defaultRule = try rule(value, path: path, allowTask: false)
            case "gates":
                guard let list = value.sequence else { throw RunnerError.invalid("\(where_(value)): 'gates' must be a list") }
                configuration.rules = try list.map { try rule($0, path: path, allowTask: true) }
            default:
                let hint = Suggestions.closest(to: key, in: ["default", "gates"]).first.map { " (did you mean '\($0)'?)" } ?? ""
                throw RunnerError.invalid("\(where_(keyNode)): unknown key '\(key)'\(hint); expected default, gates")
            }
        }
        return configuration
    }

    private static func rule(_ node: Node, path: String, allowTask: Bool) throws -> Rule {
        let location = "\(path):\(node.mark?.line ?? 0)"
        guard let mapping = node.mapping else { throw RunnerError.invalid("\(location): expected a mapping") }
        let allowed = (allowTask ? ["task", "metric"] : []) + ["margin_points", "margin_percent", "margin_absolute", "alpha"]
        var rule = Rule(task: nil, metric: nil, margin: .points(0), alpha: 0.05)
        var margins = 0
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? ""
            let at = "\(path):\(keyNode.mark?.line ?? 0)"
            func number() throws -> Double {
                guard let s = value.string, let d = Double(s), d.isFinite else { throw RunnerError.invalid("\(at): '\(key)' must be a number") }
                return d
            }
            switch key {
            case "task" where allowTask: rule.task = value.string
            case "metric" where allowTask: rule.metric = value.string
            case "margin_points": rule.margin = .points(try number()); margins += 1
            case "margin_percent": rule.margin = .relative(try number()); margins += 1
            case "margin_absolute": rule.margin = .absolute(try number()); margins += 1
            case "alpha": rule.alpha = try number()
            default:
                let hint = Suggestions.closest(to: key, in: allowed).first.map { " (did you mean '\($0)'?)" } ?? ""
                throw RunnerError.invalid("\(at): unknown key '\(key)'\(hint); expected \(allowed.joined(separator: ", "))")
            }
        }
        guard margins <= 1 else { throw RunnerError.invalid("\(location): give one of margin_points, margin_percent, margin_absolute") }
        guard rule.alpha > 0, rule.alpha < 1 else { throw RunnerError.invalid("\(location): alpha must be in (0, 1)") }
        if case let .points(v) = rule.margin, v < 0 { throw RunnerError.invalid("\(location): a margin must be 0 or more") }
        return rule
    }
}
