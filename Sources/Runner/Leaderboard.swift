import Harness

/// `leaderboard.json` of `forgetbench leaderboard`: models and candidates from any mix of `eval`,
/// `compare` and `run` outputs, by task, in tables of rows that may stand side by side (the same
/// task versions and content hashes).
///
/// Built by ``LeaderboardBuilder``; rendered by ``LeaderboardReport`` (Markdown) and
/// ``LeaderboardPage`` (HTML). It holds no timestamps: the same inputs give the same bytes.
public struct Leaderboard: Codable, Equatable, Sendable {
    public static let currentSchemaVersion = 1
    public var schemaVersion = Self.currentSchemaVersion
    public var harnessVersion = ForgetBenchVersion.current
    /// Every output read, sorted by path.
    public var inputs: [LeaderboardInput]
    /// One table per set of mutually comparable rows; more than one only when task versions or
    /// hashes differ (each later table says why in ``LeaderboardTable/separation``).
    public var tables: [LeaderboardTable]

    public init(inputs: [LeaderboardInput], tables: [LeaderboardTable]) {
        self.inputs = inputs
        self.tables = tables
    }
}

/// One output directory the leaderboard read.
public struct LeaderboardInput: Codable, Equatable, Sendable {
    /// What wrote it.
    public enum Kind: String, Codable, Sendable {
        /// `forgetbench eval` (or `merge`): `results.json` + `samples/`.
        case eval
        /// `forgetbench compare`: `comparison.json`.
        case compare
        /// `forgetbench run`: the experiment's `results.json` (with `base/` and `candidates/` when present).
        case run
    }

    /// The directory, as found from the command line's arguments.
    public var path: String
    public var kind: Kind
}

/// Rows that may stand side by side: for every task they share, the same version and content hash.
public struct LeaderboardTable: Codable, Equatable, Sendable {
    /// 1-based.
    public var number: Int
    /// Why these rows are not in table 1 (nil for table 1): the task whose version or hash differs.
    public var separation: String?
    /// The columns, target tasks first, then by name.
    public var tasks: [LeaderboardTask]
    /// ``LeaderboardRow/id`` of the row deltas are measured against; nil when the table has one row.
    public var base: String?
    /// How the base was chosen (`--base`, the base of the comparisons, the first row without an
    /// adapter, or the first row).
    public var baseReason: String?
    /// Whether target and non-target roles are known (from `compare`/`run` outputs or `--target`):
    /// TI and BWT need them.
    public var rolesKnown: Bool
    /// The base first, then the others in input order.
    public var rows: [LeaderboardRow]
    /// Paired comparisons between two rows of this table, with their flipped items.
    public var pairs: [LeaderboardPair]
    /// TI against BWT (points), one point per row with both; nil without roles or points.
    public var tradeoffSVG: String?
}

/// A task column: its primary metric (the first a task reports, as TI and BWT use).
public struct LeaderboardTask: Codable, Equatable, Sendable {
    public var name: String
    /// nil when the output that gave it did not record it (files of older versions).
    public var version: String?
    public var contentHash: String?
    public var metric: String
    /// Which way the metric improves (`higher` / `lower` in leaderboard.json).
    @PolarityCoded public var polarity: MetricDirection
    /// `target`, `non_target`, or nil when roles are unknown.
    public var role: TaskRole?
}

/// One model (or fine-tuned candidate) and its scores.
public struct LeaderboardRow: Codable, Equatable, Sendable {
    /// `r1`, `r2`, … in order of the (sorted) inputs.
    public var id: String
    /// A short display name: the model's source, or `REGIME seed N` for an experiment's candidate.
    public var label: String
    /// A series name for the chart (an experiment's regime, else the input kind).
    public var group: String
    /// The outputs this row was read from (one row may appear in several: an `eval` output and
    /// the `compare` output that used it).
    public var sources: [String]
    public var model: ModelRecord
    /// What decides its scores besides the model: `limit`, `seed`, `regime`, `masked_fraction`, …
    public var settings: [LeaderboardSetting]
    /// One per ``LeaderboardTable/tasks`` entry, in the same order; nil where the row lacks the task.
    public var cells: [LeaderboardCell?]
    /// Whether per-item samples were read (paired tests and flips against other rows are possible).
    public var hasSamples: Bool
    /// Against the table's base, with roles known: TI and BWT in % (Wu et al.) and in points.
    public var targetImprovement: Double?
    public var targetImprovementPoints: Double?
    public var backwardTransfer: Double?
    public var backwardTransferPoints: Double?
}

/// A name and value shown with a row.
public struct LeaderboardSetting: Codable, Equatable, Sendable {
    public var name: String
    public var value: String
}

/// A row's score on a task and its change against the table's base.
public struct LeaderboardCell: Codable, Equatable, Sendable {
    /// The primary metric's value.
    public var value: Double
    /// Its 95% interval, when the output recorded one.
    public var interval95: [Double]?
    /// Items scored, when known.
    public var items: Int?
    /// value − base value: in points (× 100) when ``deltaInPoints``, else in the metric's units;
    /// nil for the base row. With a paired comparison, the change over the items both runs scored
    /// (as `compare` reports it), which differs from the difference of the two scores when the runs
    /// scored different items.
    public var delta: Double?
    public var deltaInPoints: Bool
    /// The paired 95% interval of ``delta`` (same units), when a paired comparison exists.
    public var deltaInterval95: [Double]?
    /// The paired test's p-value (Holm-adjusted across non-target tasks as `compare` does); nil
    /// when significance is unknown (no per-item samples and no comparison of the two rows).
    public var pValue: Double?
    /// `exact_mcnemar` or `paired_bootstrap`; nil when unknown.
    public var test: String?
    /// Items right under the base only / the row only (McNemar's b and c), when paired on 0/1 items.
    public var rightToWrong: Int?
    public var wrongToRight: Int?
}

/// A paired comparison of two rows of one table.
public struct LeaderboardPair: Codable, Equatable, Sendable {
    public var base: String
    public var candidate: String
    /// Where it comes from: `compare output PATH`, `run output PATH`, or `paired test of two eval
    /// outputs` (run by the leaderboard on both rows' samples).
    public var source: String
    /// Per task (its primary metric), the flipped items; empty for metrics that are not 0/1.
    public var tasks: [LeaderboardPairTask]
}

/// One task of a ``LeaderboardPair``.
public struct LeaderboardPairTask: Codable, Equatable, Sendable {
    public var task: String
    public var metric: String
    public var pairedItems: Int
    /// McNemar's b and c; the counts of ``flips`` each way equal them.
    public var baseOnlyCorrect: Int?
    public var candidateOnlyCorrect: Int?
    /// nil when the comparison did not record flips (older files).
    public var flips: [ItemFlip]?
}
