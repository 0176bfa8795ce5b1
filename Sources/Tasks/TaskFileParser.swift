import Foundation
import Harness
import Yams

/// Reads task files (YAML) into `TaskSpec`s, checking every key and value and reporting problems
/// as `FILE:LINE:COLUMN: …` (`TaskError`), with did-you-mean suggestions for unknown keys.
///
/// The schema, key by key, is in `docs/tasks.md`.
public enum TaskFileParser {
    static let topKeys = ["name", "version", "description", "output_type", "dataset", "id", "preamble", "prompt",
                          "target", "choices", "gold", "contexts", "target_delimiter", "fewshot", "generation", "metrics", "chat_template",
                          "training"]
    static let trainingKeys = ["dataset", "prompt", "target", "response"]
    static let datasetKeys = ["path", "format", "sha256", "url", "select", "where"]
    static let selectKeys = ["start", "end"]
    static let fewshotKeys = ["k", "source", "sampler", "seed", "separator", "prompt", "target"]
    static let generationKeys = ["until", "max_tokens", "temperature", "top_p", "samples"]
    static let metricKeys = ["name", "type", "filters", "target_filters", "database", "extract", "k"]
    static let regexKeys = ["regex", "group", "select"]

    /// Parses the task file at `url`.
    /// - Throws: `TaskError` (`.unreadable`, `.malformedYAML`, `.unknownKey`, `.missingKey`, `.invalidValue`).
    public static func parse(fileAt url: URL) throws(TaskError) -> TaskSpec {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw .unreadable(path: url.path, reason: FileManager.default.fileExists(atPath: url.path) ? "not UTF-8 text" : "no such file")
        }
        return try parse(yaml: text, file: url)
    }

    /// Parses task YAML `text`; `file` names it in errors and anchors `./` dataset paths.
    public static func parse(yaml text: String, file: URL) throws(TaskError) -> TaskSpec {
        let path = file.path
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw yamlError(error, path: path)
        } catch {
            throw .malformedYAML(SourceLocation(path: path), problem: "\(error)")
        }
        guard let root else { throw .invalidValue(SourceLocation(path: path, line: 1, column: 1), message: "the task file is empty") }
        var p = Parser(path: path, file: file)
        if LMEvalTaskFile.recognises(root) { return try p.lmEvalTask(root) }
        return try p.task(root)
    }

    static func yamlError(_ error: YamlError, path: String) -> TaskError {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            var message = problem
            if let context { message += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))" }
            return .malformedYAML(SourceLocation(path: path, line: mark.line, column: mark.column), problem: message)
        case let .duplicatedKeysInMapping(duplicates, context):
            return .malformedYAML(SourceLocation(path: path, line: context.mark.line, column: context.mark.column),
                                  problem: "duplicated key\(duplicates.count == 1 ? "" : "s") \(duplicates.sorted().map { "'\($0)'" }.joined(separator: ", "))")
        case let .reader(problem, offset, _, _):
            return .malformedYAML(SourceLocation(path: path), problem: problem + (offset.map { " at byte \($0)" } ?? ""))
        default:
            return .malformedYAML(SourceLocation(path: path), problem: "\(error)")
        }
    }

    /// The walk over one file's node tree.
    struct Parser {
        let path: String
        let file: URL
        var locations: [String: SourceLocation] = [:]

        init(path: String, file: URL) {
            self.path = path
            self.file = file
        }

        func loc(_ node: Node) -> SourceLocation {
            SourceLocation(path: path, line: node.mark?.line, column: node.mark?.column)
        }

        func kind(_ node: Node) -> String {
            switch node {
            case .scalar: return "a scalar"
            case .mapping: return "a mapping"
            case .sequence: return "a list"
            case .alias: return "an alias"
            }
        }

        /// A mapping's entries by key, after checking that every key is allowed.
        func entries(_ node: Node, section: String, allowed: [String]) throws(TaskError) -> [String: (key: Node, value: Node)] {
            guard case let .mapping(mapping) = node else {
                throw .invalidValue(loc(node), message: "\(section) must be a mapping, got \(kind(node))")
            }
            var result: [String: (Node, Node)] = [:]
            for (key, value) in mapping {
                guard case let .scalar(scalar) = key else { throw .invalidValue(loc(key), message: "keys in \(section) must be plain words") }
                let name = scalar.string
                guard allowed.contains(name) else {
                    throw .unknownKey(loc(key), key: name, section: section, suggestions: Suggestions.closest(to: name, in: allowed))
                }
                if value.null != nil, case .scalar = value { continue } // `key:` with no value: as if absent
                result[name] = (key, value)
            }
            return result
        }

        func required(_ e: [String: (key: Node, value: Node)], _ key: String, in node: Node, section: String) throws(TaskError) -> Node {
            guard let value = e[key]?.value else { throw .missingKey(loc(node), key: key, section: section) }
            return value
        }

        func string(_ node: Node, _ what: String) throws(TaskError) -> String {
            guard case let .scalar(scalar) = node else { throw .invalidValue(loc(node), message: "'\(what)' must be text, got \(kind(node))") }
            return scalar.string
        }

        func bool(_ node: Node, _ what: String) throws(TaskError) -> Bool {
            guard case let .scalar(scalar) = node, let value = ["true": true, "false": false][scalar.string.lowercased()] else {
                throw .invalidValue(loc(node), message: "'\(what)' must be true or false")
            }
            return value
        }

        func int(_ node: Node, _ what: String, min: Int? = nil) throws(TaskError) -> Int {
            guard case let .scalar(scalar) = node, let value = Int(scalar.string) else {
                throw .invalidValue(loc(node), message: "'\(what)' must be an integer")
            }
            if let min, value < min { throw .invalidValue(loc(node), message: "'\(what)' must be at least \(min), got \(value)") }
            return value
        }

        func double(_ node: Node, _ what: String) throws(TaskError) -> Double {
            guard case let .scalar(scalar) = node, let value = Double(scalar.string) else {
                throw .invalidValue(loc(node), message: "'\(what)' must be a number")
            }
            return value
        }

        func template(_ node: Node, _ what: String) throws(TaskError) -> PromptTemplate {
            let text = try string(node, what)
            do {
                return try PromptTemplate(text)
            } catch {
                throw .invalidValue(loc(node), message: "'\(what)': \(error.message)")
            }
        }

        /// An expression written bare (`choices`) or in braces (`{{ choices }}`), or an integer.
        func expression(_ node: Node, _ what: String) throws(TaskError) -> PromptTemplate {
            let text = try string(node, what)
            do {
                return try PromptTemplate(expression: text)
            } catch {
                throw .invalidValue(loc(node), message: "'\(what)': \(error.message)")
            }
        }

        mutating func task(_ root: Node) throws(TaskError) -> TaskSpec {
            let section = "the task"
            let e = try entries(root, section: section, allowed: TaskFileParser.topKeys)
            for (key, pair) in e { locations[key] = loc(pair.value) }
            let name = try string(required(e, "name", in: root, section: section), "name")
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "_-.".contains($0) }) else {
                throw .invalidValue(loc(e["name"]!.value), message: "'name' must be letters, digits, '_', '-' or '.', got '\(name)'")
            }
            let version = try e["version"].map { pair throws(TaskError) in try string(pair.value, "version") } ?? "1"
            let description = try e["description"].map { pair throws(TaskError) in try string(pair.value, "description") } ?? ""
            let typeNode = try required(e, "output_type", in: root, section: section)
            let typeText = try string(typeNode, "output_type")
            guard let outputType = OutputType(rawValue: typeText) else {
                let all = OutputType.allCases.map(\.rawValue)
                throw .invalidValue(loc(typeNode), message: "unknown output_type '\(typeText)'\(TaskError.hint(Suggestions.closest(to: typeText, in: all))); expected one of \(all.joined(separator: ", "))")
            }
            let dataset = try datasetSpec(required(e, "dataset", in: root, section: section), section: "dataset")
            // With per-choice contexts the prompt is only a shared prefix, and may be left out.
            let prompt: PromptTemplate
            if e["prompt"] == nil, e["contexts"] != nil, outputType == .multipleChoice {
                prompt = try! PromptTemplate("")
            } else {
                prompt = try template(required(e, "prompt", in: root, section: section), "prompt")
            }
            let id = try e["id"].map { pair throws(TaskError) in try template(pair.value, "id") }
            let preamble = try e["preamble"].map { pair throws(TaskError) in try string(pair.value, "preamble") } ?? ""
            let target = try e["target"].map { pair throws(TaskError) in try template(pair.value, "target") }
            let delimiter = try e["target_delimiter"].map { pair throws(TaskError) in try string(pair.value, "target_delimiter") } ?? " "

            // Choices and gold: multiple choice only.
            var choices: ChoicesSpec?
            var gold: PromptTemplate?
            var contexts: ChoicesSpec?
            if outputType == .multipleChoice {
                if let pair = e["contexts"] {
                    contexts = try listSpec(pair.value, "contexts", minimumTemplates: 2)
                }
                // With per-choice contexts one continuation may serve every context.
                choices = try listSpec(required(e, "choices", in: root, section: section), "choices", minimumTemplates: contexts == nil ? 2 : 1)
                gold = try expression(required(e, "gold", in: root, section: section), "gold")
            } else {
                for key in ["choices", "gold", "contexts"] {
                    if let pair = e[key] {
                        throw .invalidValue(loc(pair.key), message: "'\(key)' applies to multiple_choice tasks only, not \(outputType.rawValue)")
                    }
                }
                if outputType == .generateUntil || outputType == .loglikelihood {
                    _ = try required(e, "target", in: root, section: section)
                }
            }
            if outputType == .loglikelihoodRolling, let pair = e["target"] {
                throw .invalidValue(loc(pair.key), message: "'target' does not apply to loglikelihood_rolling tasks: the prompt is the text scored")
            }

            // Generation.
            var generation: GenerationSettings?
            if outputType == .generateUntil {
                generation = try generationSettings(required(e, "generation", in: root, section: section))
            } else if let pair = e["generation"] {
                throw .invalidValue(loc(pair.key), message: "'generation' applies to generate_until tasks only, not \(outputType.rawValue)")
            }

            // Few-shot.
            var fewshot: FewShotSpec?
            if let pair = e["fewshot"] {
                if outputType == .loglikelihoodRolling {
                    throw .invalidValue(loc(pair.key), message: "'fewshot' does not apply to loglikelihood_rolling tasks")
                }
                fewshot = try fewshotSpec(pair.value)
            }

            // Metrics.
            let metrics: [MetricConfig]
            if let pair = e["metrics"] {
                metrics = try metricList(pair.value, outputType: outputType, samples: generation?.samples ?? 1)
            } else {
                if let generation, generation.samples > 1, let pair = e["generation"] {
                    throw .invalidValue(loc(pair.key), message: "'generation.samples' is \(generation.samples), which needs code_execution metrics; add 'metrics: [code_execution]'")
                }
                metrics = MetricKind.defaults(for: outputType).map {
                    MetricConfig(name: $0.rawValue, kind: $0, filters: $0 == .exactMatch ? [.trim] : [], targetFilters: $0 == .exactMatch ? [.trim] : [])
                }
            }

            let training = try e["training"].map { pair throws(TaskError) in try trainingSpec(pair.value) }
            if training != nil, outputType != .generateUntil, let pair = e["training"] {
                throw .invalidValue(loc(pair.key), message: "'training' applies to generate_until tasks only, not \(outputType.rawValue)")
            }

            if contexts != nil, let fewshot, fewshot.k > 0, let pair = e["fewshot"] {
                throw .invalidValue(loc(pair.key), message: "'fewshot' is not supported with per-choice 'contexts'; use k: 0 or leave it out")
            }

            return TaskSpec(name: name, version: version, description: description, outputType: outputType, dataset: dataset,
                            id: id, preamble: preamble, prompt: prompt, target: target, choices: choices, gold: gold, contexts: contexts,
                            targetDelimiter: delimiter, fewshot: fewshot, generation: generation, metrics: metrics, training: training,
                            appliesChatTemplate: try e["chat_template"].map { pair throws(TaskError) in try bool(pair.value, "chat_template") },
                            file: file, locations: locations)
        }

        mutating func trainingSpec(_ node: Node) throws(TaskError) -> TrainingSplitSpec {
            let e = try entries(node, section: "training", allowed: TaskFileParser.trainingKeys)
            for (key, pair) in e { locations["training.\(key)"] = loc(pair.value) }
            let dataset = try datasetSpec(required(e, "dataset", in: node, section: "training"), section: "training.dataset")
            let prompt = try e["prompt"].map { pair throws(TaskError) in try template(pair.value, "training.prompt") }
            let target = try e["target"].map { pair throws(TaskError) in try template(pair.value, "training.target") }
            let response = try template(required(e, "response", in: node, section: "training"), "training.response")
            return TrainingSplitSpec(dataset: dataset, prompt: prompt, target: target, response: response)
        }

        /// `choices` or `contexts`: a list of templates (at least `minimumTemplates`) or an expression giving a list.
        func listSpec(_ node: Node, _ what: String, minimumTemplates: Int) throws(TaskError) -> ChoicesSpec {
            if case let .sequence(items) = node {
                var templates: [PromptTemplate] = []
                for item in items { templates.append(try template(item, what)) }
                guard templates.count >= minimumTemplates else {
                    throw .invalidValue(loc(node), message: "'\(what)' needs at least \(minimumTemplates == 1 ? "one template" : "\(minimumTemplates) templates")")
                }
                return .templates(templates)
            }
            return .list(try expression(node, what))
        }

        mutating func datasetSpec(_ node: Node, section: String) throws(TaskError) -> DatasetSpec {
            let e = try entries(node, section: section, allowed: TaskFileParser.datasetKeys)
            let pathNode = try required(e, "path", in: node, section: section)
            let path = try string(pathNode, "path")
            guard !path.isEmpty else { throw .invalidValue(loc(pathNode), message: "'path' must not be empty") }
            var format: DatasetFormat
            if let pair = e["format"] {
                let text = try string(pair.value, "format")
                guard let f = DatasetFormat(rawValue: text) else {
                    let all = DatasetFormat.allCases.map(\.rawValue)
                    throw .invalidValue(loc(pair.value), message: "unknown dataset format '\(text)'\(TaskError.hint(Suggestions.closest(to: text, in: all))); expected one of \(all.joined(separator: ", "))")
                }
                format = f
            } else {
                guard let f = DatasetFormat.inferred(from: path) else {
                    throw .invalidValue(loc(pathNode), message: "cannot tell the format of '\(path)' from its extension; add 'format: jsonl|jsonl.gz|json|csv|text2sql'")
                }
                format = f
            }
            var sha: String?
            if let pair = e["sha256"] {
                let text = try string(pair.value, "sha256").lowercased()
                guard text.count == 64, text.allSatisfy({ $0.isHexDigit }) else {
                    throw .invalidValue(loc(pair.value), message: "'sha256' must be 64 hexadecimal digits")
                }
                sha = text
            }
            let url = try e["url"].map { pair throws(TaskError) in try string(pair.value, "url") }
            var start: Int?, end: Int?
            if let pair = e["select"] {
                let s = try entries(pair.value, section: "\(section).select", allowed: TaskFileParser.selectKeys)
                start = try s["start"].map { p throws(TaskError) in try int(p.value, "start", min: 0) }
                end = try s["end"].map { p throws(TaskError) in try int(p.value, "end", min: 0) }
                if let start, let end, end <= start {
                    throw .invalidValue(loc(pair.value), message: "'select' must have end > start, got start \(start), end \(end)")
                }
            }
            var whereEquals: [String: String] = [:]
            if let pair = e["where"] {
                guard case let .mapping(mapping) = pair.value else {
                    throw .invalidValue(loc(pair.value), message: "'where' must map field names to values")
                }
                for (k, v) in mapping {
                    whereEquals[try string(k, "where")] = try string(v, "where")
                }
            }
            return DatasetSpec(path: path, format: format, sha256: sha, url: url, start: start, end: end,
                               whereEquals: whereEquals, location: loc(node))
        }

        func generationSettings(_ node: Node) throws(TaskError) -> GenerationSettings {
            let e = try entries(node, section: "generation", allowed: TaskFileParser.generationKeys)
            var until: [String] = []
            if let pair = e["until"] {
                if case let .sequence(items) = pair.value {
                    for item in items { until.append(try string(item, "until")) }
                } else {
                    until = [try string(pair.value, "until")]
                }
                if until.contains("") { throw .invalidValue(loc(pair.value), message: "'until' must not contain an empty string") }
            }
            let maxTokens = try int(required(e, "max_tokens", in: node, section: "generation"), "max_tokens", min: 1)
            let temperature = try e["temperature"].map { p throws(TaskError) in try double(p.value, "temperature") } ?? 0
            let topP = try e["top_p"].map { p throws(TaskError) in try double(p.value, "top_p") } ?? 1
            if temperature < 0 { throw .invalidValue(loc(e["temperature"]!.value), message: "'temperature' must be at least 0") }
            let samples = try e["samples"].map { p throws(TaskError) in try int(p.value, "samples", min: 1) } ?? 1
            if samples > 1, temperature == 0 {
                throw .invalidValue(loc(e["samples"]!.value), message: "'samples' is \(samples) but 'temperature' is 0: greedy answers would all be the same; set a temperature above 0 (0.8 for pass@k, as Chen et al.)")
            }
            return GenerationSettings(stopSequences: until, maxTokens: maxTokens, temperature: temperature, topP: topP, samples: samples)
        }

        mutating func fewshotSpec(_ node: Node) throws(TaskError) -> FewShotSpec {
            let e = try entries(node, section: "fewshot", allowed: TaskFileParser.fewshotKeys)
            for (key, pair) in e { locations["fewshot.\(key)"] = loc(pair.value) }
            let k = try int(required(e, "k", in: node, section: "fewshot"), "k", min: 0)
            let source = try e["source"].map { pair throws(TaskError) in try datasetSpec(pair.value, section: "fewshot.source") }
            var sampler = FewShotSpec.Sampler.random
            if let pair = e["sampler"] {
                let text = try string(pair.value, "sampler")
                guard let s = FewShotSpec.Sampler(rawValue: text) else {
                    let all = FewShotSpec.Sampler.allCases.map(\.rawValue)
                    throw .invalidValue(loc(pair.value), message: "unknown sampler '\(text)'\(TaskError.hint(Suggestions.closest(to: text, in: all))); expected random or first")
                }
                sampler = s
            }
            var seed: UInt64?
            if let pair = e["seed"] {
                guard case let .scalar(s) = pair.value, let value = UInt64(s.string) else {
                    throw .invalidValue(loc(pair.value), message: "'seed' must be a non-negative integer")
                }
                seed = value
            }
            let separator = try e["separator"].map { p throws(TaskError) in try string(p.value, "separator") } ?? "\n\n"
            let prompt = try e["prompt"].map { p throws(TaskError) in try template(p.value, "fewshot.prompt") }
            let target = try e["target"].map { p throws(TaskError) in try template(p.value, "fewshot.target") }
            return FewShotSpec(k: k, source: source, sampler: sampler, seed: seed, separator: separator, prompt: prompt, target: target)
        }

        /// - Parameter samples: answers per item (`generation.samples`): pass@k needs k ≤ samples,
        ///   and only code_execution metrics score several answers.
        mutating func metricList(_ node: Node, outputType: OutputType, samples: Int) throws(TaskError) -> [MetricConfig] {
            guard case let .sequence(items) = node, !items.isEmpty else {
                throw .invalidValue(loc(node), message: "'metrics' must be a non-empty list")
            }
            let allowed = MetricKind.allowed(for: outputType)
            var result: [MetricConfig] = []
            for item in items {
                var name: String
                var kindText: String
                var kindNode = item
                var filters: [AnswerFilter] = []
                var targetFilters: [AnswerFilter]?
                var filterNode: Node?
                var database: DatasetSpec?
                var databaseNode: Node?
                var codeNode: Node?
                var code = CodeExecutionSpec()
                switch item {
                case let .scalar(s):
                    name = s.string
                    kindText = s.string
                default:
                    let e = try entries(item, section: "a metric", allowed: TaskFileParser.metricKeys)
                    let nameNode = e["name"]?.value
                    let typeNode = e["type"]?.value
                    guard nameNode != nil || typeNode != nil else { throw .missingKey(loc(item), key: "type", section: "a metric") }
                    name = try nameNode.map { n throws(TaskError) in try string(n, "name") } ?? ""
                    kindText = try typeNode.map { n throws(TaskError) in try string(n, "type") } ?? name
                    if name.isEmpty { name = kindText }
                    kindNode = typeNode ?? nameNode!
                    if let pair = e["filters"] { filters = try filterList(pair.value); filterNode = pair.key }
                    if let pair = e["target_filters"] { targetFilters = try filterList(pair.value); filterNode = pair.key }
                    if let pair = e["database"] {
                        database = try datasetSpec(pair.value, section: "database")
                        databaseNode = pair.key
                        if database?.format != .sqlite {
                            throw .invalidValue(loc(pair.value), message: "'database' must be a SQLite file (format: sqlite, or a .sqlite/.db name)")
                        }
                    }
                    if let pair = e["extract"] {
                        let text = try string(pair.value, "extract")
                        guard let extraction = ProgramExtraction(rawValue: text) else {
                            let all = ProgramExtraction.allCases.map(\.rawValue)
                            throw .invalidValue(loc(pair.value), message: "unknown extraction '\(text)'\(TaskError.hint(Suggestions.closest(to: text, in: all))); expected one of \(all.joined(separator: ", "))")
                        }
                        code.extraction = extraction
                        codeNode = pair.key
                    }
                    if let pair = e["k"] {
                        code.k = try int(pair.value, "k", min: 1)
                        if code.k > samples {
                            throw .invalidValue(loc(pair.value), message: "'k' is \(code.k) but each item gets \(samples) answer\(samples == 1 ? "" : "s") ('generation.samples'); pass@k needs k ≤ samples")
                        }
                        codeNode = pair.key
                    }
                }
                guard let kind = MetricKind(rawValue: kindText) else {
                    let all = MetricKind.allCases.map(\.rawValue)
                    throw .invalidValue(loc(kindNode), message: "unknown metric '\(kindText)'\(TaskError.hint(Suggestions.closest(to: kindText, in: all))); expected one of \(allowed.map(\.rawValue).joined(separator: ", "))")
                }
                guard allowed.contains(kind) else {
                    throw .invalidValue(loc(kindNode), message: "metric '\(kind.rawValue)' does not apply to \(outputType.rawValue) tasks; expected one of \(allowed.map(\.rawValue).joined(separator: ", "))")
                }
                if ![.exactMatch, .mathEquivalence, .sqlExecution].contains(kind), let filterNode {
                    throw .invalidValue(loc(filterNode), message: "filters apply to exact_match, math_equivalence and sql_execution metrics only")
                }
                if kind == .sqlExecution, database == nil {
                    throw .missingKey(loc(item), key: "database", section: "an sql_execution metric")
                }
                if kind != .sqlExecution, let databaseNode {
                    throw .invalidValue(loc(databaseNode), message: "'database' applies to sql_execution metrics only")
                }
                if samples > 1, kind != .codeExecution {
                    throw .invalidValue(loc(kindNode), message: "metric '\(kind.rawValue)' scores one answer per item, but 'generation.samples' is \(samples); only code_execution metrics use several")
                }
                if kind != .codeExecution, let codeNode {
                    throw .invalidValue(loc(codeNode), message: "'extract' and 'k' apply to code_execution metrics only")
                }
                if result.contains(where: { $0.name == name }) {
                    throw .invalidValue(loc(item), message: "metric '\(name)' is listed twice")
                }
                if filters.isEmpty, targetFilters == nil {
                    switch kind {
                    case .exactMatch, .sqlExecution: filters = [.trim]
                    case .mathEquivalence: filters = [.lastBoxed]
                    default: break
                    }
                }
                let metric = MetricConfig(name: name, kind: kind, filters: filters, targetFilters: targetFilters ?? filters.filter { !$0.isExtractor },
                                          database: database, codeExecution: kind == .codeExecution ? code : nil)
                if let other = result.first(where: { ($0.kind == .codeExecution) != (kind == .codeExecution) }) {
                    throw .invalidValue(loc(item), message: "metric '\(name)' cannot be listed with '\(other.name)': a code_execution task's metrics all run its programs")
                }
                if kind == .codeExecution, let first = result.first, first.codeExecution?.extraction != code.extraction {
                    throw .invalidValue(loc(item), message: "metric '\(name)' extracts programs differently from '\(first.name)'; a task's code_execution metrics share one 'extract'")
                }
                result.append(metric)
            }
            return result
        }

        func filterList(_ node: Node) throws(TaskError) -> [AnswerFilter] {
            let items: [Node]
            if case let .sequence(list) = node { items = Array(list) } else { items = [node] }
            var result: [AnswerFilter] = []
            for item in items {
                switch item {
                case let .scalar(s):
                    switch s.string {
                    case "last_number": result.append(.lastNumber)
                    case "first_number": result.append(.firstNumber)
                    case "first_choice_letter": result.append(.firstChoiceLetter(letters: "ABCD"))
                    case "normalize_number": result.append(.normalizeNumber)
                    case "trim": result.append(.trim)
                    case "lowercase": result.append(.lowercase)
                    case "uppercase": result.append(.uppercase)
                    case "collapse_whitespace": result.append(.collapseWhitespace)
                    case "normalize_whitespace": result.append(.normalizeWhitespace)
                    case "first_line": result.append(.firstLine)
                    case "last_boxed": result.append(.lastBoxed)
                    case "regex": throw .invalidValue(loc(item), message: "the regex filter needs a pattern: '- regex: PATTERN'")
                    default:
                        throw .invalidValue(loc(item), message: "unknown filter '\(s.string)'\(TaskError.hint(Suggestions.closest(to: s.string, in: AnswerFilter.names)))")
                    }
                case let .mapping(mapping):
                    guard let firstKey = mapping.first?.key.string else { throw .invalidValue(loc(item), message: "empty filter") }
                    if firstKey == "remove" {
                        let e = try entries(item, section: "a filter", allowed: ["remove"])
                        let pattern = try string(e["remove"]!.value, "remove")
                        if case let .failure(error) = AnswerFilter.validate(pattern: pattern) { throw .invalidValue(loc(item), message: error.message) }
                        result.append(.removeMatches(pattern: pattern))
                        continue
                    }
                    if firstKey == "first_choice_letter" {
                        let e = try entries(item, section: "a filter", allowed: ["first_choice_letter"])
                        let letters = try string(e["first_choice_letter"]!.value, "first_choice_letter")
                        guard !letters.isEmpty else { throw .invalidValue(loc(item), message: "'first_choice_letter' needs letters, e.g. ABCD") }
                        result.append(.firstChoiceLetter(letters: letters))
                        continue
                    }
                    let e = try entries(item, section: "a regex filter", allowed: TaskFileParser.regexKeys)
                    let patternNode = try required(e, "regex", in: item, section: "a regex filter")
                    let pattern = try string(patternNode, "regex")
                    let groups: Int
                    switch AnswerFilter.validate(pattern: pattern) {
                    case let .success(count): groups = count
                    case let .failure(error): throw .invalidValue(loc(patternNode), message: error.message)
                    }
                    let group = try e["group"].map { p throws(TaskError) in try int(p.value, "group", min: 0) }
                    if let group, group > groups {
                        throw .invalidValue(loc(e["group"]!.value), message: "'group' \(group) exceeds the pattern's \(groups) capture group\(groups == 1 ? "" : "s")")
                    }
                    var last = false
                    if let pair = e["select"] {
                        let text = try string(pair.value, "select")
                        guard text == "first" || text == "last" else { throw .invalidValue(loc(pair.value), message: "'select' must be first or last") }
                        last = text == "last"
                    }
                    result.append(.regex(pattern: pattern, group: group, selectLast: last))
                default:
                    throw .invalidValue(loc(item), message: "a filter must be a name or a mapping such as '{regex: PATTERN}'")
                }
            }
            return result
        }
    }
}
