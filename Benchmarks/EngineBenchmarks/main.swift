// Engine benchmarks, run on demand from a release build (see Benchmarks/README.md):
//
//   EngineBenchmarks forward  --model DIR --inputs inputs.json [--repeats 5] [--threads 2]
//   EngineBenchmarks train    --model DIR --inputs inputs.json [--repeats 5] [--threads 2] [--lr 1e-4]
//   EngineBenchmarks generate --model stories260K.bin [--tokens 512] [--repeats 5]
//   EngineBenchmarks batched-generate --model DIR|.bin [--inputs prompts.json] [--tokens 128] [--concurrency 1,4,8,16]
//   EngineBenchmarks sgemm    [--size 1024 | --m M --n N --k K] [--repeats 5] [--threads 2]
//
// Each prints one JSON line; Benchmarks/engine_vs_torch.py runs them beside PyTorch and prints ratios.
import Foundation
import Harness
import NativeModel
import Tokenizers

struct NoTokenizer: Tokenizer {
    var vocabularySize: Int
    var bosTokenID: Int? { 1 }
    var eosTokenIDs: Set<Int> { [] }
    func encode(_ text: String, addSpecialTokens: Bool) -> [Int] { [] }
    func decode(_ ids: [Int], skipSpecialTokens: Bool) -> String { "" }
    func piece(for id: Int) -> String? { nil }
    func id(for piece: String) -> Int? { nil }
}

func option(_ name: String, _ fallback: String? = nil) -> String {
    let args = CommandLine.arguments
    if let i = args.firstIndex(of: "--\(name)"), i + 1 < args.count { return args[i + 1] }
    guard let fallback else { fatalError("missing --\(name)") }
    return fallback
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

func time(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func peakRSSMegabytes() -> Double {
    var usage = rusage()
    #if os(Linux)
    getrusage(RUSAGE_SELF.rawValue, &usage)
    #else
    getrusage(RUSAGE_SELF, &usage)
    #endif
    return Double(usage.ru_maxrss) / 1024
}

/// Weights that take part in matrix products: all but an untied embedding table (a lookup).
func matmulParameters(_ c: TransformerConfig) -> Int {
    c.parameterCount - (c.tieWordEmbeddings ? 0 : c.vocabSize * c.hiddenSize)
}

func emit(_ object: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}

BLASKernelCheck.reexecuteWithFasterKernelsIfNeeded()
let mode = CommandLine.arguments.dropFirst().first ?? "help"
let repeats = Int(option("repeats", "5"))!
EngineSettings.setThreadCount(Int(option("threads", "2"))!)

switch mode {
case "forward":
    let weights = try CheckpointLoader.loadWeights(at: option("model"))
    let inputs = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: option("inputs")))) as! [String: Any]
    let ids = inputs["input_ids"] as! [[Int]]
    let reference = inputs["sum_logprob_per_sequence_float32"] as? [Double]
    let model = NativeLanguageModel(transformer: Transformer(weights: weights), tokenizer: NoTokenizer(vocabularySize: weights.config.vocabSize),
                                    fingerprint: .init(sha256: "", files: []))
    let tokens = ids.map(\.count).reduce(0, +)
    model.tokenBudget = tokens
    // One extra target per sequence so the forward pass covers exactly `seq` positions, as PyTorch's.
    let sequences = ids.map { $0 + [0] }
    var result = try model.scores(sequences)
    var seconds: [Double] = []
    for _ in 0 ..< repeats { seconds.append(try time { result = try model.scores(sequences) }) }
    var worst = 0.0
    if let reference {
        for (s, r) in zip(result, reference) { worst = max(worst, abs(s.logProbs.dropLast().reduce(0, +) - r)) }
    }
    emit(["tokens_per_s_median": Double(tokens) / median(seconds), "seconds_median": median(seconds),
          "peak_rss_mb": peakRSSMegabytes(), "max_abs_diff_sum_logprob": worst, "threads": EngineSettings.threadCount,
          "parameters": weights.config.parameterCount, "matmul_parameters": matmulParameters(weights.config)])

