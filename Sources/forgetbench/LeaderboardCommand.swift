import ArgumentParser
import Foundation
import Runner

struct LeaderboardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leaderboard",
        abstract: "One leaderboard from eval, compare and run outputs: Markdown, JSON and a self-contained HTML page.",
        discussion: """
        Each DIR is an output directory of 'forgetbench eval', 'compare' or 'run', or a directory \
        holding such outputs (searched 4 levels down). Rows are models and candidates, columns \
        tasks (their primary metric): scores with 95% intervals, changes against a base row with \
        significance marks (from the paired tests of 'compare': recorded in a compare or run \
        output, or run on both rows' per-item samples; '?' when neither exists), TI and BWT when target tasks are known, \
        each row's fingerprint and settings, and a chart of target gain against forgetting. Rows \
        whose task versions or content hashes differ go to separate tables, which say why.

        Writes DIR/leaderboard.md (fits $GITHUB_STEP_SUMMARY), DIR/leaderboard.json, DIR/index.html \
        (one file, no network: sortable columns, a filter box, rows that expand to per-task details, \
        the items that flipped between compared pairs) and DIR/tradeoff-N.svg. The same inputs give \
        the same bytes.

        Examples:
          forgetbench leaderboard runs/quickstart --output site
          forgetbench leaderboard runs/base runs/tuned runs/compare --base base --output site
        """
    )

    @Argument(help: ArgumentHelp("Output directories of eval, compare or run, or directories holding them.", valueName: "dir"))
    var directories: [String]

    @Option(help: ArgumentHelp("The row changes are measured against: its label, output path, model source or fingerprint prefix (default: the base of the comparisons, else the first row without an adapter, else the first row).", valueName: "name"))
    var base: String?

    @Option(help: ArgumentHelp("Comma-separated target tasks (default: those of the compare and run outputs).", valueName: "t1,t2"))
    var target: String?

    @Option(help: ArgumentHelp("Output directory.", valueName: "dir"))
    var output: String

    func validate() throws {
        if directories.isEmpty { throw ValidationError("give at least one output directory") }
    }

    func run() throws {
        let sources = try LeaderboardSource.discover(directories)
        let targets = target.map { Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }) }
        let board = try LeaderboardBuilder(baseName: base, targetTasks: targets).build(sources)
        let out = URL(fileURLWithPath: output)
        try LeaderboardReport.write(board, to: out)
        for t in board.tables {
            print("table \(t.number): \(t.rows.count) rows × \(t.tasks.count) tasks" + (t.separation.map { " (\($0))" } ?? ""))
        }
        print("wrote \(out.path)/{leaderboard.md,leaderboard.json,index.html}")
    }
}
