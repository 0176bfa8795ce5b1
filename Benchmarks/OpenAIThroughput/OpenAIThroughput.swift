// Requests/s and tokens/s of the OpenAI backend against a fake server that answers every request
// after a fixed delay (a stand-in for a GPU server's latency), by requests in flight.
//
//   swift build -c release --product OpenAIThroughput && .build/release/OpenAIThroughput [--delay-ms 50]
//
// The goal: at least 10x the requests/s of concurrency 1 with 16 in flight.
import Foundation
import Harness
import Hummingbird
import OpenAIBackend


@main
struct OpenAIThroughput {
    /// Echoes a prompt with a log-prob per space-separated word.
    static func echo(_ prompt: String) -> CompletionChoice {
        var tokens: [String] = [], current = ""
        for ch in prompt.unicodeScalars {
            if ch == " ", !current.isEmpty { tokens.append(current); current = "" }
            current.unicodeScalars.append(ch)
        }
        if !current.isEmpty { tokens.append(current) }
        var offsets: [Int] = [], logprobs: [Double?] = [], tops: [[String: Double]?] = [], offset = 0
        for (i, t) in tokens.enumerated() {
            offsets.append(offset)
            offset += t.unicodeScalars.count
            logprobs.append(i == 0 ? nil : -Double(t.utf8.count) / 4)
            tops.append(i == 0 ? nil : [t: -Double(t.utf8.count) / 4])
        }
        return CompletionChoice(index: 0, text: prompt, finishReason: "length",
                                logprobs: CompletionLogprobs(tokens: tokens, tokenLogprobs: logprobs, topLogprobs: tops, textOffset: offsets))
    }

    static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

    static func main() async throws {
        let arguments = CommandLine.arguments
        let delayMs = arguments.firstIndex(of: "--delay-ms").flatMap { Int(arguments[$0 + 1]) } ?? 50
        let levels = [1, 4, 16, 64]
        let repeats = 3
        let router = Router()
        router.post("/v1/completions") { request, _ -> Response in
            let buffer = try await request.body.collect(upTo: 16 << 20)
            let body = try JSONDecoder().decode(CompletionRequest.self, from: Data(buffer.readableBytesView))
            try await Task.sleep(nanoseconds: UInt64(delayMs) * 1_000_000)
            let choices = body.prompt.prompts.enumerated().map { i, p in
                var c = echo(p)
                c.index = i
                return c
            }
            let data = try JSONEncoder().encode(CompletionResponse(choices: choices, usage: nil))
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        }

        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        var configuration = ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0))
        configuration.backlog = 1024
        let app = Application(router: router, configuration: configuration,
                              onServerRunning: { portContinuation.yield($0.localAddress?.port ?? 0) })


        let serverTask = Task { try await app.runService(gracefulShutdownSignals: []) }
        var portIterator = ports.makeAsyncIterator()
        guard let port = await portIterator.next() else { fatalError("the fake server did not start") }
        let url = "http://127.0.0.1:\(port)/v1"

        print("OpenAI backend throughput: fake server at \(url), \(delayMs) ms per request, one prompt per request, median of \(repeats)")
        print("concurrency  requests  req/s      tokens/s     x vs 1")
        var baseline = 0.0
        for concurrency in levels {
            let count = max(40, concurrency * 8)
            let requests = (0 ..< count).map { i in
                LoglikelihoodRequest(context: "Question \(i): which of these is a mammal that lives in the sea?\nAnswer:", continuation: " the blue whale")
            }
            let tokensPerRequest = Double(echo(requests[0].context + requests[0].continuation).logprobs!.tokens!.count)
            let model = try OpenAILanguageModel(settings: OpenAIClientSettings(baseURL: url, modelName: "fake", concurrency: concurrency, requestTimeout: 30))
            _ = try await model.loglikelihood(Array(requests.prefix(1)))  // warm-up: connection and max_tokens probe
            var rates: [Double] = []
            for _ in 0 ..< repeats {
                let start = DispatchTime.now().uptimeNanoseconds
                let answers = try await model.loglikelihood(requests)
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                precondition(answers.count == count)
                rates.append(Double(count) / seconds)
            }
            await model.shutdown()
            let rate = median(rates)
            if concurrency == 1 { baseline = rate }
            print(String(format: "%11d  %8d  %8.1f  %11.1f  %6.2fx", concurrency, count, rate, rate * tokensPerRequest, rate / baseline))
        }
        serverTask.cancel()
        _ = try? await serverTask.value
    }
}
