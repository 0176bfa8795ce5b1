import Foundation
import Harness
import TestSupport
import XCTest

/// `ModelFingerprint.ofAdapter(in:)`: one adapter, one fingerprint, wherever its base lay and in
/// whatever order PEFT listed its modules; any change to what the adapter computes changes it.
final class AdapterFingerprintTests: XCTestCase {
    var root: URL!
    override func setUpWithError() throws { root = try scratchDirectory(prefix: "adapter-fp") }

    func adapter(_ name: String, base: String = "/work/a/models/toy-base", modules: [String] = ["q_proj", "v_proj"],
                 alpha: Int = 16, weights: [UInt8] = [1, 2, 3, 4]) throws -> URL {
        let dir = root.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let config: [String: Any] = ["base_model_name_or_path": base, "peft_type": "LORA", "r": 8, "lora_alpha": alpha,
                                     "target_modules": modules]
        try JSONSerialization.data(withJSONObject: config).write(to: dir.appendingPathComponent("adapter_config.json"))
        try Data(weights).write(to: dir.appendingPathComponent("adapter_model.safetensors"))
        return dir
    }

    func testTheBasePathAndTheModuleOrderDoNotChangeIt() throws {
        let a = try ModelFingerprint.ofAdapter(in: try adapter("a"))
        XCTAssertEqual(try ModelFingerprint.ofAdapter(in: try adapter("b", base: "/tmp/clone/models/toy-base")), a)
        XCTAssertEqual(try ModelFingerprint.ofAdapter(in: try adapter("c", modules: ["v_proj", "q_proj"])), a)
        XCTAssertEqual(a.files, ["adapter_config.json", "adapter_model.safetensors"])
    }

    func testWeightsAndSettingsChangeIt() throws {
        let a = try ModelFingerprint.ofAdapter(in: try adapter("a"))
        XCTAssertNotEqual(try ModelFingerprint.ofAdapter(in: try adapter("w", weights: [1, 2, 3, 5])).sha256, a.sha256)
        XCTAssertNotEqual(try ModelFingerprint.ofAdapter(in: try adapter("s", alpha: 32)).sha256, a.sha256)
        XCTAssertNotEqual(try ModelFingerprint.ofAdapter(in: try adapter("m", modules: ["q_proj"])).sha256, a.sha256)
    }

    func testABrokenConfigNamesItsFile() throws {
        let dir = try adapter("x")
        try Data("[1, 2]".utf8).write(to: dir.appendingPathComponent("adapter_config.json"))
        XCTAssertThrowsError(try ModelFingerprint.ofAdapter(in: dir)) { error in
            XCTAssertTrue("\(error)".contains(dir.appendingPathComponent("adapter_config.json").path), "\(error)")
        }
    }

    func testAMergedFingerprintDependsOnBoth() throws {
        let base = ModelFingerprint(sha256: String(repeating: "a", count: 64), files: ["model.safetensors"])
        let other = ModelFingerprint(sha256: String(repeating: "b", count: 64), files: ["model.safetensors"])
        let adapter = try ModelFingerprint.ofAdapter(in: try adapter("a"))
        XCTAssertNotEqual(base.merging(adapter: adapter), other.merging(adapter: adapter))
        XCTAssertNotEqual(base.merging(adapter: adapter).sha256, base.sha256)
        XCTAssertEqual(base.merging(adapter: adapter).files, ["model.safetensors", "adapter_config.json", "adapter_model.safetensors"])
    }
}
