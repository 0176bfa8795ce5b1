import ArgumentParser
import Foundation
import Runner

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join the outputs of 'forgetbench eval --shard i/n' into one run.",
        discussion: """
        The merged directory equals an unsharded run's (same samples in the same order, same \
        metrics) apart from timings. Shards that do not belong together (another model, task \
        version or hash, --limit or --seed, a different n, a shard missing or repeated) are refused.

        Example:
          forgetbench merge runs/shard1 runs/shard2 runs/shard3 --output runs/all
        """
    )

    @Argument(help: ArgumentHelp("The shard output directories.", valueName: "dir"))
    var directories: [String]

    @Option(help: ArgumentHelp("Output directory.", valueName: "dir"))
    var output: String

    func run() throws {
        let runs = try directories.map { try RunDirectory.load(URL(fileURLWithPath: $0)) }
        let (results, samples) = try ShardMerger().merge(runs)
        let out = URL(fileURLWithPath: output)
        try RunDirectory.write(results: results, samples: samples, report: EvaluationReport.markdown(results),
                               junit: try EvaluationReport.junit(results), to: out)
        print("merged \(runs.count) shards (\(results.tasks.map { "\($0.name) n=\($0.itemCount)" }.joined(separator: ", "))) into \(out.path)")
    }
}
