// Chat-template rendering speed, run on demand from a release build:
//
//   swift run -c release ChatTemplateBenchmark [--template FILE] [--conversations 10000] [--repeats 5] [--python PYTHON]
//
// Renders N two-turn conversations (a user question, an assistant answer) with a chat template,
// `--repeats` times, and prints the median seconds and conversations per second. With --python (an
// interpreter that has jinja2), the same conversations are rendered in the same run by jinja2
// configured as transformers configures it (../shared/chat-templates/render_reference.py), and the
// ratio and the two outputs' total bytes (which must be equal) are printed. Goal: 10,000 Llama 3
// conversations in under a second.
import Foundation
import Jinja

func option(_ name: String, _ fallback: String?) -> String? {
    let args = CommandLine.arguments
    if let i = args.firstIndex(of: "--\(name)"), i + 1 < args.count { return args[i + 1] }
    return fallback
}

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let shared = ProcessInfo.processInfo.environment["FORGETBENCH_SHARED"] ?? root.deletingLastPathComponent().appendingPathComponent("shared").path
let templatePath = option("template", shared + "/chat-templates/llama-3.1-8b-instruct/chat_template.jinja")!
let count = Int(option("conversations", "10000")!)!
let repeats = Int(option("repeats", "5")!)!

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

/// Conversation i: the same text the Python side builds.
func conversation(_ i: Int) -> [Value] {
    [.dict(Dict([("role", .string("user")), ("content", .string("Question \(i): what is \(i) plus \(i * 7 % 13)?"))])),
     .dict(Dict([("role", .string("assistant")), ("content", .string("The answer to question \(i) is \(i + i * 7 % 13)."))]))]
}

let source = try String(contentsOfFile: templatePath, encoding: .utf8)
let specials = ["bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"]
let template = try ChatTemplate(source: source, specialTokens: specials, origin: templatePath)
let conversations = (0..<count).map(conversation)
let now = Date(timeIntervalSince1970: 1_736_942_400)
var seconds: [Double] = []
var bytes = 0
for _ in 0..<repeats {
    let start = Date()
    var total = 0
    for messages in conversations {
        total += try template.render(messages: messages, addGenerationPrompt: false, now: now).utf8.count
    }
    seconds.append(Date().timeIntervalSince(start))
    bytes = total
}
let ours = median(seconds)
print(String(format: "forgetbench Jinja: %d conversations in %.3f s (median of %d), %.0f conversations/s, %d bytes",
             count, ours, repeats, Double(count) / ours, bytes))

if let python = option("python", nil) {
    let script = """
    import importlib.util, json, sys, time
    spec = importlib.util.spec_from_file_location("rr", sys.argv[1] + "/chat-templates/render_reference.py")
    rr = importlib.util.module_from_spec(spec); spec.loader.exec_module(rr)
    template = rr.replica_compile(open(sys.argv[2], encoding="utf-8", newline="").read())
    n, repeats = int(sys.argv[3]), int(sys.argv[4])
    convs = [[{"role": "user", "content": "Question %d: what is %d plus %d?" % (i, i, i * 7 % 13)},
              {"role": "assistant", "content": "The answer to question %d is %d." % (i, i + i * 7 % 13)}] for i in range(n)]
    times = []
    for _ in range(repeats):
        t = time.perf_counter(); total = 0
        for m in convs:
            total += len(template.render(messages=m, tools=None, documents=None, add_generation_prompt=False,
                                         bos_token="<|begin_of_text|>", eos_token="<|eot_id|>").encode())
        times.append(time.perf_counter() - t)
    times.sort()
    print(json.dumps({"seconds": times[len(times) // 2], "bytes": total}))
    """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = ["-c", script, shared, templatePath, String(count), String(repeats)]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0,
          let result = try JSONSerialization.jsonObject(with: data) as? [String: Any],
          let theirs = result["seconds"] as? Double, let theirBytes = result["bytes"] as? Int else {
        print("jinja2 reference failed (exit \(process.terminationStatus))")
        exit(1)
    }
    print(String(format: "jinja2 (transformers' environment): %.3f s (median of %d), %d bytes", theirs, repeats, theirBytes))
    print(String(format: "ratio jinja2/forgetbench: %.2fx%@", theirs / ours, theirBytes == bytes ? "" : "  (OUTPUT BYTES DIFFER)"))
}
