import Foundation
import Harness

/// An output directory read for a leaderboard: what `eval`, `compare` or `run` wrote.
public enum LeaderboardSource: Sendable {
    /// An `eval` (or `merge`) output with its samples.
    case eval(path: String, run: RunDirectory.Loaded)
    /// A `compare` output.
    case comparison(path: String, results: ComparisonResults)
    /// A `run` output; its base's and candidates' `eval` outputs when the directory still holds
    /// them (a published copy may keep `results.json` alone).
    case experiment(path: String, results: ExperimentResults, base: RunDirectory.Loaded?, candidates: [String: RunDirectory.Loaded])

    /// The directory as found.
    public var path: String {
        switch self {
        case .eval(let p, _), .comparison(let p, _), .experiment(let p, _, _, _): p
        }
    }

    public var kind: LeaderboardInput.Kind {
        switch self {
        case .eval: .eval
        case .comparison: .compare
        case .experiment: .run
        }
    }

    /// The key of an experiment candidate in ``experiment(path:results:base:candidates:)``.
    static func candidateKey(regime: String, seed: UInt64) -> String { "\(regime)#\(seed)" }

    /// Every output under `paths`, sorted by path: each path is an output directory (or its
    /// `results.json` / `comparison.json`), or a directory holding outputs at any depth up to 4.
    ///
    /// - Throws: ``RunnerError`` naming the path when it does not exist, holds no output, or a
    ///   file in it is not what its name says.
    public static func discover(_ paths: [String]) throws -> [LeaderboardSource] {
        var found: [String: LeaderboardSource] = [:]
        for given in paths {
            var path = given
            if path.count > 1, path.hasSuffix("/") { path.removeLast() }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw RunnerError.invalid("\(path): no such file or directory")
            }
            if !isDirectory.boolValue {
                let name = (path as NSString).lastPathComponent
                guard name == "results.json" || name == "comparison.json" else {
                    throw RunnerError.invalid("\(path): expected an output directory of 'forgetbench eval', 'compare' or 'run' (or its results.json / comparison.json)")
                }
                path = (path as NSString).deletingLastPathComponent
                if path.isEmpty { path = "." }
            }
            var here: [String: LeaderboardSource] = [:]
            try collect(path, depth: 0, into: &here)
            if here.isEmpty {
                throw RunnerError.invalid("\(path): holds no output of 'forgetbench eval', 'compare' or 'run' (no results.json or comparison.json up to 4 levels down)")
            }
            found.merge(here) { first, _ in first }
        }
        return found.keys.sorted().map { found[$0]! }
    }

    static func collect(_ path: String, depth: Int, into found: inout [String: LeaderboardSource]) throws {
        let fm = FileManager.default
        let comparisonPath = path + "/comparison.json"
        let resultsPath = path + "/results.json"
        if fm.fileExists(atPath: comparisonPath), !fm.fileExists(atPath: resultsPath) {
            found[path] = .comparison(path: path, results: try loadComparison(comparisonPath))
            return
        }
        if fm.fileExists(atPath: resultsPath) {
            found[path] = try load(path, resultsPath: resultsPath)
            return
        }
        guard depth < 4, let children = try? fm.contentsOfDirectory(atPath: path) else { return }
        for child in children.sorted() where !child.hasPrefix(".") {
            var isDirectory: ObjCBool = false
            let childPath = path == "." ? child : path + "/" + child
            if fm.fileExists(atPath: childPath, isDirectory: &isDirectory), isDirectory.boolValue {
                try collect(childPath, depth: depth + 1, into: &found)
            }
        }
    }

    /// An `eval` or a `run` output, told apart by the keys of its `results.json`.
    static func load(_ path: String, resultsPath: String) throws -> LeaderboardSource {
        guard let data = FileManager.default.contents(atPath: resultsPath) else {
            throw RunnerError.invalid("\(resultsPath): cannot be read")
        }
        let object: JSONValue
        do { object = try JSONValue.parse(data) } catch {
            throw RunnerError.invalid("\(resultsPath): not JSON (\(error); expected the results.json of 'forgetbench eval' or 'run')")
        }
        if object["regimes"] != nil {
            let results: ExperimentResults
            do { results = try RunDirectory.decoder().decode(ExperimentResults.self, from: data) } catch {
                throw RunnerError.invalid("\(resultsPath): not the results of 'forgetbench run' (\(RunDirectory.describe(error)))")
            }
            let layout = ExperimentLayout(root: URL(fileURLWithPath: path))
            let fm = FileManager.default
            let base = fm.fileExists(atPath: layout.base.appendingPathComponent("results.json").path) ? try RunDirectory.load(layout.base) : nil
            var candidates: [String: RunDirectory.Loaded] = [:]
            for regime in results.regimes {
                for c in regime.candidates {
                    let eval = layout.evaluation(regime.regime, seed: c.seed)
                    if fm.fileExists(atPath: eval.appendingPathComponent("results.json").path) {
                        candidates[candidateKey(regime: regime.regime, seed: c.seed)] = try RunDirectory.load(eval)
                    }
                }
            }
            return .experiment(path: path, results: results, base: base, candidates: candidates)
        }
        if object["settings"] != nil, object["model"] != nil {
            return .eval(path: path, run: try RunDirectory.load(URL(fileURLWithPath: path)))
        }
        throw RunnerError.invalid("\(resultsPath): neither the results of 'forgetbench eval' (keys settings, model, tasks) nor of 'forgetbench run' (key regimes)")
    }

    static func loadComparison(_ path: String) throws -> ComparisonResults {
        guard let data = FileManager.default.contents(atPath: path) else { throw RunnerError.invalid("\(path): cannot be read") }
        let results: ComparisonResults
        do { results = try RunDirectory.decoder().decode(ComparisonResults.self, from: data) } catch {
            throw RunnerError.invalid("\(path): not the comparison.json of 'forgetbench compare' (\(RunDirectory.describe(error)))")
        }
        guard results.schemaVersion <= ComparisonResults.currentSchemaVersion else {
            throw RunnerError.invalid("\(path): schema version \(results.schemaVersion) is newer than this forgetbench reads (\(ComparisonResults.currentSchemaVersion)); upgrade forgetbench")
        }
        return results
    }
}
