import ArgumentParser
import CommandLineSupport
import Foundation
import Tokenizers
import Harness
import NativeModel
import Runner
import RunStore
import Tasks

/// Where tasks are found: the repository's `tasks/`, user directories, and the data root.
struct TaskOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: ArgumentHelp(
        "Root of the datasets that task files name. Default: $FORGETBENCH_DATA, else ../shared/data, else ~/.cache/forgetbench/data.",
        valueName: "dir"))
    var dataDirectory: String?

    @Option(name: .customLong("tasks-dir"), help: ArgumentHelp(
        "A directory of extra task YAML files (searched recursively; repeatable).", valueName: "dir"))
    var tasksDirectories: [String] = []

    func catalog() -> TaskCatalog {
        TaskCatalog.standard(extraDirectories: tasksDirectories.map { URL(fileURLWithPath: $0) }, dataDirectory: dataDirectory)
    }

    func registry() throws -> TaskRegistry { catalog().registry }
}

struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a model on tasks and write results, samples, a Markdown report and JUnit XML.",
        discussion: """
        Writes DIR/results.json (versioned: model fingerprint, per task its hash, version, item \
        count and metrics with standard errors and 95% intervals), DIR/samples/<task>.jsonl (per \
        item: id, prompt hash, target, the model's response and per-item metric values), \
        DIR/report.md and DIR/junit.xml. Two runs with the same model, tasks and settings give \
        identical files apart from the timings in results.json.

        Code-execution tasks (mbpp, humaneval) run the model's programs in a bubblewrap sandbox \
        (no network, no host files, rlimits, a deadline); where it cannot work, the run is refused \
        before any model work unless --unsafe-run-code-unconfined is given. Each sample records \
        its program's outcome (passed, failed_assertion, syntax_error, runtime_error, timeout, \
        memory, output_limit, sandbox_refused).

        Example:
          forgetbench eval --model ../shared/models/stories260K/stories260K.bin --tasks arc_easy,gsm8k_rolling --limit 200 --output runs/base
          forgetbench eval --model openai:http://127.0.0.1:8000/v1 --model-name meta-llama/Llama-3.1-8B --model-revision 0e9e39f \\
            --api-key-env VLLM_API_KEY --concurrency 16 --tasks arc_easy,gsm8k --output runs/vllm

        With --model openai:URL the model is evaluated through an OpenAI-compatible server (vLLM, \
        SGLang, TGI, llama.cpp's server, forgetbench serve): log-likelihoods through /completions \
        with echo and logprobs, generation through /completions (or /chat/completions with \
        --generation-api chat). Without --model-revision the results note that the fingerprint \
        names only the endpoint (cross-run cache reuse: off).
        """
    )

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup(title: "OpenAI-compatible server (--model openai:URL)") var remoteOptions: RemoteModelOptions
    @OptionGroup var taskOptions: TaskOptions

    @Option(help: ArgumentHelp("Comma-separated task names ('forgetbench tasks list' shows them).", valueName: "a,b"))
    var tasks: String

    @Option(help: "Evaluate the first N items of each task.")
    var limit: Int?

    @Option(help: "Seed of few-shot sampling, generation sampling and bootstrap intervals.")
    var seed: UInt64 = 1234

    @Option(help: ArgumentHelp("Evaluate only shard i of n (1-based): item k of each task goes to shard k mod n. Join the shards with 'forgetbench merge'.", valueName: "i/n"))
    var shard: String?

    @Option(help: ArgumentHelp("Output directory.", valueName: "dir"))
    var output: String

    @Flag(inversion: .prefixedNo, help: ArgumentHelp(
        "Show every task's prompt as a user turn of the model's chat template, with the generation prompt (as lm-eval's --apply_chat_template); --no-apply-chat-template sends plain prompts. Default: each task file's chat_template key (false when absent). Rolling log-likelihood tasks are never templated."))
    var applyChatTemplate: Bool?

    @OptionGroup var chat: ChatFormatOption

    @OptionGroup(title: "Code execution (mbpp, humaneval)") var code: CodeExecutionOptions

    @Option(help: ArgumentHelp("A response cache (SQLite) keyed by model fingerprint and request: answers already there are not asked again, so an interrupted evaluation rerun with the same --cache finishes from where it stopped; several processes may share one.", valueName: "file"))
    var cache: String?

    func validate() throws {
        if let limit, limit <= 0 { throw ValidationError("--limit must be positive, got \(limit)") }
        if let shard { do { _ = try Shard(parsing: shard) } catch { throw ValidationError("--shard: \(error)") } }
        if taskNames.isEmpty { throw ValidationError("--tasks names no task") }
    }

    var taskNames: [String] { tasks.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }

    func run() async throws {
        let registry = try taskOptions.registry()
        let resolved = try taskNames.map { try registry.task(named: $0) }
        // A task that runs model-written code is refused here, before any model work, when the
        // sandbox cannot confine it.
        let sandbox = try EvaluationPipeline.sandbox(for: resolved, given: try code.sandbox())
        let outputURL = URL(fileURLWithPath: output)
        try RunDirectory.prepare(outputURL)
        let loaded = try modelOptions.loadForEvaluation(remote: remoteOptions)
        var model = loaded.model
        var caching: CachingLanguageModel?
        if let cache {
            // A remote model without --model-revision is reused only within this output directory.
            var key = CachingLanguageModel.key(fingerprint: loaded.record.fingerprint, adapter: loaded.record.adapter)
            if loaded.remote.map({ !$0.fingerprintIsStable }) ?? false { key += "@" + outputURL.standardized.path }
            caching = CachingLanguageModel(model: model, cache: try ResponseCache(url: URL(fileURLWithPath: cache)), modelKey: key)
            model = caching!
        }
        var pipeline = EvaluationPipeline(model: model, modelRecord: loaded.record,
                                          settings: EvaluationSettings(tasks: taskNames, limit: limit, seed: seed, shard: shard,
                                                                       applyChatTemplate: applyChatTemplate))
        pipeline.sandbox = sandbox
        if let native = loaded.model as? NativeLanguageModel, applyChatTemplate ?? resolved.contains(where: \.appliesChatTemplate) {
            let chat = try ChatFormatter(format: self.chat.chatFormat, tokenizer: native.tokenizer, templateDirectory: native.templateDirectory)
            if let notice = chat.notice { FileHandle.standardError.write(Data("note: \(notice)\n".utf8)) }
            pipeline.chatPrompt = { try chat.prompt([(role: "user", content: $0)]).text }
            pipeline.chatTemplateSHA256 = chat.template.map { ContentHash.sha256($0.source) }
        }
        let results: EvaluationResults
        do {
            try await loaded.checkCanEvaluate(resolved)
            results = try await pipeline.run(tasks: resolved, output: outputURL)
        } catch {
            await loaded.close()
            throw error
        }
        await loaded.close()
        for note in loaded.record.notes ?? [] { print("note: \(note)") }
        if let stats = caching?.statistics, let cache {
            print("cache: \(stats.hits) of \(stats.hits + stats.misses) requests answered from \(cache)")
        }
        for task in results.tasks {
            let metrics = task.metrics.map { m in
                // The 95% interval results.json records (Wilson for 0/1 items, so 0 of 20 reads
                // [0, 0.161] rather than ± 0); ± standard error where there is none.
                "\(m.name) \(String(format: "%.4f", m.value))"
                    + (m.interval95.map { String(format: " [%.4f, %.4f]", $0[0], $0[1]) + (m.intervalKind.map { " \($0.rawValue)" } ?? "") }
                        ?? m.standardError.map { String(format: " ± %.4f", $0) } ?? "")
            }.joined(separator: ", ")
            print("\(task.name) (n=\(task.itemCount)): \(metrics)")
        }
        print("wrote \(outputURL.path)/{results.json,samples/,report.md,junit.xml}")
    }
}
