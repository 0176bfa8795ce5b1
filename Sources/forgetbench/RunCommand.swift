import ArgumentParser
import CommandLineSupport
import Foundation
import Harness
import NativeModel
import Runner

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run an experiment: fine-tune one candidate per regime and seed, measure target gain and forgetting, publish a leaderboard.",
        discussion: """
        SPEC is an experiment YAML (see experiments/quickstart.yaml): a base model, a training set \
        (a task's training split or a JSON Lines file), the regimes to compare (ground-truth, \
        stm:TAU, top-fraction:K, random:matched, lowest:matched, dpf:T and stm+dpf:TAU (which score \
        with the run's ground-truth candidate of the same seed), soft, self-output, rephrase), training \
        settings (LoRA on all linear layers by default), target and non-target tasks, an evaluation \
        limit, seeds and optional gates. Paths in the spec are relative to the spec's folder.

        Stages: evaluate the base model; score the training set once with the base model; build \
        each regime's data; train each candidate; evaluate each; compare each with the base \
        (paired tests, Holm over non-target tasks, TI and BWT). Writes DIR/results.json, \
        DIR/report.md (conditions, leaderboard, charts, per-seed details, gates), DIR/junit.xml (one \
        test suite per regime), DIR/tradeoff.svg, DIR/masking.svg and DIR/perplexity.svg.

        Runs resume: every stage's output is written atomically when it is complete, training \
        keeps checkpoints, and model outputs are cached by model fingerprint and request \
        (DIR/cache.sqlite, or --cache FILE to share one across runs). After an interruption \
        (Ctrl-C, kill -9, a crash) run the same command again: finished stages are reused and the \
        results equal an uninterrupted run's. A directory holding another spec's run is refused.

        training.trainer: command hands each candidate's training to an external program \
        (training.command, e.g. python integrations/hf/train.py --data {data} --settings {settings} \
        --model {base} --output {output}; see integrations/hf/README.md). Its output goes to the \
        candidate's model/trainer.log; a candidate whose trainer fails is reported in report.md and \
        as an error in junit.xml while the others go on (exit 1); running again retries only it.

        Exit codes: 0 done and every gate passed (or no gates), 1 bad input or error, 2 a gate \
        failed for some candidate, 3 a gate was inconclusive under --strict.

        --dry-run checks the spec (tasks, regimes, files, the trainer's command, that the scorer \
        tokenizes as the trained model) and prints the plan without running anything: the stages, \
        requests and generated tokens per task, each candidate's trainer command, what DIR already \
        holds, and an estimate of accelerator time (--throughput, --processing-throughput).

        Examples:
          forgetbench run experiments/quickstart.yaml --output runs/quickstart
          forgetbench run --dry-run experiments/paper/llama3-8b-mbpp.yaml
        """
    )

    @Argument(help: ArgumentHelp("The experiment spec (YAML).", valueName: "spec.yaml"))
    var spec: String

    @Option(help: ArgumentHelp("Output directory (default: the spec's 'output', relative to the spec, else runs/<name>).", valueName: "dir"))
    var output: String?

    @Option(help: ArgumentHelp("Response cache (SQLite) to use instead of DIR/cache.sqlite; several runs and processes may share one.", valueName: "file"))
    var cache: String?

    @OptionGroup var taskOptions: TaskOptions

    @OptionGroup(title: "Code execution (mbpp, humaneval)") var code: CodeExecutionOptions

    @Option(help: "Threads for matrix products (default: all cores).")
    var threads: Int?

    @Flag(name: .customLong("dry-run"), help: "Check the spec and print the plan; run nothing.")
    var dryRun = false

    @Option(help: "With --dry-run: generated tokens per second of the evaluation engine, for the time estimate.")
    var throughput: Double = 1500

    @Option(name: .customLong("processing-throughput"), help: "With --dry-run: prompt and training tokens per second, for the time estimate.")
    var processingThroughput: Double = 6000

    @Flag(help: "Exit 3 when a gate is inconclusive.")
    var strict = false

    @Flag(help: "No stage lines or progress bars on stderr.")
    var quiet = false

    func run() async throws {
        if let threads { EngineSettings.setThreadCount(threads) }
        let parsed = try ExperimentSpecParser.parse(fileAt: spec)
        let outputURL = URL(fileURLWithPath: output ?? parsed.spec.output.map(parsed.resolve) ?? "runs/\(parsed.spec.name)")
        if dryRun {
            guard throughput > 0, processingThroughput > 0 else { throw ValidationError("--throughput and --processing-throughput must be positive") }
            var planner = ExperimentDryRun(parsed: parsed, registry: try taskOptions.registry(), output: outputURL)
            planner.generationThroughput = throughput
            planner.processingThroughput = processingThroughput
            print(planner.render(try planner.plan()), terminator: "")
            return
        }
        var runner = ExperimentRunner(parsed: parsed, registry: try taskOptions.registry(), output: outputURL)
        runner.cacheURL = cache.map { URL(fileURLWithPath: $0) }
        runner.showsProgress = !quiet
        runner.sandbox = try code.sandbox()
        let results = try await runner.run()
        for regime in results.regimes {
            let target = regime.targetImprovementPoints.map { String(format: "%+.1f", $0.mean) } ?? "n/a"
            let bwt = regime.backwardTransfer.map { String(format: "%+.1f%%", $0.mean) } ?? "n/a"
            print("\(regime.regime): masked \(String(format: "%.1f", regime.maskedFraction * 100))%, target \(target) pts, BWT \(bwt)"
                + (results.gated ? ", gates: \(regime.gatesFailed) failed" : ""))
        }
        for f in results.trainingFailures ?? [] {
            print("\(f.regime) seed \(f.seed): training failed (exit status \(f.exitCode)); log: \(outputURL.appendingPathComponent(f.log).path); run again to retry it")
        }
        print("report: \(outputURL.appendingPathComponent("report.md").path)")
        let code = results.exitCode(strict: strict)
        if code != 0 { throw CommandExit(code: code) }
    }
}
