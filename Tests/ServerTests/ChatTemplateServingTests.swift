import Foundation
import Harness
import Hummingbird
import HummingbirdTesting
import Jinja
import NativeModel
import Server
import Tokenizers
import XCTest

/// `/v1/chat/completions` with a model's chat template: the prompt is the template's rendering
/// (with the generation prompt), tokenized as `apply_chat_template` tokenizes it, and a template
/// that refuses the conversation (`raise_exception`) answers 400 with the template's message.
final class ChatTemplateServingTests: XCTestCase {
    static let template = """
    {%- if messages[0]['role'] == 'system' and messages | length == 1 %}{{ raise_exception('A system message needs a user turn after it') }}{% endif -%}
    {{ bos_token }}{% for m in messages %}[{{ m['role'] | upper }}] {{ m['content'] | trim }}
    {% endfor %}{% if add_generation_prompt %}[ASSISTANT]{% endif %}
    """

    func served() throws -> ServedModel {
        let base = try ServerTestSupport.model()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("forgetbench-chat-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(Self.template.utf8).write(to: directory.appendingPathComponent("chat_template.jinja"))
        try Data(#"{"bos_token": "Once"}"#.utf8).write(to: directory.appendingPathComponent("tokenizer_config.json"))
        let chat = try ChatFormatter(format: .auto, tokenizer: base.engine.tokenizer, templateDirectory: directory)
        XCTAssertEqual(chat.format, .template)
        return try ServedModel(id: base.id, engine: base.engine, chat: chat)
    }

    func testTheChatPromptIsTheTemplatesRendering() async throws {
        let model = try served()
        let rendered = try XCTUnwrap(model.chat.template).render([(role: "system", content: "Be kind."), (role: "user", content: " a story ")],
                                                                  addGenerationPrompt: true)
        XCTAssertEqual(rendered, "Once[SYSTEM] Be kind.\n[USER] a story\n[ASSISTANT]")
        let tokens = model.engine.tokenizer.encode(rendered, addSpecialTokens: false)
        let expected = try model.engine.generate(prompt: tokens, maxNewTokens: 12, temperature: 0, topP: 1, seed: 1)
        let reply = try await ServerTestSupport.withClient(serving: model) {
            try await $0.post("/v1/chat/completions", ["model": "stories260K", "max_tokens": 12, "temperature": 0,
                                                       "messages": [["role": "system", "content": "Be kind."], ["role": "user", "content": " a story "]]])
        }
        XCTAssertEqual(reply.status, 200, reply.raw)
        XCTAssertEqual((reply.json["usage"] as? [String: Int])?["prompt_tokens"], tokens.count)
        XCTAssertEqual((reply.choice()["message"] as? [String: Any])?["content"] as? String, expected.text)
    }

    /// Tools and whole messages (`tool_calls`) reach the template, in the order the request wrote
    /// them, as vLLM passes them to `apply_chat_template`.
    func testToolsAndToolCallsReachTheTemplate() async throws {
        let base = try ServerTestSupport.model()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("forgetbench-tools-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let template = "{% if tools %}TOOLS {{ tools | tojson }}\n{% endif %}{% for m in messages %}{{ m.role }}: {{ m.content }}"
            + "{% if m.tool_calls %} -> {{ m.tool_calls[0].function.name }}{% endif %}\n{% endfor %}"
        try Data(template.utf8).write(to: directory.appendingPathComponent("chat_template.jinja"))
        let chat = try ChatFormatter(format: .template, tokenizer: base.engine.tokenizer, templateDirectory: directory)
        let model = try ServedModel(id: base.id, engine: base.engine, chat: chat)
        let body = #"{"model": "stories260K", "max_tokens": 6, "temperature": 0, "tools": [{"type": "function", "function": {"name": "weather", "parameters": {"z": 1, "a": 2.5}}}], "messages": [{"role": "user", "content": "Rain?"}, {"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "weather", "arguments": "{}"}}]}, {"role": "user", "content": "And then"}]}"#
        let expectedText = #"TOOLS [{"type": "function", "function": {"name": "weather", "parameters": {"z": 1, "a": 2.5}}}]"# 
            + "\nuser: Rain?assistant:  -> weatheruser: And then"  // trim_blocks takes the newline after {% endif %}
        let tokens = base.engine.tokenizer.encode(expectedText, addSpecialTokens: false)
        let expected = try base.engine.generate(prompt: tokens, maxNewTokens: 6, temperature: 0, topP: 1, seed: 1)
        let parsed = try ChatCompletionRequest(body: try JSONValue.parse(Data(body.utf8)), model: model, limits: RequestLimits())
        XCTAssertEqual(parsed.prompt, expectedText)
        let reply = try await ServerTestSupport.withClient(serving: model) { try await $0.post("/v1/chat/completions", raw: body) }
        XCTAssertEqual(reply.status, 200, reply.raw)
        XCTAssertEqual((reply.json["usage"] as? [String: Int])?["prompt_tokens"], tokens.count)
        XCTAssertEqual((reply.choice()["message"] as? [String: Any])?["content"] as? String, expected.text)

        // Without a template, tools cannot be shown to the model: a 400 rather than silence.
        let plain = try await ServerTestSupport.withClient { try await $0.post("/v1/chat/completions", raw: body) }
        XCTAssertEqual(plain.status, 400, plain.raw)
        XCTAssertTrue(plain.errorMessage.contains("only a chat template"), plain.errorMessage)
    }

    func testATemplateThatRefusesTheConversationIsABadRequest() async throws {
        let model = try served()
        let reply = try await ServerTestSupport.withClient(serving: model) {
            try await $0.post("/v1/chat/completions", ["model": "stories260K", "max_tokens": 4, "messages": [["role": "system", "content": "Hi"]]])
        }
        XCTAssertEqual(reply.status, 400, reply.raw)
        XCTAssertTrue(reply.errorMessage.contains("A system message needs a user turn after it"), reply.errorMessage)
        XCTAssertTrue(reply.errorMessage.contains("line 1"), reply.errorMessage)
    }
}
