import Foundation
import Harness
import Hummingbird
import NativeModel

/// `"stream": true`: a completion sent as server-sent events while the engine generates, as
/// OpenAI streams: `data: {chunk}\n\n` per piece of text, a last chunk per choice with its
/// `finish_reason`, then `data: [DONE]\n\n`.
///
/// Text is sent as soon as it can no longer change: text that might be the start of a stop
/// sequence, and an incomplete multi-byte character, wait for the next token. The pieces of a
/// choice joined give exactly the non-streamed `text`. With `echo` the prompt is the first piece.
/// Log-probs are not streamed (a request with `logprobs` and `stream` is refused). An engine
/// failure mid-stream is sent as a `data: {"error": ...}` event before `[DONE]`.
public enum CompletionStream {
    /// Builds one chunk: `(choice index, text piece, finish reason or nil)` -> JSON.
    public typealias ChunkMaker = @Sendable (Int, String, FinishReason?) -> JSONValue

    /// The streaming response for `prompts` (with `echoTexts` sent first when given).
    public static func response(prompts: [[Int]], echoTexts: [String]?, sampling: SamplingParameters, model: ServedModel,
                                chunk: @escaping ChunkMaker) -> Response {
        let (stream, continuation) = AsyncStream<ByteBuffer>.makeStream()
        @Sendable func send(_ value: JSONValue) {
            var buffer = ByteBuffer(string: "data: ")
            buffer.writeBytes(value.serialized())
            buffer.writeString("\n\n")
            continuation.yield(buffer)
        }
        Task {
            do {
                try await model.withEngine { engine in
                    for (index, tokens) in prompts.enumerated() {
                        if let echoTexts { send(chunk(index, echoTexts[index], nil)) }
                        guard sampling.maxTokens > 0 else {
                            send(chunk(index, "", .length))
                            continue
                        }
                        var generated: [Int] = []
                        var emitted: [Unicode.Scalar] = []
                        func emit(upTo text: [Unicode.Scalar]) {
                            guard text.count > emitted.count, text.starts(with: emitted) else { return }
                            var piece = String.UnicodeScalarView()
                            piece.append(contentsOf: text[emitted.count...])
                            send(chunk(index, String(piece), nil))
                            emitted = text
                        }
                        let result = try engine.generate(
                            prompt: tokens, maxNewTokens: sampling.maxTokens, temperature: sampling.temperature,
                            topP: sampling.topP, seed: sampling.seed, stopSequences: sampling.stop
                        ) { token in
                            generated.append(token)
                            emit(upTo: settled(engine.continuationText(prompt: tokens, generated: generated), stops: sampling.stop))
                        }
                        emit(upTo: Array(result.text.unicodeScalars))
                        send(chunk(index, "", result.finishReason))
                    }
                }
            } catch {
                let failure = (error as? OpenAIError) ?? OpenAIError(status: .internalServerError, message: "\(error)", type: "server_error")
                send(failure.json)
            }
            continuation.yield(ByteBuffer(string: "data: [DONE]\n\n"))
            continuation.finish()
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: ResponseBody(asyncSequence: stream))
    }

    /// The part of `text` that later tokens cannot change: cut before the first stop sequence,
    /// without a trailing U+FFFD (an incomplete character) or a tail that starts a stop sequence.
    static func settled(_ text: String, stops: [String]) -> [Unicode.Scalar] {
        var scalars = Array(text.unicodeScalars)
        let stops = stops.filter { !$0.isEmpty }.map { Array($0.unicodeScalars) }
        if let first = stops.compactMap({ firstOccurrence(of: $0, in: scalars) }).min() { scalars.removeSubrange(first...) }
        while scalars.last == "\u{FFFD}" { scalars.removeLast() }
        var hold = 0
        for stop in stops {
            for k in stride(from: min(stop.count - 1, scalars.count), to: hold, by: -1) where scalars.suffix(k).elementsEqual(stop.prefix(k)) {
                hold = k
                break
            }
        }
        return Array(scalars.dropLast(hold))
    }

    static func firstOccurrence(of needle: [Unicode.Scalar], in haystack: [Unicode.Scalar]) -> Int? {
        guard !needle.isEmpty, needle.count <= haystack.count else { return nil }
        for start in 0 ... haystack.count - needle.count where haystack[start ..< start + needle.count].elementsEqual(needle) { return start }
        return nil
    }
}

/// A flag that is set once, from any thread.
final class StreamFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var set = false

    /// True the first time only.
    func setOnce() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        defer { set = true }
        return !set
    }
}
