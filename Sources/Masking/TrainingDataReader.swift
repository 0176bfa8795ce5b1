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
        let value: Any
        do { value = try JSONSerialization.jsonObject(with: Data(line.utf8), options: [.fragmentsAllowed]) } catch {
            throw fail("not valid JSON (expected one JSON object per line)")
        }
        guard let object = value as? [String: Any] else { throw fail("expected a JSON object") }
        let id: String? = (object["id"] as? String) ?? (object["id"] as? NSNumber).map { "\($0)" }
        if let prompt = object["prompt"], let response = object["response"] {
            guard let prompt = prompt as? String, let response = response as? String else {
                throw fail("\"prompt\" and \"response\" must be strings")
            }
            return TrainingExample(content: .text(prompt: [ChatMessage(role: "user", content: prompt)], response: response), id: id, line: number)
        }
        if let messages = object["messages"] {
            guard let list = messages as? [Any] else { throw fail("\"messages\" must be a list of {\"role\", \"content\"} objects") }
            var turns: [ChatMessage] = []
            for item in list {
                guard let m = item as? [String: Any], let role = m["role"] as? String, let content = m["content"] as? String else {
                    throw fail("each message must be an object with string \"role\" and \"content\"")
                }
                turns.append(ChatMessage(role: role, content: content))
            }
            guard let last = turns.lastIndex(where: { $0.role == "assistant" }) else {
                throw fail("\"messages\" has no assistant message to train on")
            }
            var example = TrainingExample(content: .text(prompt: Array(turns[..<last]), response: turns[last].content), id: id, line: number)
            if object["tools"] != nil {
                // Read again keeping key order: the template prints the tools' schemas with tojson.
                guard case .dict(let ordered) = try? PythonJSON.value(from: line), let tools = ordered["tools"], tools.sequenceItemsOrNil != nil else {
                    throw fail("\"tools\" must be a list of tool definitions")
                }
                example.tools = try? PythonJSON.text(of: tools)
            }
            return example
        }
        if let p = object["prompt_ids"], let r = object["response_ids"] {
            func ints(_ v: Any) -> [Int]? {
                guard let list = v as? [Any] else { return nil }
                let out = list.compactMap { ($0 as? NSNumber).flatMap { $0.doubleValue == Double($0.intValue) ? $0.intValue : nil } }
                return out.count == list.count ? out : nil
            }
            guard let prompt = ints(p), let response = ints(r) else { throw fail("\"prompt_ids\" and \"response_ids\" must be lists of integers") }
            return TrainingExample(content: .tokens(prompt: prompt, response: response), id: id, line: number)
        }
        throw fail("expected {\"prompt\", \"response\"} strings, a \"messages\" list, or {\"prompt_ids\", \"response_ids\"} lists")
    }
}
