import Foundation
import Harness
import Jinja

/// Reads a training set from JSON Lines.
///
/// Each non-blank line is one object of one of these forms:
/// - `{"prompt": "...", "response": "..."}`: one user turn and the response;
/// - `{"messages": [{"role": "...", "content": "..."}, ...]}`: the last `assistant` message is the
///   response and every turn before it is the prompt (turns after it are ignored);
/// - `{"prompt_ids": [...], "response_ids": [...]}`: token ids used as given (no chat format).
///
/// An optional `"id"` is carried to the output, and an optional `"tools"` list (function
/// definitions, as `apply_chat_template(..., tools=...)` takes them) goes to the chat template.
/// Anything else is a `FILE:LINE` error.
public enum TrainingDataReader {
    /// The file's examples and the sha256 of its bytes (the cache key's data part).
    /// - Throws: ``MaskingError/badLine(path:line:problem:)`` for an unreadable file or a bad line.
    public static func read(path: String) throws -> (examples: [TrainingExample], sha256: String) {
        let file: (data: Data, lines: [(number: Int, text: String)])
        do { file = try JSONLines.lines(path: path) } catch let error as FileError {
            throw MaskingError.badLine(path: error.path, line: error.line, problem: error.problem)
        }
        let data = file.data
        let examples = try file.lines.map { try parse(line: $0.text, number: $0.number, path: path) }
        guard !examples.isEmpty else { throw MaskingError.badLine(path: path, line: 0, problem: "no examples (expected one JSON object per line)") }
        return (examples, ContentHash.sha256(data))
    }

    /// Parses one line (`number` is 1-based, for errors).
    public static func parse(line: String, number: Int, path: String) throws -> TrainingExample {
        func fail(_ problem: String) -> MaskingError { .badLine(path: path, line: number, problem: problem) }
        let object: JSONObject
        do { object = try JSONLines.object(line, line: number, path: path) } catch { throw fail(error.problem) }
        let id: String? = object["id"].flatMap { value in
            switch value {
            case let .string(text): return text
            case let .number(text): return text
            default: return nil
            }
        }
        if let prompt = object["prompt"], let response = object["response"] {
            guard let prompt = prompt.stringValue, let response = response.stringValue else {
                throw fail("\"prompt\" and \"response\" must be strings")
            }
            return TrainingExample(content: .text(prompt: [ChatMessage(role: "user", content: prompt)], response: response), id: id, line: number)
        }
        if let messages = object["messages"] {
            guard let list = messages.arrayValue else { throw fail("\"messages\" must be a list of {\"role\", \"content\"} objects") }
            var turns: [ChatMessage] = []
            for item in list {
                guard let role = item["role"]?.stringValue, let content = item["content"]?.stringValue else {
                    throw fail("each message must be an object with string \"role\" and \"content\"")
                }
                turns.append(ChatMessage(role: role, content: content))
            }
            guard let last = turns.lastIndex(where: { $0.role == "assistant" }) else {
                throw fail("\"messages\" has no assistant message to train on")
            }
            var example = TrainingExample(content: .text(prompt: Array(turns[..<last]), response: turns[last].content), id: id, line: number)
            if let tools = object["tools"] {
                // Key order is kept: the template prints the tools' schemas with tojson.
                guard tools.arrayValue != nil else { throw fail("\"tools\" must be a list of tool definitions") }
                example.tools = try? PythonJSON.text(of: tools.jinjaValue)
            }
            return example
        }
        if let p = object["prompt_ids"], let r = object["response_ids"] {
            func ints(_ value: JSONValue) -> [Int]? {
                guard let list = value.arrayValue else { return nil }
                let out = list.compactMap(\.integralValue)
                return out.count == list.count ? out : nil
            }
            guard let prompt = ints(p), let response = ints(r) else { throw fail("\"prompt_ids\" and \"response_ids\" must be lists of integers") }
            return TrainingExample(content: .tokens(prompt: prompt, response: response), id: id, line: number)
        }
        throw fail("expected {\"prompt\", \"response\"} strings, a \"messages\" list, or {\"prompt_ids\", \"response_ids\"} lists")
    }
}
