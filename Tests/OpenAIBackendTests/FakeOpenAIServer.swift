import Foundation
import HTTPTestSupport
import Hummingbird
import OpenAIBackend

/// A deterministic stand-in for a tokenizer and a model: tokens are words with their leading
/// space (GPT-2 style: "The", " sky", " is"), extra spaces are tokens of their own, and a token's
/// log-prob depends only on it and the token before it, so answers never depend on batching.
enum FakeModel {
    static func tokenize(_ text: String) -> [String] {
        var tokens: [String] = []
        var current = ""
        for scalar in text.unicodeScalars {
            if scalar == " " {
                if !current.isEmpty && current != " " { tokens.append(current); current = " " }
                else if current == " " { tokens.append(current); current = " " }
                else { current = " " }
            } else {
                current.unicodeScalars.append(scalar)
            }
        }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }

    static func hash(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf29ce484222325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        return h
    }

    /// log p(token | previous token).
    static func logprob(_ token: String, after previous: String) -> Double {
        -Double(hash(previous + "|" + token) % 1000) / 200.0 - 0.01
    }

    /// Whether `token` is the most likely next token (else "ALT" beats it).
    static func isTop(_ token: String, after previous: String) -> Bool {
        hash("top" + previous + "|" + token) % 3 != 0
    }

    /// The legacy logprobs object of echoing `text` (offsets from `offsetBase`, tokens after `prefix` tokens).
    static func echo(_ text: String, bos: Bool) -> CompletionLogprobs {
        var tokens = tokenize(text)
        if bos { tokens.insert("<s>", at: 0) }
        var logprobs: [Double?] = [], tops: [[String: Double]?] = [], offsets: [Int] = []
        var offset = 0
        for (i, t) in tokens.enumerated() {
            offsets.append(offset)
            offset += t.unicodeScalars.count
            if i == 0 { logprobs.append(nil); tops.append(nil); continue }
            let lp = logprob(t, after: tokens[i - 1])
            logprobs.append(lp)
            tops.append(isTop(t, after: tokens[i - 1]) ? [t: lp, "ALT": lp - 1] : ["ALT": lp + 0.5, t: lp])
        }
        return CompletionLogprobs(tokens: tokens, tokenLogprobs: logprobs, topLogprobs: tops, textOffset: offsets)
    }

    /// The expected answer for a context/continuation pair (the word tokenizer's split).
    static func expected(context: String, continuation: String) -> LoglikelihoodExpectation {
        var ctx = context, cont = continuation
        while ctx.hasSuffix(" ") { ctx.removeLast(); cont = " " + cont }
        let all = tokenize(ctx + cont)
        let boundary = ctx.unicodeScalars.count
        var offset = 0, sum = 0.0, count = 0, greedy = true
        for (i, t) in all.enumerated() {
            defer { offset += t.unicodeScalars.count }
            guard offset >= boundary, i > 0 else { continue }
            sum += logprob(t, after: all[i - 1])
            count += 1
            if !isTop(t, after: all[i - 1]) { greedy = false }
        }
        return LoglikelihoodExpectation(logLikelihood: sum, isGreedy: greedy, tokenCount: count)
    }
}

struct LoglikelihoodExpectation: Equatable {
    var logLikelihood: Double
    var isGreedy: Bool
    var tokenCount: Int
}

/// How the fake server misbehaves.
struct FakeBehavior: Sendable {
    /// Show a "<s>" token before the prompt's tokens (as vLLM does with a BOS).
    var bos = false
    /// Answer 400 to `max_tokens: 0`.
    var rejectMaxTokensZero = false
    /// Ignore `echo` (return only a generated token).
    var ignoreEcho = false
    /// Return no logprobs at all.
    var noLogprobs = false
    /// Token prompts: no echoed `logprobs`; vLLM's `prompt_logprobs` (+ `prompt_token_ids`) when asked for.
    var promptLogprobsOnly = false
    /// Share of requests answered 500 or 429 (alternately).
    var failureRate = 0.0
    /// Share of requests that stall `stallSeconds` before answering.
    var stallRate = 0.0
    var stallSeconds = 1.0
    /// Every request fails with this status.
    var alwaysStatus: Int?
    /// Seconds before every answer.
    var delaySeconds = 0.0
    /// Return the choices of a list prompt in reverse order (each with its index).
    var reverseChoices = true
}

