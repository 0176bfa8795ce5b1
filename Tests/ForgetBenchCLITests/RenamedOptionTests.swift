import XCTest

/// Each option name means one thing in every command: `--batch-size` is the training micro-batch;
/// eval and mask take `--eval-batch-size`; serve takes `--max-num-seqs` and `--served-model-name`.
/// The old spellings still reach the same setting, with a warning, and are not listed in `--help`.
final class RenamedOptionTests: XCTestCase {
    /// The old name reaches the new option's validation (its message names the new option) and warns.
    func testAnOldNameReachesTheNewOptionWithAWarning() throws {
        let cases: [(arguments: [String], newName: String, oldName: String)] = [
            (["eval", "--model", "nowhere.bin", "--tasks", "arc_easy", "--batch-size", "0"], "--eval-batch-size", "--batch-size"),
            (["mask", "--model", "nowhere.bin", "--input", "in.jsonl", "--regime", "ground-truth", "--output", "o.jsonl", "--batch-size", "0"],
             "--eval-batch-size", "--batch-size"),
            (["serve", "--model", "nowhere.bin", "--batch-size", "0"], "--max-num-seqs", "--batch-size"),
            (["serve", "--model", "nowhere.bin", "--model-name", ""], "--served-model-name", "--model-name"),
        ]
        for (arguments, newName, oldName) in cases {
            let old = try CLI.run(arguments)
            XCTAssertNotEqual(old.status, 0, "\(arguments)")
            XCTAssertTrue(old.stderr.contains("warning: \(oldName) is deprecated here; use \(newName)"), "\(arguments): \(old.stderr)")
            XCTAssertTrue(old.stderr.contains("\(newName) must"), "\(arguments): \(old.stderr)")

            let renamed = try CLI.run(arguments.map { $0 == oldName ? newName : $0 })
            XCTAssertNotEqual(renamed.status, 0)
            XCTAssertFalse(renamed.stderr.contains("warning"), renamed.stderr)
            XCTAssertTrue(renamed.stderr.contains("\(newName) must"), "\(arguments): \(renamed.stderr)")
        }
    }

    func testBothNamesAtOnceAreRefused() throws {
        let r = try CLI.run(["serve", "--model", "nowhere.bin", "--max-num-seqs", "4", "--batch-size", "4"])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("--batch-size is the old name of --max-num-seqs; give only --max-num-seqs"), r.stderr)
    }

    /// `--help` lists each option under its one name only.
    func testHelpListsOnlyTheCurrentNames() throws {
        let expectations: [(command: String, listed: [String], unlisted: [String])] = [
            ("eval", ["--eval-batch-size", "--model-name"], ["--batch-size"]),
            ("mask", ["--eval-batch-size", "--model-name"], ["--batch-size"]),
            ("serve", ["--max-num-seqs", "--served-model-name"], ["--batch-size", "--model-name "]),
            ("train", ["--batch-size", "--grad-accum"], ["--eval-batch-size"]),
            ("pretrain", ["--batch-size"], ["--eval-batch-size"]),
        ]
        for (command, listed, unlisted) in expectations {
            let help = try CLI.run([command, "--help"])
            XCTAssertEqual(help.status, 0, help.stderr)
            for name in listed { XCTAssertTrue(help.stdout.contains(name), "\(command) --help lacks \(name)") }
            for name in unlisted { XCTAssertFalse(help.stdout.contains(name), "\(command) --help lists \(name)") }
        }
    }
}
