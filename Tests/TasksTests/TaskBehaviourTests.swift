import Foundation
import Harness
@testable import Tasks
import XCTest

final class FewShotTests: XCTestCase {
    func testSameSourceShotsAreDeterministicAndExcludeTheItem() throws {
        let task = try loadTask("good/gen.yaml")
        let a = try task.renderInstances(limit: nil, seed: 7)
        let b = try task.renderInstances(limit: nil, seed: 7)
        XCTAssertEqual(a, b)
        let c = try task.renderInstances(limit: nil, seed: 8)
        XCTAssertNotEqual(a.map(\.prompt), c.map(\.prompt))
        // `limit` does not change the shots of the items it keeps.
        XCTAssertEqual(try task.renderInstances(limit: 2, seed: 7), Array(a.prefix(2)))
        for item in a {
            let parts = item.prompt.components(separatedBy: "\n\n")
            XCTAssertEqual(parts.count, 3, item.prompt)
            XCTAssertEqual(Set(parts).count, 3, "a shot repeats or is the item itself: \(item.prompt)")
            XCTAssertTrue(parts[0].hasPrefix("Question: ") && parts[0].contains("\nAnswer: ") && parts[0].contains("#### "), parts[0])
            XCTAssertTrue(parts[2].hasSuffix("\nAnswer:"))
            XCTAssertFalse(parts[0].hasPrefix(parts[2]), "the item appears among its own shots")
            XCTAssertFalse(parts[1].hasPrefix(parts[2]), "the item appears among its own shots")
        }
    }

    func testFixedSeedAndFirstSampler() throws {
        let dir = try TemporaryDirectory()
        let base = """
        name: first_shots
        output_type: generate_until
        dataset: {path: \(Paths.fixture("data/qa.jsonl").path)}
        prompt: "Q: {{question}}"
        target: "{{answer}}"
        generation: {max_tokens: 4}

        """
        try dir.write("first.yaml", base + "fewshot: {k: 2, sampler: first, separator: \" | \", target: \"{{id}}\", prompt: \"{{question}}\"}\n")
        let first = try YAMLTask(spec: TaskFileParser.parse(fileAt: dir.url.appendingPathComponent("first.yaml")), dataRoot: dir.url)
        let items = try first.renderInstances(limit: nil, seed: 99)
        XCTAssertEqual(items[0].prompt, "What is 10 - 4? q1 | What is 3 * 3? q2 | Q: What is 2 + 3?")
        XCTAssertEqual(items[1].prompt, "What is 2 + 3? q0 | What is 3 * 3? q2 | Q: What is 10 - 4?")
        XCTAssertEqual(items[5].prompt, "What is 2 + 3? q0 | What is 10 - 4? q1 | Q: What is 9 - 9?")

        try dir.write("seeded.yaml", base.replacingOccurrences(of: "first_shots", with: "seeded") + "fewshot: {k: 3, seed: 42}\n")
        let seeded = try YAMLTask(spec: TaskFileParser.parse(fileAt: dir.url.appendingPathComponent("seeded.yaml")), dataRoot: dir.url)
        XCTAssertEqual(try seeded.renderInstances(limit: nil, seed: 1), try seeded.renderInstances(limit: nil, seed: 2))

        try dir.write("toomany.yaml", base.replacingOccurrences(of: "first_shots", with: "toomany") + "fewshot: {k: 6}\n")
        let tooMany = try YAMLTask(spec: TaskFileParser.parse(fileAt: dir.url.appendingPathComponent("toomany.yaml")), dataRoot: dir.url)
        XCTAssertEqual(taskError { try tooMany.renderInstances(limit: nil, seed: 1) }?.description,
                       "\(dir.url.appendingPathComponent("toomany.yaml").path):7:14: fewshot k is 6 but the source has only 5 records to draw from")
    }

