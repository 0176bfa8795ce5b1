import Foundation
import Masking
import NativeModel
import TestSupport
import XCTest

/// Paths to the repository's fixtures and to `../shared`.
enum TestPaths {
    static let repositoryRoot = SharedFixtures.repositoryRoot
    static let fixtures = SharedFixtures.fixtures

    /// `../shared` (or `$FORGETBENCH_SHARED`); skips the test when it is absent.
    static func shared() throws -> URL { try SharedFixtures.shared() }

    static func stories260K() throws -> NativeLanguageModel {
        let dir = try shared().appendingPathComponent("models/stories260K")
        return try NativeLanguageModel.load(modelPath: dir.appendingPathComponent("stories260K.bin").path,
                                            tokenizerPath: dir.appendingPathComponent("tok512.bin").path)
    }

    /// Writes `lines` as a JSON Lines file in `dir` and returns its path.
    static func write(_ lines: [String], named name: String, in dir: URL) throws -> String {
        let url = dir.appendingPathComponent(name)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
        return url.path
    }

    /// Reads a masked dataset back.
    static func readMasked(_ path: String) throws -> [MaskedExample] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONDecoder().decode(MaskedExample.self, from: Data($0.utf8)) }
    }
}

/// A small story-style prompt/response set for stories260K.
enum StoryData {
    static let lines: [String] = [
        #"{"prompt": "Once upon a time, there was a little girl named Lily.", "response": "She liked to play in the park with her dog.", "id": "a"}"#,
        #"{"prompt": "Tom had a big red ball.", "response": "He threw the ball to his friend Sam and they laughed together."}"#,
        #"{"messages": [{"role": "user", "content": "The cat was sad."}, {"role": "assistant", "content": "The cat wanted to find a friend to play with."}]}"#,
        #"{"prompt": "One day, a bird flew over the tree.", "response": "The bird saw a shiny quantum xylophone zebra and felt very happy."}"#,
        #"{"prompt": "Mom said,", "response": "\"Let's go to the store and buy some milk and cookies.\""}"#,
        #"{"prompt": "The sun was hot.", "response": "Ben drank cold water from his blue cup. It tasted good."}"#,
    ]
}

extension MaskedDatasetBuilder {
    /// The built-in engine scoring with its own tokenizer.
    init(native model: NativeLanguageModel, notice: (@Sendable (String) -> Void)? = nil) {
        self.init(model: model, tokenizer: model.tokenizer, tokenizerPath: model.tokenizerPath, notice: notice)
    }
}

/// Waits for `body` (scoring is async; most of these tests are synchronous).
func waitFor<T>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    nonisolated(unsafe) var result: Result<T, Error>?
    let done = DispatchSemaphore(value: 0)
    Task {
        do { result = .success(try await body()) } catch { result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try result!.get()
}
