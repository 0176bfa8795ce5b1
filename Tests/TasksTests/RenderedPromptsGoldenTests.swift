import Foundation
import Harness
import Tasks
import XCTest

/// Every shipped task's rendered items (all of them, few-shot examples included) and training
/// items hash to the digest the task files gave before their templates moved onto the Jinja
/// interpreter (issue 18, item 6): the move changed the template language, not one byte of output.
/// `FORGETBENCH_RENDER_DUMP=FILE` writes the renderings there to diff them.
final class RenderedPromptsGoldenTests: XCTestCase {
    /// SHA-256 of `renderings()` as rendered by the pre-Jinja template language (main at ea69a66).
    static let expectedDigest = "2cde1bc55cac7d65d2fa37d0494318328d1e3e5952aa845d70b696a66271df05"

    func renderings() throws -> String {
        let provider = YAMLTaskProvider(directories: [Paths.shippedTasks], dataRoot: try Paths.sharedData())
        var out = ""
        func quoted(_ text: String) -> String {
            String(decoding: try! JSONEncoder().encode(text), as: UTF8.self)
        }
        func append(_ item: TaskInstance, _ label: String) {
            out += "\(label) id=\(quoted(item.id))\nprompt=\(quoted(item.prompt))\ntarget=\(quoted(item.target))\n"
            out += "choices=\(item.choices.map(quoted))\ngold=\(item.goldIndex.map(String.init) ?? "-")\n"
            if let contexts = item.choiceContexts { out += "contexts=\(contexts.map(quoted))\n" }
        }
        for name in try provider.taskNames().sorted() {
            let task = try XCTUnwrap(provider.task(named: name), name)
            for item in try task.instances(limit: nil, seed: 1234) { append(item, "\(name) test") }
            if let trainable = task as? any TrainableTask {
                for item in try trainable.trainingInstances(limit: nil) {
                    append(item, "\(name) train")
                    out += "response=\(quoted(trainable.groundTruthResponse(for: item)))\n"
                }
            }
        }
        return out
    }

    func testShippedTasksRenderByteIdenticallyToThePreJinjaTemplates() throws {
        let text = try renderings()
        if let path = ProcessInfo.processInfo.environment["FORGETBENCH_RENDER_DUMP"] {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        }
        XCTAssertEqual(ContentHash.sha256(text), Self.expectedDigest)
    }
}
