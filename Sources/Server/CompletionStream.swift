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
                if let echoTexts { for (index, text) in echoTexts.enumerated() { send(chunk(index, text, nil)) } }
                if sampling.maxTokens > 0 {
                    let jobs = prompts.map(sampling.job(prompt:))
                    let choices = prompts.enumerated().map { index, tokens in
                        StreamedChoice(prompt: tokens) { piece in send(chunk(index, piece, nil)) }
                    }
                    let engine = model.engine
                    // The prompts decode together in the server's shared batch; each choice's text
                    // goes out as it settles and its last chunk as soon as it finishes.
                    _ = try await model.generate(jobs, onToken: { index, token in
                        let choice = choices[index]
                        choice.generated.append(token)
                        choice.emit(upTo: settled(engine.continuationText(prompt: choice.prompt, generated: choice.generated), stops: sampling.stop))
                    }, onFinish: { index, outcome in
                        choices[index].emit(upTo: Array(outcome.text.unicodeScalars))
                        send(chunk(index, "", outcome.finishReason))
                    })
                } else {
                    for index in prompts.indices { send(chunk(index, "", .length)) }
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

/// One streamed choice: its prompt, the tokens so far and the text already sent. Touched only on
/// the engine queue (from the shared batch's callbacks).
private final class StreamedChoice: @unchecked Sendable {
    let prompt: [Int]
    var generated: [Int] = []
    private var emitted: [Unicode.Scalar] = []
    private let send: @Sendable (String) -> Void

    init(prompt: [Int], send: @escaping @Sendable (String) -> Void) {
        self.prompt = prompt
        self.send = send
    }

    /// Sends what `text` adds to the text already sent (nothing if it does not extend it).
    func emit(upTo text: [Unicode.Scalar]) {
        guard text.count > emitted.count, text.starts(with: emitted) else { return }
        var piece = String.UnicodeScalarView()
        piece.append(contentsOf: text[emitted.count...])
        send(String(piece))
        emitted = text
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
