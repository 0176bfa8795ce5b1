import ArgumentParser
import CommandLineSupport
import Foundation
import Harness
import Metrics
import Runner

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare a fine-tuned run with its base item by item, with paired tests and gates.",
        discussion: """
        Pairs items by id and prompt hash and refuses runs whose task versions or hashes differ. \
        For each task and metric: base, candidate, change in points and in %, a 95% interval of \
        the paired difference and a p-value (exact McNemar for 0/1 metrics, paired bootstrap \
        otherwise), Holm-adjusted across the non-target tasks; TI and BWT as Wu et al. define them.

        Gates: a margin and alpha per task and metric (from --gates FILE, or --margin-points / \
        --margin-percent / --alpha for all). A gate passes when the lower 95% bound of the change \
        clears -margin, fails when the change is worse than -margin and significant, is improved \
        when significantly better, and inconclusive otherwise. Without gates, every metric is gated \
        with margin 0: a significant regression fails.

        Items that flipped: for every 0/1 metric, the items right under the base and wrong under \
        the candidate (McNemar's b) and the reverse (c), with the prompt's first line, both \
        answers and the target; report.md lists the first --flips N per task and metric, \
        comparison.json all of them.

        Writes DIR/comparison.json, DIR/report.md, DIR/junit.xml. Exit status: 0 every gate passed, \
        2 a gate failed, 3 a gate was inconclusive under --strict, 1 on error.

        Example:
          forgetbench compare runs/base runs/tuned --target gsm8k --margin-points 2 --output runs/compare
        """
    )

    @Argument(help: ArgumentHelp("The base model's eval output directory.", valueName: "base-dir"))
    var base: String

    @Argument(help: ArgumentHelp("The candidate's eval output directory.", valueName: "candidate-dir"))
    var candidate: String

    @Option(help: ArgumentHelp("Comma-separated target tasks (the rest are non-target).", valueName: "t1,t2"))
    var target: String = ""

    @Option(help: ArgumentHelp("A gates YAML file.", valueName: "file"))
    var gates: String?

    @Option(name: .customLong("margin-points"), help: "Default margin in points (0-100 scale metrics).")
    var marginPoints: Double?

    @Option(name: .customLong("margin-percent"), help: "Default margin relative to the base value, in %.")
    var marginPercent: Double?

    @Option(help: "Default significance level of the gates.")
    var alpha: Double?

    @Option(help: ArgumentHelp("Flipped items listed per task and metric in report.md (0: counts only).", valueName: "n"))
    var flips: Int = ComparisonReport.defaultFlipsListed

    @Flag(help: "Exit 3 when a gate is inconclusive.")
    var strict = false

    @Option(help: ArgumentHelp("Output directory.", valueName: "dir"))
    var output: String

    func validate() throws {
        if marginPoints != nil && marginPercent != nil { throw ValidationError("give --margin-points or --margin-percent, not both") }
        if let alpha, !(alpha > 0 && alpha < 1) { throw ValidationError("--alpha must be in (0, 1)") }
        if let m = marginPoints ?? marginPercent, m < 0 { throw ValidationError("a margin must be 0 or more") }
        if flips < 0 { throw ValidationError("--flips must be 0 or more") }
    }

    func run() throws {
        var configuration = try gates.map(GateConfiguration.load(path:)) ?? GateConfiguration()
        if marginPoints != nil || marginPercent != nil || alpha != nil {
            var rule = configuration.defaultRule ?? .init(task: nil, metric: nil, margin: .points(0), alpha: 0.05)
            if let marginPoints { rule.margin = .points(marginPoints) }
            if let marginPercent { rule.margin = .relative(marginPercent) }
            if let alpha { rule.alpha = alpha }
            configuration.defaultRule = rule
        }
        let baseRun = try RunDirectory.load(URL(fileURLWithPath: base))
        let candidateRun = try RunDirectory.load(URL(fileURLWithPath: candidate))
        let targets = Set(target.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        let comparison = try Comparator(targetTasks: targets, gates: configuration).compare(base: baseRun, candidate: candidateRun)
        let outputURL = URL(fileURLWithPath: output)
        try ComparisonReport.write(comparison, to: outputURL, flips: flips)
        print(ComparisonReport.summary(comparison))
        print("wrote \(outputURL.path)/{comparison.json,report.md,junit.xml}")
        let code = comparison.exitCode(strict: strict)
        if code != 0 { throw CommandExit(code: code) }
    }
}
