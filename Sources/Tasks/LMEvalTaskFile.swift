import Foundation
import Harness
import Yams

/// Task files in lm-evaluation-harness's format (`task`, `dataset_path`, `doc_to_text`,
/// `doc_to_target`, `doc_to_choice`, `metric_list`, ...), read into the same `TaskSpec` as our
/// own: a file from lm-eval whose templates use jinja2's built-in filters (and ours) runs
/// unchanged against a local copy of its data.
///
/// The data must be local: `dataset_path: json` with `dataset_kwargs.data_files` naming a file per
/// split (relative to the data root, as `dataset.path` is), which is how lm-eval itself reads
/// local JSON Lines. A Hugging Face Hub id (`dataset_path: gsm8k`) is refused with that advice.
/// What is read and how (`docs/tasks.md` has the table):
/// - `task` → `name`; `metadata.version` → `version`;
/// - the test split (`test_split`, else `validation_split`) → `dataset`; few-shot examples
///   (`num_fewshot`) come from `fewshot_split`, else `training_split`, else the evaluated split,
///   drawn by our seeded sampler (seed 1234, lm-eval's default seed; not Python's `random`, so the
///   shots are other examples than lm-eval's), joined by `fewshot_delimiter` (default "\n\n");
/// - `doc_to_text` → `prompt`; `doc_to_target` → `target`, or for `multiple_choice` → `gold`;
///   `doc_to_choice` → `choices` (a template giving a list, or a list of templates); a bare field
///   name (`doc_to_target: gold`) reads the field, as lm-eval does for a column name;
/// - `generation_kwargs` (`until`, `max_gen_toks` default 256, `temperature`, `top_p`);
/// - `metric_list`: `acc`, `acc_norm`, `exact_match` (with `ignore_case` and
///   `regexes_to_ignore`), per `filter_list` pipeline (`regex` with `regex_pattern` and
///   `group_select`, `take_first`, `lowercase`, `uppercase`), named `metric,pipeline` as lm-eval
///   reports them.
/// Keys that only label the task (`tag`, `group`, `dataset_name`, `should_decontaminate`,
/// `doc_to_decontamination_query`, `repeats: 1`) are accepted; any other key is an error naming
/// its line, and so is a `!function` value or a templated `description`.
enum LMEvalTaskFile {
    static let topKeys = ["task", "tag", "group", "dataset_path", "dataset_name", "dataset_kwargs", "output_type", "training_split",
                          "validation_split", "test_split", "fewshot_split", "doc_to_text", "doc_to_target", "doc_to_choice",
                          "target_delimiter", "fewshot_delimiter", "num_fewshot", "description", "should_decontaminate",
                          "doc_to_decontamination_query", "metric_list", "generation_kwargs", "filter_list", "repeats", "metadata",
                          "unsafe_code"]
    static let metricKeys = ["metric", "aggregation", "higher_is_better", "ignore_case", "ignore_punctuation", "regexes_to_ignore"]
    static let generationKeys = ["until", "max_gen_toks", "do_sample", "temperature", "top_p"]

    /// Whether `root` is an lm-eval task file (it has `task` and no `name`).
    static func recognises(_ root: Node) -> Bool {
        guard case let .mapping(mapping) = root else { return false }
        let keys = Set(mapping.keys.compactMap(\.string))
        return keys.contains("task") && !keys.contains("name")
    }
}