case "train":
    // One full fine-tuning step per repeat, as Benchmarks/torch_reference.py --mode train times it:
    // forward + batch-mean causal-LM loss (labels = the tokens) + backward + AdamW (torch's defaults:
    // weight decay 0.01 on every tensor) + zeroing the gradients; one untimed warm-up step.
    let weights = try CheckpointLoader.loadWeights(at: option("model"))
    let inputs = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: option("inputs")))) as! [String: Any]
    let ids = inputs["input_ids"] as! [[Int]]
    let tokens = ids.map(\.count).reduce(0, +)
    let pass = TrainingPass(weights: weights)
    let gradients = Gradients(zerosLike: weights)
    let optimizer = AdamW(parameters: weights.namedTensors, configuration: AdamWConfiguration(weightDecay: 0.01), decays: { _ in true })
    let learningRate = Double(option("lr", "1e-4"))!
    var losses: [Double] = []
    var optimizerSeconds: [Double] = []
    func trainStep() {
        losses.append(pass.lossAndGradients(sequences: ids, labels: ids, gradients: gradients).mean)
        optimizerSeconds.append(time { optimizer.step(gradients: gradients.namedTensors, learningRate: learningRate) })
        gradients.zero()
    }
    trainStep()
    optimizerSeconds.removeAll()
    var seconds: [Double] = []
    for _ in 0 ..< repeats { seconds.append(time { trainStep() }) }
    emit(["tokens_per_s_median": Double(tokens) / median(seconds), "seconds_median": median(seconds),
          "optimizer_seconds_median": median(optimizerSeconds),
          "peak_rss_mb": peakRSSMegabytes(), "threads": EngineSettings.threadCount,
          "parameters": weights.config.parameterCount, "matmul_parameters": matmulParameters(weights.config),
          "loss_first": losses.first!, "loss_last": losses.last!])

case "generate":
    let weights = try CheckpointLoader.loadWeights(at: option("model"))
    let model = NativeLanguageModel(transformer: Transformer(weights: weights), tokenizer: NoTokenizer(vocabularySize: weights.config.vocabSize),
                                    fingerprint: .init(sha256: "", files: []))
    let count = Int(option("tokens", "511"))!
    var seconds: [Double] = []
    var produced = 0
    for _ in 0 ..< repeats + 1 {
        var n = 0
        let t = try time { n = try model.generate(prompt: [1], maxNewTokens: count, temperature: 0, topP: 1, seed: 1).tokens.count }
        seconds.append(t)
        produced = n
    }
    seconds.removeFirst()
    emit(["tokens_per_s_median": Double(produced) / median(seconds), "tokens": produced, "threads": EngineSettings.threadCount])

case "batched-generate":
    // Greedy decoding of `--tokens` new tokens for each of N sequences decoded together (continuous
    // batching), N in `--concurrency`; prompts of mixed lengths from `--inputs` (torch_generate.py's
    // prompts) or seeded random ids. End-of-sequence tokens are ignored so every sequence runs to length.
    let modelPath = option("model")
    let weights = try CheckpointLoader.loadWeights(at: modelPath)
    let model = NativeLanguageModel(transformer: Transformer(weights: weights), tokenizer: NoTokenizer(vocabularySize: weights.config.vocabSize),
                                    fingerprint: .init(sha256: "", files: []))
    let newTokens = Int(option("tokens", "128"))!
    let levels = option("concurrency", "1,4,8,16").split(separator: ",").map { Int($0)! }
    var prompts: [[Int]]
    if CommandLine.arguments.contains("--inputs") {
        let inputs = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: option("inputs")))) as! [String: Any]
        prompts = inputs["prompts"] as! [[Int]]
    } else {
        var rng = SplitMix64(seed: 7)
        prompts = (0 ..< levels.max()!).map { _ in (0 ..< 8 + rng.below(57)).map { _ in 1 + rng.below(weights.config.vocabSize - 1) } }
    }
    var rates: [String: Double] = [:]
    var firstTokens: [[Int]] = []
    for level in levels {
        let jobs = prompts.prefix(level).map {
            var job = GenerationJob(prompt: $0, maxNewTokens: newTokens)
            job.ignoresEndOfSequence = true
            return job
        }
        var seconds: [Double] = []
        for _ in 0 ..< repeats + 1 {
            var outcomes: [GenerationOutcome] = []
            seconds.append(try time { outcomes = try model.generate(jobs, maxConcurrent: level) })
            if level == levels.max()! { firstTokens = outcomes.map { Array($0.tokens.prefix(16)) } }
        }
        seconds.removeFirst()
        rates["\(level)"] = Double(level * newTokens) / median(seconds)
    }
    emit(["tokens_per_s_median": rates, "new_tokens": newTokens, "threads": EngineSettings.threadCount, "first_tokens": firstTokens,
          "parameters": weights.config.parameterCount])

