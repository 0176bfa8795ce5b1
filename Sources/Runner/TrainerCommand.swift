import Foundation
import Harness

/// An external trainer's command line (`training.trainer: command`, `forgetbench train
/// --trainer-command`), e.g. `python integrations/hf/train.py --data {data} --settings {settings}
/// --model {base} --output {output}` or `accelerate launch --num_processes {gpus} integrations/hf/train.py ...`.
///
/// The template is split into words as a POSIX shell splits them (blanks separate words; `'…'` keeps
/// everything literally, `"…"` keeps blanks and honours `\"` and `\\`, a backslash outside quotes
/// escapes the next character) but no shell runs it: no globbing, variables or pipes. Placeholders are
/// replaced inside each word after splitting, so a path with blanks stays one argument:
/// `{data}` (the masked JSONL), `{settings}` (``ExternalTrainerSettings`` JSON), `{base}` (the base
/// model), `{output}` (the directory the trainer must fill), `{gpus}` (processes to launch).
/// The first word is found on `PATH` when it holds no `/`.
public struct TrainerCommand: Hashable, Sendable, Codable {
    /// The template as written.
    public var template: String
    /// The template split into words, placeholders still in place.
    public var words: [String]

    /// The placeholders a template may hold.
    public static let placeholders = ["data", "settings", "base", "output", "gpus"]

