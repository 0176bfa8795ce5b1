import Foundation
import NativeModel
@testable import Server
import XCTest

/// Concurrent requests decode together in the server's one continuous batch, and each still gets
/// exactly what it gets alone.
final class SharedBatchTests: XCTestCase {
    /// A server model of its own, so that the batch's peak is this test's alone.
    private func freshModel(batchSize: Int = 16) throws -> ServedModel {
        let path = try ServerTestSupport.shared().appendingPathComponent("models/stories260K/stories260K.bin").path
        let engine = try NativeLanguageModel.load(modelPath: path)
        engine.generationBatchSize = batchSize
        return try ServedModel(id: "stories260K", engine: engine)
    }

    /// Twelve jobs: greedy, seeded samples, and stop sequences that fire early.
    private func jobs(_ engine: NativeLanguageModel) -> [GenerationJob] {
        let prompts = ["Once upon a time", "Tom had a red ball", "The sun was hot", "Lily"]
        return (0 ..< 12).map { i in
            let prompt = engine.encode(prompts[i % prompts.count])
            switch i % 3 {
            case 0: return GenerationJob(prompt: prompt, maxNewTokens: 60 + i)
            case 1: return GenerationJob(prompt: prompt, maxNewTokens: 50, temperature: 0.9, topP: 0.9, seed: UInt64(7 + i))
            default: return GenerationJob(prompt: prompt, maxNewTokens: 80, stopSequences: ["Lily", "."])
            }
        }
    }

    func testConcurrentCallsShareTheBatchAndEachEqualsItsJobAlone() async throws {
        let served = try freshModel()
        let jobs = self.jobs(served.engine)
        // Alone: each job in a batch of one, on the engine itself.
        let alone = try jobs.map { try served.engine.generate([$0], maxConcurrent: 1)[0] }
        XCTAssertTrue(alone.contains { $0.finishReason == .stop }, "a stop sequence should fire early in the fixture")

        let together = try await withThrowingTaskGroup(of: (Int, GenerationOutcome).self) { group in
            for (i, job) in jobs.enumerated() {
                group.addTask { (i, try await served.generate([job])[0]) }
            }
            var results = [GenerationOutcome?](repeating: nil, count: jobs.count)
            for try await (i, outcome) in group { results[i] = outcome }
            return results.map { $0! }
        }
        XCTAssertEqual(together, alone)
        let peak = await served.peakConcurrentSequences
        XCTAssertGreaterThan(peak, 1, "concurrent calls should decode in the same steps")
        XCTAssertLessThanOrEqual(peak, 16)
    }

    func testTheBatchSizeBoundsTheSequencesPerStepAndLaterJobsWait() async throws {
        let served = try freshModel(batchSize: 3)
        let jobs = self.jobs(served.engine)
        let alone = try jobs.map { try served.engine.generate([$0], maxConcurrent: 1)[0] }
        let together = try await served.generate(jobs)
        XCTAssertEqual(together, alone)
        let peak = await served.peakConcurrentSequences
        XCTAssertEqual(peak, 3)
    }

    func testAnInvalidJobIsRefusedAndTheOthersOfTheBatchGoOn() async throws {
        let served = try freshModel()
        let good = GenerationJob(prompt: served.engine.encode("Once upon a time"), maxNewTokens: 30)
        let expected = try served.engine.generate([good], maxConcurrent: 1)[0]
        async let running = served.generate([good])
        do {
            _ = try await served.generate([good, GenerationJob(prompt: [], maxNewTokens: 5)])
            XCTFail("an empty prompt should be refused")
        } catch let error as EngineError {
            XCTAssertTrue(error.description.contains("no tokens"), error.description)
        }
        let outcome = try await running
        XCTAssertEqual(outcome, [expected])
    }

    func testStreamedChoicesOfOneRequestDecodeTogetherAndJoinToThePlainText() async throws {
        let served = try freshModel()
        let body: [String: Any] = ["model": "stories260K", "prompt": ["Tom had", "The sun", "Once upon a time"], "max_tokens": 40, "temperature": 0]
        let payload = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        let (plain, streamed) = try await ServerTestSupport.withClient(serving: served) { client in
            (try await client.post("/v1/completions", raw: payload),
             try await client.post("/v1/completions", raw: String(payload.dropLast()) + ", \"stream\": true}"))
        }
        let chunks = StreamingTests.objects(StreamingTests.events(streamed.raw))
        for i in 0 ..< 3 {
            let mine = chunks.compactMap { ($0["choices"] as? [[String: Any]])?.first }.filter { $0["index"] as? Int == i }
            XCTAssertEqual(mine.compactMap { $0["text"] as? String }.joined(), plain.text(i))
        }
        let peak = await served.peakConcurrentSequences
        XCTAssertEqual(peak, 3)
    }
}