/// What the fake server saw.
actor FakeRecorder {
    struct Seen: Sendable {
        var path: String
        var authorization: String?
        var body: Data
    }
    private(set) var seen: [Seen] = []
    private(set) var inFlight = 0
    private(set) var maxInFlight = 0
    private(set) var faults = 0
    private var state: UInt64 = 0x1234_5678

    func record(_ s: Seen) { seen.append(s) }
    func enter() { inFlight += 1; maxInFlight = max(maxInFlight, inFlight) }
    func leave() { inFlight -= 1 }
    func countFault() { faults += 1 }

    /// A uniform number in [0, 1) from a fixed-seed generator.
    func uniform() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 11) / Double(1 << 53)
    }

    func completionBodies() -> [CompletionRequest] {
        seen.filter { $0.path.hasSuffix("/completions") && !$0.path.contains("chat") }
            .compactMap { try? JSONDecoder().decode(CompletionRequest.self, from: $0.body) }
    }
}

/// A Hummingbird server on 127.0.0.1 (port 0) that answers `/v1/completions` and `/v1/chat/completions`.
enum FakeOpenAIServer {
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        var h = headers
        h[.contentType] = "application/json"
        return Response(status: status, headers: h, body: ResponseBody(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(value))))
    }

    static func error(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) -> Response {
        var h = headers
        h[.contentType] = "application/json"
        return Response(status: status, headers: h, body: ResponseBody(byteBuffer: ByteBuffer(string: "{\"error\": {\"message\": \"\(message)\"}}")))
    }

    static func handle(_ path: String, body data: Data, behavior: FakeBehavior, recorder: FakeRecorder) async throws -> Response {
        if let status = behavior.alwaysStatus { return error(.init(code: status), "always failing") }
        if behavior.delaySeconds > 0 { try await Task.sleep(nanoseconds: UInt64(behavior.delaySeconds * 1e9)) }
        if behavior.failureRate > 0 || behavior.stallRate > 0 {
            let u = await recorder.uniform()
            if u < behavior.failureRate {
                await recorder.countFault()
                return u < behavior.failureRate / 2 ? error(.internalServerError, "overloaded") : error(.tooManyRequests, "slow down", headers: [.retryAfter: "0"])
            }
            if u < behavior.failureRate + behavior.stallRate {
                await recorder.countFault()
                try await Task.sleep(nanoseconds: UInt64(behavior.stallSeconds * 1e9))
            }
        }
        if path.hasSuffix("/chat/completions") {
            let request = try JSONDecoder().decode(ChatCompletionRequest.self, from: data)
            let text = "chat reply to \(request.messages.last?.content ?? "")"
            return try json(ChatCompletionResponse(choices: [ChatChoice(index: 0, message: ChatMessage(role: "assistant", content: text), finishReason: "stop")],
                                                   usage: CompletionUsage(promptTokens: 1, completionTokens: 4)))
        }
        let request = try JSONDecoder().decode(CompletionRequest.self, from: data)
        if request.maxTokens == 0 && behavior.rejectMaxTokensZero { return error(.badRequest, "max_tokens must be at least 1") }
        var choices: [CompletionChoice] = []
        if case .tokens(let sequences) = request.prompt, request.echo == true {
            // Token-id prompts: token i's log-prob is -(id % 7 + 1) / 8, null for the first.
            for (i, ids) in sequences.enumerated() {
                let values: [Double?] = behavior.ignoreEcho ? [-0.5] : ids.enumerated().map { $0.offset == 0 ? nil : -Double($0.element % 7 + 1) / 8 }
                let generated: [Double?] = request.maxTokens > 0 && !behavior.ignoreEcho ? [-0.1] : []
                if behavior.promptLogprobsOnly {
                    let asked = request.promptLogprobs != nil
                    let entries: [[String: PromptLogprob]?] = ids.enumerated().map { i, id in
                        i == 0 ? nil : [String(id): PromptLogprob(logprob: -Double(id % 7 + 1) / 8, rank: 1, decodedToken: " w\(id)"),
                                        String(id + 1): PromptLogprob(logprob: -9, rank: 2, decodedToken: " w\(id + 1)")]
                    }
                    choices.append(CompletionChoice(index: i, text: "", finishReason: "length", logprobs: nil,
                                                    promptLogprobs: asked ? entries : nil, promptTokenIds: asked ? ids : nil))
                    continue
                }
                let logprobs = behavior.noLogprobs ? nil : CompletionLogprobs(tokens: nil, tokenLogprobs: values + generated, topLogprobs: nil, textOffset: nil)
                choices.append(CompletionChoice(index: i, text: "", finishReason: "length", logprobs: logprobs))
            }
            if behavior.reverseChoices { choices.reverse() }
            return try json(CompletionResponse(choices: choices, usage: CompletionUsage(promptTokens: 10, completionTokens: 0)))
        }
        let prompts = request.prompt.prompts
        for (i, prompt) in prompts.enumerated() {
            if request.echo == true {
                if behavior.noLogprobs {
                    choices.append(CompletionChoice(index: i, text: prompt + " x", finishReason: "length", logprobs: nil))
                } else if behavior.ignoreEcho {
                    let gen = CompletionLogprobs(tokens: [" x"], tokenLogprobs: [-0.5], topLogprobs: [[" x": -0.5]], textOffset: [0])
                    choices.append(CompletionChoice(index: i, text: " x", finishReason: "length", logprobs: gen))
                } else {
                    var lp = FakeModel.echo(prompt, bos: behavior.bos)
                    var text = prompt
                    if request.maxTokens > 0 {
                        // One generated token after the prompt, as a real server would.
                        let end = (lp.textOffset?.last ?? 0) + (lp.tokens?.last?.unicodeScalars.count ?? 0)
                        lp.tokens?.append(" gen"); lp.tokenLogprobs?.append(-0.1); lp.topLogprobs?.append([" gen": -0.1]); lp.textOffset?.append(end)
                        text += " gen"
                    }
                    choices.append(CompletionChoice(index: i, text: text, finishReason: "length", logprobs: lp))
                }
            } else {
                // Generation: a text that depends on the sampling fields, then a stop sequence and more.
                let text = " answer(seed=\(request.seed ?? -1),t=\(request.temperature ?? -1),p=\(request.topP ?? -1),n=\(request.maxTokens)) STOP trailing"
                choices.append(CompletionChoice(index: i, text: text, finishReason: "stop", logprobs: nil))
            }
        }
        if behavior.reverseChoices { choices.reverse() }
        return try json(CompletionResponse(choices: choices, usage: CompletionUsage(promptTokens: 10, completionTokens: 3)))
    }

    /// Runs `body` with the base URL (`http://127.0.0.1:PORT/v1`) of a server behaving as told.
    static func with<T: Sendable>(_ behavior: FakeBehavior = FakeBehavior(), recorder: FakeRecorder = FakeRecorder(),
                                  _ body: (String, FakeRecorder) async throws -> T) async throws -> T {
        let router = Router()
        for path in ["/v1/completions", "/v1/chat/completions"] {
            router.post(RouterPath(path)) { request, _ -> Response in
                await recorder.enter()
                let buffer = try await request.body.collect(upTo: 64 << 20)
                let data = Data(buffer.readableBytesView)
                await recorder.record(.init(path: path, authorization: request.headers[.authorization], body: data))
                do {
                    let response = try await handle(path, body: data, behavior: behavior, recorder: recorder)
                    await recorder.leave()
                    return response
                } catch {
                    await recorder.leave()
                    throw error
                }
            }
        }
        return try await LocalHTTPServer.serve(router) { url in try await body(url, recorder) }
    }
}