extension TaskFileParser.Parser {
    mutating func lmEvalTask(_ root: Node) throws(TaskError) -> TaskSpec {
        let section = "the lm-eval task"
        let e = try entries(root, section: section, allowed: LMEvalTaskFile.topKeys)
        for (_, pair) in e { try refuseFunction(pair.value) }
        let name = try string(required(e, "task", in: root, section: section), "task")
        var version = "1"
        if let pair = e["metadata"] {
            guard case let .mapping(mapping) = pair.value else { throw .invalidValue(loc(pair.value), message: "'metadata' must be a mapping") }
            if let node = mapping["version"] { version = try string(node, "metadata.version") }
        }
        let typeNode = try required(e, "output_type", in: root, section: section)
        let typeText = try string(typeNode, "output_type")
        guard let outputType = OutputType(rawValue: typeText) else {
            let all = OutputType.allCases.map(\.rawValue)
            throw .invalidValue(loc(typeNode), message: "unknown output_type '\(typeText)'\(TaskError.hint(Suggestions.closest(to: typeText, in: all))); expected one of \(all.joined(separator: ", "))")
        }
        if let pair = e["repeats"], try int(pair.value, "repeats", min: 1) != 1 {
            throw .invalidValue(loc(pair.value), message: "'repeats' above 1 is not supported; use generation.samples in a ForgetBench task file")
        }
        if let pair = e["description"], try string(pair.value, "description").contains("{") {
            throw .invalidValue(loc(pair.value), message: "a templated 'description' is not supported; give plain text")
        }
        let preamble = try e["description"].map { pair throws(TaskError) in try string(pair.value, "description") } ?? ""

        // Data: local files per split.
        let pathNode = try required(e, "dataset_path", in: root, section: section)
        let datasetPath = try string(pathNode, "dataset_path")
        guard datasetPath == "json" else {
            throw .invalidValue(loc(pathNode), message: "dataset_path '\(datasetPath)' is a Hugging Face Hub dataset; ForgetBench reads local files: use 'dataset_path: json' with 'dataset_kwargs: {data_files: {test: PATH}}' (PATH relative to the data root)")
        }
        let kwargsNode = try required(e, "dataset_kwargs", in: root, section: section)
        let kwargs = try entries(kwargsNode, section: "dataset_kwargs", allowed: ["data_files"])
        let filesNode = try required(kwargs, "data_files", in: kwargsNode, section: "dataset_kwargs")
        guard case let .mapping(filesMapping) = filesNode else {
            throw .invalidValue(loc(filesNode), message: "'data_files' must map split names to files ({test: PATH})")
        }
        var files: [String: (path: String, node: Node)] = [:]
        for (key, value) in filesMapping { files[try string(key, "data_files")] = (try string(value, "data_files"), value) }
        func split(_ key: String) throws(TaskError) -> String? { try e[key].map { pair throws(TaskError) in try string(pair.value, key) } }
        func dataset(_ splitName: String, _ node: Node) throws(TaskError) -> DatasetSpec {
            guard let file = files[splitName] else {
                throw .invalidValue(loc(node), message: "split '\(splitName)' has no file in dataset_kwargs.data_files (it names \(files.keys.sorted().joined(separator: ", ")))")
            }
            guard let format = DatasetFormat.inferred(from: file.path), format != .sqlite else {
                throw .invalidValue(loc(file.node), message: "cannot tell the format of '\(file.path)' from its extension (.jsonl, .jsonl.gz, .json or .csv)")
            }
            return DatasetSpec(path: file.path, format: format, sha256: nil, url: nil, start: nil, end: nil, whereEquals: [:], location: loc(file.node))
        }
        let testSplit = try split("test_split")
        let validationSplit = try split("validation_split")
        guard let evaluated = testSplit ?? validationSplit else {
            throw .missingKey(loc(root), key: "test_split", section: section)
        }
        let evaluatedNode = (e["test_split"] ?? e["validation_split"])!.value
        let data = try dataset(evaluated, evaluatedNode)

        // Templates.
        let promptNode = try required(e, "doc_to_text", in: root, section: section)
        locations["prompt"] = loc(promptNode)
        let prompt = try fieldOrTemplate(promptNode, "doc_to_text")
        var target: PromptTemplate?
        var gold: PromptTemplate?
        var choices: ChoicesSpec?
        if outputType == .multipleChoice {
            let choiceNode = try required(e, "doc_to_choice", in: root, section: section)
            locations["choices"] = loc(choiceNode)
            choices = try listSpec(choiceNode, "doc_to_choice", minimumTemplates: 2)
            let targetNode = try required(e, "doc_to_target", in: root, section: section)
            locations["gold"] = loc(targetNode)
            gold = try expression(targetNode, "doc_to_target")
        } else if outputType != .loglikelihoodRolling {
            let targetNode = try required(e, "doc_to_target", in: root, section: section)
            locations["target"] = loc(targetNode)
            target = try fieldOrTemplate(targetNode, "doc_to_target")
        }
        let delimiter = try e["target_delimiter"].map { pair throws(TaskError) in try string(pair.value, "target_delimiter") } ?? " "

        // Few-shot examples.
        var fewshot: FewShotSpec?
        let k = try e["num_fewshot"].map { pair throws(TaskError) in try int(pair.value, "num_fewshot", min: 0) } ?? 0
        if k > 0 {
            let fewshotSplit = try split("fewshot_split")
            let trainingSplit = try split("training_split")
            let sourceSplit = fewshotSplit ?? trainingSplit
            let sourceNode = (e["fewshot_split"] ?? e["training_split"])?.value
            let source = try sourceSplit.flatMap { s throws(TaskError) in s == evaluated ? nil : try dataset(s, sourceNode!) }
            let separator = try e["fewshot_delimiter"].map { pair throws(TaskError) in try string(pair.value, "fewshot_delimiter") } ?? "\n\n"
            fewshot = FewShotSpec(k: k, source: source, sampler: .random, seed: 1234, separator: separator, prompt: nil, target: nil)
        }

        // Generation.
        var generation: GenerationSettings?
        if outputType == .generateUntil {
            var until: [String] = []
            var maxTokens = 256
            var temperature = 0.0
            var topP = 1.0
            if let pair = e["generation_kwargs"] {
                let g = try entries(pair.value, section: "generation_kwargs", allowed: LMEvalTaskFile.generationKeys)
                if let p = g["until"] {
                    if case let .sequence(items) = p.value {
                        for item in items { until.append(try string(item, "until")) }
                    } else {
                        until = [try string(p.value, "until")]
                    }
                }
                maxTokens = try g["max_gen_toks"].map { p throws(TaskError) in try int(p.value, "max_gen_toks", min: 1) } ?? 256
                temperature = try g["temperature"].map { p throws(TaskError) in try double(p.value, "temperature") } ?? 0
                topP = try g["top_p"].map { p throws(TaskError) in try double(p.value, "top_p") } ?? 1
            }
            generation = GenerationSettings(stopSequences: until, maxTokens: maxTokens, temperature: temperature, topP: topP, samples: 1)
        }

        let metrics = try lmEvalMetrics(e, outputType: outputType)
        return TaskSpec(name: name, version: version, description: "", outputType: outputType, dataset: data,
                        id: nil, preamble: preamble, prompt: prompt, target: target, choices: choices, gold: gold, contexts: nil,
                        targetDelimiter: delimiter, fewshot: fewshot, generation: generation, metrics: metrics, training: nil,
                        appliesChatTemplate: nil, file: file, locations: locations)
    }