case "shared-context":
    // Multiple-choice scoring of an llm-foundry-style JSONL ({query, choices, gold}; ARC's format)
    // with the shared context run once per item, then with each choice scored alone, in one run.
    let model = try NativeLanguageModel.load(modelPath: option("model"), tokenizerPath: CommandLine.arguments.contains("--tokenizer") ? option("tokenizer") : nil)
    let text = try String(contentsOfFile: option("data"), encoding: .utf8)
    let limit = Int(option("limit", "0"))!
    var requests: [Harness.LoglikelihoodRequest] = []
    var items = 0
    for line in text.split(separator: "\n") where limit == 0 || items < limit {
        let record = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
        let context = (record["query"] as! String) + "\nAnswer:"
        requests += (record["choices"] as! [String]).map { .init(context: context, continuation: " " + $0) }
        items += 1
    }
    var timings: [String: [Double]] = ["shared": [], "separate": []]
    var results: [String: [Harness.LoglikelihoodResponse]] = [:]
    for _ in 0 ..< repeats {
        for mode in ["shared", "separate"] {
            model.sharesContext = mode == "shared"
            var r: [Harness.LoglikelihoodResponse] = []
            timings[mode]!.append(try time { r = try model.loglikelihoodSync(requests) })
            results[mode] = r
        }
    }
    let worst = zip(results["shared"]!, results["separate"]!).map { abs($0.logLikelihood - $1.logLikelihood) }.max() ?? 0
    emit(["items": items, "requests": requests.count, "seconds_shared_median": median(timings["shared"]!),
          "seconds_separate_median": median(timings["separate"]!),
          "saving_percent": (1 - median(timings["shared"]!) / median(timings["separate"]!)) * 100, "max_abs_diff": worst])

case "sgemm":
    // A square product by default; --m/--n/--k give the forward pass's shapes (x [m×k] · W [n×k]ᵀ).
    let size = Int(option("size", "1024"))!
    let m = Int(option("m", "\(size)"))!, n = Int(option("n", "\(size)"))!, k = Int(option("k", "\(size)"))!
    let a = Tensor(zeros: [m, k]), b = Tensor(zeros: [n, k])
    var rng = SplitMix64(seed: 1)
    for i in 0 ..< m * k { a.pointer[i] = rng.nextUniform() }
    for i in 0 ..< n * k { b.pointer[i] = rng.nextUniform() }
    let layer = Tensor(zeros: [m, n])
    var seconds: [Double] = []
    for _ in 0 ..< repeats + 1 {
        seconds.append(time { MatrixProduct.multiplyTransposed(a, b, into: layer) })
    }
    seconds.removeFirst()
    // The forward pass's batch-invariant product on the same matrices, measured in the same run.
    var invariant: [Double] = []
    for _ in 0 ..< repeats + 1 {
        invariant.append(time { MatrixProduct.invariantMultiplyTransposed(a, b, into: layer) })
    }
    invariant.removeFirst()
    let flops = 2 * Double(m) * Double(n) * Double(k)
    emit(["gflops_median": flops / median(seconds) / 1e9, "invariant_gflops_median": flops / median(invariant) / 1e9,
          "m": m, "n": n, "k": k, "threads": EngineSettings.threadCount, "kernel": EngineSettings.blasKernel])

default:
    print("usage: EngineBenchmarks forward|train|generate|batched-generate|shared-context|sgemm [options]; see Benchmarks/README.md")
}
