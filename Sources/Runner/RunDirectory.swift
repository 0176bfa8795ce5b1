import Foundation
import Harness

/// The files of an evaluation run: `results.json`, `samples/<task>.jsonl`, `report.md`,
/// `junit.xml`. Every file is written atomically, `results.json` last, so a directory with a
/// `results.json` is complete.
public enum RunDirectory {
    /// A run read back from disk.
    public struct Loaded: Sendable {
        public var directory: URL
        public var results: EvaluationResults
        /// Per task, its samples in file order.
        public var samples: [String: [SampleRecord]]
    }

    static func encoder(pretty: Bool) -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return e
    }

    static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return d
    }

    /// Creates `directory` (and parents) or throws naming it when that is impossible.
    public static func prepare(_ directory: URL) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw RunnerError.invalid("\(directory.path): cannot create the output directory (\(error.localizedDescription))")
        }
        guard FileManager.default.isWritableFile(atPath: directory.path) else {
            throw RunnerError.invalid("\(directory.path): the output directory is not writable")
        }
    }

    /// Writes `data` to `url` through a temporary file in the same directory and a rename.
    public static func writeAtomically(_ data: Data, to url: URL) throws {
        try AtomicFile.write(data, to: url)
    }

    /// Encodes `value` as pretty, key-sorted JSON.
    public static func json<T: Encodable>(_ value: T) throws -> Data {
        var data = try encoder(pretty: true).encode(value)
        data.append(0x0A)
        return data
    }

    /// Writes a complete run.
    public static func write(results: EvaluationResults, samples: [String: [SampleRecord]], report: String, junit: Data, to directory: URL) throws {
        try prepare(directory)
        let samplesDirectory = directory.appendingPathComponent("samples")
        try prepare(samplesDirectory)
        let lineEncoder = encoder(pretty: false)
        for (task, records) in samples {
            try writeAtomically(try JSONLines.encode(records, encoder: lineEncoder), to: samplesDirectory.appendingPathComponent("\(task).jsonl"))
        }
        try writeAtomically(Data(report.utf8), to: directory.appendingPathComponent("report.md"))
        try writeAtomically(junit, to: directory.appendingPathComponent("junit.xml"))
        try writeAtomically(try json(results), to: directory.appendingPathComponent("results.json"))
    }

    /// Reads a run written by `write`. Errors name the file (and line for samples).
    public static func load(_ directory: URL) throws -> Loaded {
        let resultsURL = directory.appendingPathComponent("results.json")
        guard let data = FileManager.default.contents(atPath: resultsURL.path) else {
            throw RunnerError.invalid("\(resultsURL.path): missing (is \(directory.path) the output directory of a finished 'forgetbench eval'?)")
        }
        let results: EvaluationResults
        do { results = try decoder().decode(EvaluationResults.self, from: data) } catch {
            throw RunnerError.invalid("\(resultsURL.path): not a ForgetBench results file (\(describe(error)))")
        }
        guard results.schemaVersion <= EvaluationResults.currentSchemaVersion else {
            throw RunnerError.invalid("\(resultsURL.path): schema version \(results.schemaVersion) is newer than this forgetbench reads (\(EvaluationResults.currentSchemaVersion)); upgrade forgetbench")
        }
        var samples: [String: [SampleRecord]] = [:]
        for task in results.tasks {
            let url = directory.appendingPathComponent("samples/\(task.name).jsonl")
            guard let text = try? String(contentsOf: url, encoding: .utf8) else {
                throw RunnerError.invalid("\(url.path): missing samples for task \(task.name)")
            }
            var records: [SampleRecord] = []
            for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
                do { records.append(try decoder().decode(SampleRecord.self, from: Data(line.utf8))) } catch {
                    throw RunnerError.invalid("\(url.path):\(i + 1): not a sample record (\(describe(error)))")
                }
            }
            samples[task.name] = records
        }
        return Loaded(directory: directory, results: results, samples: samples)
    }

    static func describe(_ error: Error) -> String {
        if let e = error as? DecodingError {
            switch e {
            case let .keyNotFound(key, context): return "missing key '\(([key] + context.codingPath).map(\.stringValue).reversed().joined(separator: "."))'"
            case let .typeMismatch(_, context), let .valueNotFound(_, context), let .dataCorrupted(context):
                return "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
            @unknown default: break
            }
        }
        return String(describing: error).replacingOccurrences(of: "\n", with: " ")
    }
}