    /// A template, or a bare field name read as `{{ name }}` (lm-eval reads a column name so).
    func fieldOrTemplate(_ node: Node, _ what: String) throws(TaskError) -> PromptTemplate {
        let text = try string(node, what)
        if !text.isEmpty, text.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), !(text.first?.isNumber ?? true) {
            return try expression(node, what)
        }
        return try template(node, what)
    }

    /// lm-eval's `!function module.name` (Python code) cannot run here.
    func refuseFunction(_ node: Node) throws(TaskError) {
        switch node {
        case let .scalar(scalar) where scalar.tag.rawValue == "!function":
            throw .invalidValue(loc(node), message: "'!function \(scalar.string)' names Python code, which ForgetBench cannot run; write the template in Jinja")
        case let .mapping(mapping):
            for (_, value) in mapping { try refuseFunction(value) }
        case let .sequence(items):
            for item in items { try refuseFunction(item) }
        default: break
        }
    }

    /// `metric_list` × `filter_list` as `MetricConfig`s.
    func lmEvalMetrics(_ e: [String: (key: Node, value: Node)], outputType: OutputType) throws(TaskError) -> [MetricConfig] {
        guard let listPair = e["metric_list"] else {
            return MetricKind.defaults(for: outputType).map { MetricConfig(name: $0.rawValue, kind: $0, filters: [], targetFilters: []) }
        }
        guard case let .sequence(items) = listPair.value, !items.isEmpty else {
            throw .invalidValue(loc(listPair.value), message: "'metric_list' must be a non-empty list")
        }
        // Answer-extraction pipelines: (name, filters); none means the raw answer ("none").
        var pipelines: [(String, [AnswerFilter])] = []
        if let pair = e["filter_list"] {
            guard case let .sequence(entries_) = pair.value else { throw .invalidValue(loc(pair.value), message: "'filter_list' must be a list") }
            for entry in entries_ {
                let f = try entries(entry, section: "a filter_list entry", allowed: ["name", "filter"])
                let pipelineName = try string(required(f, "name", in: entry, section: "a filter_list entry"), "name")
                let stepsNode = try required(f, "filter", in: entry, section: "a filter_list entry")
                guard case let .sequence(steps) = stepsNode else { throw .invalidValue(loc(stepsNode), message: "'filter' must be a list of steps") }
                var filters: [AnswerFilter] = []
                for step in steps {
                    let s = try entries(step, section: "a filter step", allowed: ["function", "regex_pattern", "group_select", "fallback"])
                    let functionNode = try required(s, "function", in: step, section: "a filter step")
                    switch try string(functionNode, "function") {
                    case "regex":
                        let pattern = try s["regex_pattern"].map { p throws(TaskError) in try string(p.value, "regex_pattern") } ?? #"#### (\-?[0-9\.\,]+)"#
                        if case let .failure(error) = AnswerFilter.validate(pattern: pattern) {
                            throw .invalidValue(loc(s["regex_pattern"]?.value ?? step), message: error.message)
                        }
                        let select = try s["group_select"].map { p throws(TaskError) in try int(p.value, "group_select") } ?? 0
                        guard select == 0 || select == -1 else {
                            throw .invalidValue(loc(s["group_select"]!.value), message: "'group_select' must be 0 (the first match) or -1 (the last)")
                        }
                        filters.append(.regex(pattern: pattern, group: nil, selectLast: select == -1))
                    case "take_first": break
                    case "lowercase": filters.append(.lowercase)
                    case "uppercase": filters.append(.uppercase)
                    case let other:
                        throw .invalidValue(loc(functionNode), message: "filter function '\(other)' is not supported (regex, take_first, lowercase, uppercase)")
                    }
                }
                pipelines.append((pipelineName, filters))
            }
        }
        var result: [MetricConfig] = []
        for item in items {
            let m = try entries(item, section: "a metric_list entry", allowed: LMEvalTaskFile.metricKeys)
            let metricNode = try required(m, "metric", in: item, section: "a metric_list entry")
            let metricName = try string(metricNode, "metric")
            let allowed = MetricKind.allowed(for: outputType)
            guard let kind = MetricKind(rawValue: metricName), allowed.contains(kind) else {
                let names = allowed.map(\.rawValue)
                throw .invalidValue(loc(metricNode), message: "metric '\(metricName)' is not supported for \(outputType.rawValue)\(TaskError.hint(Suggestions.closest(to: metricName, in: names))); expected one of \(names.joined(separator: ", "))")
            }
            if let pair = m["ignore_punctuation"], try bool(pair.value, "ignore_punctuation") {
                throw .invalidValue(loc(pair.value), message: "'ignore_punctuation: true' is not supported; remove the punctuation with 'regexes_to_ignore'")
            }
            // exact_match's own normalisation, applied to the answer and the target alike.
            var normalisers: [AnswerFilter] = []
            if let pair = m["regexes_to_ignore"] {
                guard case let .sequence(patterns) = pair.value else { throw .invalidValue(loc(pair.value), message: "'regexes_to_ignore' must be a list") }
                for node in patterns {
                    let pattern = try string(node, "regexes_to_ignore")
                    if case let .failure(error) = AnswerFilter.validate(pattern: pattern) { throw .invalidValue(loc(node), message: error.message) }
                    normalisers.append(.removeMatches(pattern: pattern))
                }
            }
            if let pair = m["ignore_case"], try bool(pair.value, "ignore_case") { normalisers.append(.lowercase) }
            if kind == .exactMatch, !pipelines.isEmpty {
                for (pipelineName, filters) in pipelines {
                    result.append(MetricConfig(name: "\(metricName),\(pipelineName)", kind: kind, filters: filters + normalisers, targetFilters: normalisers))
                }
            } else {
                result.append(MetricConfig(name: metricName, kind: kind, filters: normalisers, targetFilters: normalisers))
            }
        }
        return result
    }
}