    /// Splits `template`. Throws ``RunnerError/invalid(_:)`` for an unterminated quote, an empty
    /// command, or an unknown `{placeholder}` (naming the known ones).
    public init(_ template: String) throws {
        self.template = template
        words = try Self.split(template)
        guard !words.isEmpty else { throw RunnerError.invalid("the trainer command is empty") }
        for word in words {
            var rest = Substring(word)
            while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
                let name = String(rest[rest.index(after: open) ..< close])
                if !name.isEmpty, name.allSatisfy({ $0.isLetter || $0 == "_" }), !Self.placeholders.contains(name) {
                    throw RunnerError.invalid("the trainer command names an unknown placeholder {\(name)} (known: \(Self.placeholders.map { "{\($0)}" }.joined(separator: ", ")))")
                }
                rest = rest[rest.index(after: close)...]
            }
        }
    }

    /// The words of a shell-like command line.
    static func split(_ line: String) throws -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var iterator = Array(line).makeIterator()
        while let c = iterator.next() {
            switch c {
            case " ", "\t", "\n":
                if inWord { words.append(current); current = ""; inWord = false }
            case "'":
                inWord = true
                while true {
                    guard let d = iterator.next() else { throw RunnerError.invalid("the trainer command has an unterminated ' quote: \(line)") }
                    if d == "'" { break }
                    current.append(d)
                }
            case "\"":
                inWord = true
                while true {
                    guard let d = iterator.next() else { throw RunnerError.invalid("the trainer command has an unterminated \" quote: \(line)") }
                    if d == "\"" { break }
                    if d == "\\" {
                        guard let e = iterator.next() else { throw RunnerError.invalid("the trainer command has an unterminated \" quote: \(line)") }
                        if e != "\"" && e != "\\" { current.append("\\") }
                        current.append(e)
                    } else {
                        current.append(d)
                    }
                }
            case "\\":
                inWord = true
                if let d = iterator.next() { current.append(d) }
            default:
                inWord = true
                current.append(c)
            }
        }
        if inWord { words.append(current) }
        return words
    }

    /// The arguments with every placeholder replaced.
    public func arguments(data: String, settings: String, base: String, output: String, gpus: Int) -> [String] {
        let values = ["data": data, "settings": settings, "base": base, "output": output, "gpus": String(gpus)]
        return words.map { word in
            var result = word
            for (name, value) in values { result = result.replacingOccurrences(of: "{\(name)}", with: value) }
            return result
        }
    }

    /// What a run of the command ended with.
    public struct Outcome: Sendable, Equatable {
        /// The trainer's exit status (or the signal that ended it, as 128 + n).
        public var exitCode: Int32
        /// The last lines it printed (stdout and stderr together), for error messages.
        public var lastLines: [String]
    }

    /// Runs the command with `arguments` (from ``arguments(data:settings:base:output:gpus:)``) in
    /// `directory`, appending every line it prints (stdout and stderr) to `log` and passing each to
    /// `line` as it arrives. Returns when the trainer exits.
    /// - Throws: ``RunnerError/invalid(_:)`` when the program cannot be started.
    public static func run(arguments: [String], in directory: URL? = nil, log: URL, line: (String) -> Void = { _ in }) throws -> Outcome {
        try FileManager.default.createDirectory(at: log.deletingLastPathComponent(), withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
        guard let logHandle = FileHandle(forWritingAtPath: log.path) else { throw RunnerError.invalid("\(log.path): cannot write the trainer's log") }
        defer { try? logHandle.close() }
        logHandle.seekToEndOfFile()
        logHandle.write(Data("$ \(arguments.map(Self.quoted).joined(separator: " "))\n".utf8))

        let process = Self.process(arguments, in: directory)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw RunnerError.invalid("cannot start the trainer \(arguments[0]): \(error.localizedDescription)")
        }
        // The trainer leads its own process group, which a terminal's Ctrl-C does not reach: an
        // interrupted run stops it (and what it started, e.g. torchrun's workers) before ending.
        let signals = TerminationSignals { ChildTermination.terminate(process, grace: 5) }
        defer { signals.cancel() }
        var pending = Data()
        var tail: [String] = []
        func emit(_ data: Data) {
            logHandle.write(data)
            let text = String(decoding: data, as: UTF8.self)
            for l in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
                // A progress bar redraws with carriage returns: keep what it shows last.
                let shown = String(l.split(separator: "\r").last ?? "")
                tail.append(shown)
                if tail.count > 20 { tail.removeFirst() }
                line(shown)
            }
        }
        let reader = pipe.fileHandleForReading
        while true {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            pending.append(chunk)
            if let lastNewline = pending.lastIndex(of: 0x0A) {
                emit(pending[...lastNewline])
                pending.removeSubrange(...lastNewline)
            }
        }
        if !pending.isEmpty { pending.append(0x0A); emit(pending) }
        process.waitUntilExit()
        let code = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        logHandle.write(Data("[trainer exited with status \(code)]\n".utf8))
        return Outcome(exitCode: code, lastLines: tail)
    }

    /// What a trainer must leave in its output directory: a PEFT adapter
    /// (`adapter_config.json` + `adapter_model.safetensors`) or a Hugging Face model (`config.json` +
    /// `model.safetensors` or a sharded `model.safetensors.index.json`). Returns nil when complete, else
    /// what is missing.
    public static func missingOutput(in directory: URL) -> String? {
        func has(_ name: String) -> Bool { FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path) }
        if has("adapter_config.json") || has("adapter_model.safetensors") {
            return has("adapter_config.json") && has("adapter_model.safetensors") ? nil
                : "\(directory.path) holds half a PEFT adapter (expected adapter_config.json and adapter_model.safetensors)"
        }
        if has("config.json") && (has("model.safetensors") || has("model.safetensors.index.json")) { return nil }
        return "\(directory.path) holds neither a PEFT adapter (adapter_config.json + adapter_model.safetensors) nor a model (config.json + model.safetensors)"
    }

    /// A process for a command line's words, not started: a word with a `/` is a path (relative to
    /// `directory`), any other is looked up on PATH through `/usr/bin/env`; it runs in `directory`.
    static func process(_ arguments: [String], in directory: URL?) -> Process {
        let process = Process()
        if arguments[0].contains("/") {
            process.executableURL = URL(fileURLWithPath: arguments[0], relativeTo: directory)
            process.arguments = Array(arguments.dropFirst())
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = arguments
        }
        if let directory { process.currentDirectoryURL = directory }
        return process
    }

    /// A word as a shell would need it quoted, for the log.
    static func quoted(_ word: String) -> String {
        let safe = word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,+@%{}".contains($0) }
        return safe && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