    func testSamplerIsPinned() {
        // Few-shot draws are part of every task's identity: pin the generator (SplitMix64 reference values for seed 0).
        var rng = SplitMix64(seed: 0)
        XCTAssertEqual([rng.next(), rng.next(), rng.next()], [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
    }
}

final class DatasetFormatTests: XCTestCase {
    func testGzipJSONAndCSVReadLikeJSONL() throws {
        let plain = try DatasetReader.read(Paths.fixture("data/qa.jsonl"), format: .jsonl)
        XCTAssertEqual(plain.map(\.line), [1, 2, 4, 5, 6, 7])
        let gz = try DatasetReader.read(Paths.fixture("data/qa.jsonl.gz"), format: .jsonlGz)
        XCTAssertEqual(gz, plain)
        let json = try DatasetReader.read(Paths.fixture("data/qa.json"), format: .json)
        XCTAssertEqual(json.map(\.line), [2, 3, 5])
        XCTAssertEqual(json[1].value, .object(["question": .string("Second?"), "answer": .string("#### 2")]))
        let csv = try DatasetReader.read(Paths.fixture("data/qa.csv"), format: .csv)
        XCTAssertEqual(csv.map(\.line), [2, 3])
        XCTAssertEqual(csv[1].value, .object(["question": .string("Say \"hi\"\nplease"), "answer": .string("#### 3")]))
        XCTAssertEqual(DatasetFormat.inferred(from: "a/b.JSONL.gz"), .jsonlGz)
    }

    func testWhereAndSelectPickRecordsAndKeepFileIndices() throws {
        let dir = try TemporaryDirectory()
        let file = try dir.write("task.yaml", """
        name: picked
        output_type: loglikelihood_rolling
        dataset:
          path: \(Paths.fixture("data/qa.jsonl").path)
          select: {start: 1}
          where: {gold: "0"}
        id: "{{id}}-{{gold}}"
        prompt: "{{question}}"
        """)
        let task = try YAMLTask(spec: TaskFileParser.parse(fileAt: file), dataRoot: dir.url)
        XCTAssertEqual(try task.renderInstances(limit: nil, seed: 0).map(\.id), ["q1-0", "q3-0", "q5-0"])
        XCTAssertEqual(try task.renderInstances(limit: 2, seed: 0).map(\.prompt), ["What is 10 - 4?", "What is 1,000 + 234?"])
    }

    func testBadJSONArrayAndCSVNameTheLine() throws {
        let dir = try TemporaryDirectory()
        let json = try dir.write("bad.json", "[\n  {\"a\": 1},\n  {\"a\": 2,}\n]\n")
        XCTAssertEqual(taskError { try DatasetReader.read(json, format: .json) }?.description,
                       "\(json.path):3:11: invalid JSON: expected a quoted key in an object")
        let csv = try dir.write("bad.csv", "a,b\n1,2\n3\n")
        XCTAssertEqual(taskError { try DatasetReader.read(csv, format: .csv) }?.description,
                       "\(csv.path):3: CSV row has 1 fields but the header has 2")
        let gz = try dir.write("bad.jsonl.gz", "not gzip at all, really not")
        XCTAssertEqual(taskError { try DatasetReader.read(gz, format: .jsonlGz) }?.description,
                       "\(gz.path): not a gzip file (bad magic bytes at offset 0)")
    }
}

final class DiscoveryTests: XCTestCase {
    func testTaskInASeparateDirectoryIsDiscoveredRecursively() throws {
        let catalog = TaskCatalog.standard(extraDirectories: [Paths.fixture("user"), Paths.fixture("good")],
                                           dataDirectory: Paths.fixtureData.path, repositoryTasksDirectory: Paths.shippedTasks)
        let names = try catalog.registry.names()
        for name in ["user_csv_task", "fixture_mc", "fixture_gen", "fixture_rolling", "gsm8k", "arc_easy", "synthetic_addition"] {
            XCTAssertTrue(names.contains(name), "\(name) not in \(names)")
        }
        let task = try catalog.registry.task(named: "user_csv_task")
        XCTAssertEqual(task.outputType, .loglikelihood)
        XCTAssertEqual(try task.instances(limit: nil, seed: 0).map(\.prompt), ["What is 1 + 1?", "Say \"hi\"\nplease"])
    }

    func testListingReportsMissingDataWithoutFailing() throws {
        let dir = try TemporaryDirectory()
        let catalog = TaskCatalog.standard(extraDirectories: [Paths.fixture("good")], dataDirectory: dir.url.path,
                                           repositoryTasksDirectory: Paths.shippedTasks)
        let rows = try catalog.list()
        let gsm8k = try XCTUnwrap(rows.first { $0.name == "gsm8k" })
        XCTAssertEqual(gsm8k.data, .missing(path: dir.url.appendingPathComponent("gsm8k/test.jsonl").standardized.path,
                                            url: "https://github.com/openai/grade-school-math/raw/3101c7d/grade_school_math/data/test.jsonl"))
        XCTAssertNil(gsm8k.itemCount)
        let mc = try XCTUnwrap(rows.first { $0.name == "fixture_mc" })
        XCTAssertEqual(mc.itemCount, 6)
        XCTAssertEqual(mc.data, .present)
        let synthetic = try XCTUnwrap(rows.first { $0.name == "synthetic_addition" })
        XCTAssertEqual(synthetic.itemCount, 500)
        XCTAssertEqual(synthetic.data, .generated)
        let text = try catalog.listText()
        XCTAssertTrue(text.hasPrefix("NAME"), text)
        XCTAssertTrue(text.contains("fixture_mc"), text)
    }

    func testShowRendersConfigurationAndFirstPrompt() throws {
        let catalog = TaskCatalog(yaml: YAMLTaskProvider(directories: [Paths.fixture("good")], dataRoot: Paths.fixtureData))
        let text = try catalog.show("fixture_mc")
        XCTAssertTrue(text.contains("\"output_type\": \"multiple_choice\""), text)
        XCTAssertTrue(text.contains("----- prompt -----\nQ: What is 2 + 3?\nA:\n----- end prompt -----\n"), text)
        XCTAssertTrue(text.contains("choice 1 (gold): \" 5\""), text)
        let synthetic = try catalog.show("synthetic_addition")
        XCTAssertTrue(synthetic.contains("\"generator\": \"addition\""), synthetic)
    }

    func testDataRootResolutionOrder() {
        let home = URL(fileURLWithPath: "/home/u")
        let cwd = URL(fileURLWithPath: "/nonexistent/project", isDirectory: true)
        XCTAssertEqual(DataRoot.resolve(explicit: "data", environment: ["FORGETBENCH_DATA": "/env"], currentDirectory: cwd, home: home).path,
                       "/nonexistent/project/data")
        XCTAssertEqual(DataRoot.resolve(explicit: nil, environment: ["FORGETBENCH_DATA": "/env/data"], currentDirectory: cwd, home: home).path, "/env/data")
        XCTAssertEqual(DataRoot.resolve(explicit: "~/d", environment: [:], currentDirectory: cwd, home: home).path, "/home/u/d")
        XCTAssertEqual(DataRoot.resolve(explicit: nil, environment: [:], currentDirectory: cwd, home: home).path, "/home/u/.cache/forgetbench/data")
        let repo = Paths.repository
        let shared = repo.appendingPathComponent("../shared/data").standardized
        if FileManager.default.fileExists(atPath: shared.path) {
            XCTAssertEqual(DataRoot.resolve(explicit: nil, environment: [:], currentDirectory: repo, home: home).path, shared.path)
        }
    }
}

final class ContentHashTests: XCTestCase {
    func write(_ dir: TemporaryDirectory, prompt: String = "Q: {{question}}", data: String? = nil) throws -> YAMLTask {
        if let data { try dir.write("data.jsonl", data) }
        let file = try dir.write("task.yaml", "name: h\ndescription: anything\noutput_type: loglikelihood_rolling\ndataset: {path: ./data.jsonl, url: https://example.org/x}\nprompt: \"\(prompt)\"\n")
        return try YAMLTask(spec: TaskFileParser.parse(fileAt: file), dataRoot: dir.url)
    }

    func testHashIsStableAndTracksConfigAndData() throws {
        let dir = try TemporaryDirectory()
        let original = try write(dir, data: "{\"question\": \"a\"}\n")
        XCTAssertEqual(original.contentHash.count, 64)
        XCTAssertEqual(try write(dir).contentHash, original.contentHash)
        // Moving the data root or editing the description and URL does not change it.
        let other = try TemporaryDirectory()
        try other.write("data.jsonl", "{\"question\": \"a\"}\n")
        let moved = try other.write("task.yaml", "name: h\ndescription: other words\noutput_type: loglikelihood_rolling\ndataset: {path: ./data.jsonl}\nprompt: \"Q: {{question}}\"\n")
        XCTAssertEqual(try YAMLTask(spec: TaskFileParser.parse(fileAt: moved), dataRoot: other.url).contentHash, original.contentHash)
        // The config changes it.
        XCTAssertNotEqual(try write(dir, prompt: "Question: {{question}}").contentHash, original.contentHash)
        // The data changes it.
        XCTAssertNotEqual(try write(dir, data: "{\"question\": \"b\"}\n").contentHash, original.contentHash)
        XCTAssertEqual(try write(dir, data: "{\"question\": \"a\"}\n").contentHash, original.contentHash)
    }

    func testFewShotSourceIsPartOfTheHash() throws {
        let dir = try TemporaryDirectory()
        try dir.write("test.jsonl", "{\"q\": \"a\", \"a\": \"1\"}\n")
        try dir.write("train.jsonl", "{\"q\": \"b\", \"a\": \"2\"}\n")
        let yaml = "name: h\noutput_type: generate_until\ndataset: {path: ./test.jsonl}\nprompt: \"{{q}}\"\ntarget: \"{{a}}\"\ngeneration: {max_tokens: 2}\nfewshot: {k: 1, source: {path: ./train.jsonl}}\n"
        let file = try dir.write("task.yaml", yaml)
        let before = try YAMLTask(spec: TaskFileParser.parse(fileAt: file), dataRoot: dir.url).contentHash
        try dir.write("train.jsonl", "{\"q\": \"c\", \"a\": \"3\"}\n")
        let after = try YAMLTask(spec: TaskFileParser.parse(fileAt: file), dataRoot: dir.url)
        XCTAssertNotEqual(after.contentHash, before)
        XCTAssertEqual(try after.renderInstances(limit: nil, seed: 0)[0].prompt, "c 3\n\na")
    }

    func testHarnessContentHash() throws {
        XCTAssertEqual(ContentHash.sha256(Data("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(try ContentHash.sha256(fileAt: Paths.fixture("data/qa.jsonl")), "d0bf00d7e6ec327fae779596505ecfe5910e3b1f78407c7c3a95001cfccea082")
    }
}

final class CompiledTaskTests: XCTestCase {
    func testSyntheticAddition() throws {
        let task = SyntheticAdditionTask()
        XCTAssertEqual(task.outputType, .generateUntil)
        XCTAssertEqual(task.generation?.stopSequences, ["\n"])
        let a = try task.instances(limit: 20, seed: 1)
        XCTAssertEqual(a, try task.instances(limit: 20, seed: 1))
        let b = try task.instances(limit: 20, seed: 2)
        XCTAssertEqual(a.map(\.target), b.map(\.target)) // items depend on the data seed only
        XCTAssertNotEqual(a.map(\.prompt), b.map(\.prompt)) // shots on the run seed
        XCTAssertEqual(try task.instances(limit: nil, seed: 0).count, 500)
        for item in a {
            let question = try XCTUnwrap(item.prompt.components(separatedBy: "\n\n").last)
            let numbers = question.split { !$0.isNumber }.compactMap { Int($0) }
            XCTAssertEqual(numbers.count, 2)
            XCTAssertEqual(String(numbers[0] + numbers[1]), item.target)
            XCTAssertEqual(item.prompt.components(separatedBy: "\n\n").count, 4)
        }
        let item = a[0]
        func score(_ text: String) -> Double? {
            task.score(item, response: .generation(GenerationResponse(text: text, tokenCount: 3, finishReason: .stop))).values["exact_match"]
        }
        XCTAssertEqual(score(" \(item.target)"), 1)
        XCTAssertEqual(score(" It is \(item.target)."), 1)
        XCTAssertEqual(score(" 100000"), 0)
        XCTAssertNotEqual(SyntheticAdditionTask(dataSeed: 1).contentHash, task.contentHash)
        XCTAssertEqual(SyntheticAdditionTask().contentHash, task.contentHash)
        let registry = TaskRegistry(providers: [CompiledTaskProvider.standard])
        XCTAssertEqual(try registry.task(named: "synthetic_addition").name, "synthetic_addition")
    }
}
