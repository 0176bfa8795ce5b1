import Foundation
import Hummingbird
import HummingbirdTesting
import NativeModel
import Server
import TestSupport
import XCTest

/// The model the server tests serve (stories260K from `../shared`) and helpers to call the router.
enum ServerTestSupport {
    static let repositoryRoot = SharedFixtures.repositoryRoot

    /// `../shared` (or `$FORGETBENCH_SHARED`); skips the test when it is absent.
    static func shared() throws -> URL { try SharedFixtures.shared() }

    nonisolated(unsafe) private static var cached: ServedModel?
    private static let lock = NSLock()

    /// stories260K served as "stories260K" (loaded once per test run).
    static func model() throws -> ServedModel {
        let path = try shared().appendingPathComponent("models/stories260K/stories260K.bin").path
        lock.lock()
        defer { lock.unlock() }
        if let cached { return cached }
        let engine = try NativeLanguageModel.load(modelPath: path)
        let served = try ServedModel(id: ServedModel.defaultID(forModelPath: path), engine: engine)
        cached = served
        return served
    }

    /// A response: status code and the body parsed as a JSON object.
    struct Reply: @unchecked Sendable {
        var status: Int
        var json: [String: Any]
        var raw: String
    }

    /// Runs `body` with a router test client of a server for `model()`.
    static func withClient<T: Sendable>(limits: RequestLimits = RequestLimits(), serving served: ServedModel? = nil,
                                        _ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        let server = OpenAIServer(model: try served ?? model(), limits: limits)
        let app = Application(router: server.router())
        return try await app.test(.router, body)
    }
}

extension TestClientProtocol {
    /// POSTs `body` (raw text) to `uri`.
    func post(_ uri: String, raw body: String) async throws -> ServerTestSupport.Reply {
        try await execute(uri: uri, method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body)) { response in
            let text = String(buffer: response.body)
            let json = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
            return ServerTestSupport.Reply(status: Int(response.status.code), json: json, raw: text)
        }
    }

    /// POSTs `object` as JSON to `uri`.
    func post(_ uri: String, _ object: [String: Any]) async throws -> ServerTestSupport.Reply {
        let data = try JSONSerialization.data(withJSONObject: object)
        return try await post(uri, raw: String(decoding: data, as: UTF8.self))
    }

    /// GETs `uri`.
    func get(_ uri: String) async throws -> ServerTestSupport.Reply {
        try await execute(uri: uri, method: .get) { response in
            let text = String(buffer: response.body)
            let json = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
            return ServerTestSupport.Reply(status: Int(response.status.code), json: json, raw: text)
        }
    }
}

extension ServerTestSupport.Reply {
    /// The error object's fields.
    var error: [String: Any] { json["error"] as? [String: Any] ?? [:] }
    var errorMessage: String { error["message"] as? String ?? "" }
    /// `choices[i]`.
    func choice(_ i: Int = 0) -> [String: Any] { (json["choices"] as? [[String: Any]])?[i] ?? [:] }
    /// `choices[i].text`.
    func text(_ i: Int = 0) -> String? { choice(i)["text"] as? String }
    /// `choices[i].logprobs`.
    func logprobs(_ i: Int = 0) -> [String: Any] { choice(i)["logprobs"] as? [String: Any] ?? [:] }
}
