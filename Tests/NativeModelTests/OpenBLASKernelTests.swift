import Foundation
import Harness
import TestSupport
import XCTest
@testable import NativeModel

/// The batch-invariance tests under every OpenBLAS kernel set this processor can run.
///
/// OpenBLAS reads `OPENBLAS_CORETYPE` once, when it is loaded, so each kernel runs in a child
/// process: this test bundle again, filtered to `BatchInvarianceTests` and `testKernelReport` (XCTest's comma-separated filter),
/// which writes what the kernel computed. The forward pass does not use OpenBLAS, so scores must be
/// bit-identical across kernels; training does (its backward pass), so its losses and weights may
/// differ in the last bits and must agree within 1e-5.
final class OpenBLASKernelTests: XCTestCase {
    static let reportVariable = "FORGETBENCH_KERNEL_REPORT"

    /// The kernels and the CPU flags each needs (OpenBLAS 0.3.21's names).
    static let kernels: [(name: String, flags: [String])] = [
        ("Haswell", ["avx2", "fma"]),
        ("Zen", ["avx2", "fma"]),
        ("SkylakeX", ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]),
        ("Cooperlake", ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl", "avx512_bf16"]),
    ]

    struct Report: Codable {
        var kernel: String
        var scores: [[Double]]
        var trainingLosses: [Double]
        var weightSum: Double
        var weightAbsSum: Double
    }

    func testInvarianceHoldsUnderEveryKernelAndKernelsAgree() throws {
        guard ProcessInfo.processInfo.environment[Self.reportVariable] == nil else { throw XCTSkip("inside a kernel run") }
        _ = try TestPaths.stories260K()
        #if os(Linux)
        let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let flagsLine = try XCTUnwrap(cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") })
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        let executable = try XCTUnwrap(Bundle.main.executablePath ?? CommandLine.arguments.first)
        var reports: [Report] = []
        for kernel in Self.kernels {
            let missing = kernel.flags.filter { !flags.contains($0) }
            guard missing.isEmpty else {
                print("OpenBLAS kernel \(kernel.name): skipped, this CPU lacks \(missing.joined(separator: ", "))")
                continue
            }
            let directory = try scratchDirectory(prefix: "forgetbench-tests")
            let reportFile = directory.appendingPathComponent("report.json")
            let (status, log) = try CombinedOutput.run(URL(fileURLWithPath: executable),
                                                       ["NativeModelTests.BatchInvarianceTests,NativeModelTests.OpenBLASKernelTests/testKernelReport"],
                                                       environment: ["OPENBLAS_CORETYPE": kernel.name, Self.reportVariable: reportFile.path])
            XCTAssertEqual(status, 0, "the invariance tests under OPENBLAS_CORETYPE=\(kernel.name):\n\(log.suffix(4000))")
            XCTAssertTrue(log.contains("Test Suite 'BatchInvarianceTests' passed"), "the invariance tests ran under \(kernel.name)")
            let report = try JSONDecoder().decode(Report.self, from: Data(contentsOf: reportFile))
            XCTAssertEqual(report.kernel.lowercased(), kernel.name.lowercased(), "OpenBLAS took the requested kernel")
            print("OpenBLAS kernel \(report.kernel): invariance tests passed; final loss \(report.trainingLosses.last ?? .nan)")
            reports.append(report)
        }
        XCTAssertFalse(reports.isEmpty, "no kernel could run")
        guard let first = reports.first else { return }
        for report in reports.dropFirst() {
            XCTAssertEqual(report.scores, first.scores, "scores under \(report.kernel) and \(first.kernel) (no BLAS in the forward pass)")
            XCTAssertEqual(report.trainingLosses.count, first.trainingLosses.count)
            for (a, b) in zip(report.trainingLosses, first.trainingLosses) {
                XCTAssertEqual(a, b, accuracy: 1e-5 * abs(b), "training loss under \(report.kernel) and \(first.kernel)")
            }
            XCTAssertEqual(report.weightSum, first.weightSum, accuracy: 1e-5 * first.weightAbsSum)
        }
        #else
        throw XCTSkip("OpenBLAS kernels are chosen on Linux only")
        #endif
    }

    /// Only inside a kernel run: scores stories260K and fine-tunes it for 5 steps, and writes both.
    func testKernelReport() throws {
        guard let path = ProcessInfo.processInfo.environment[Self.reportVariable] else { throw XCTSkip("runs inside a kernel run only") }
        let paths = try TestPaths.stories260K()
        let model = try NativeLanguageModel.load(modelPath: paths.model, tokenizerPath: paths.tokenizer)
        let texts = ["Once upon a time, there was a little girl named Lily.", "The cat sat on the mat and looked at the big red ball."]
        let scores = try model.scores(texts.map { model.encode($0) }).map(\.logProbs)

        var rng = SplitMix64(seed: 12)
        let examples = (0 ..< 40).map { _ -> LabeledSequence in
            let s = (0 ..< 100).map { _ in 1 + rng.below(511) }
            return LabeledSequence(inputIDs: s, labels: s.enumerated().map { $0.offset < 10 ? -100 : $0.element })
        }
        var settings = TrainingSettings()
        settings.learningRate = 1e-3
        settings.epochs = 1
        settings.checkpointEvery = 0
        let trainer = Trainer(weights: model.transformer.weights, settings: settings)
        var losses: [Double] = []
        try trainer.train(examples, progress: { losses.append($0.loss) })
        let values = trainer.trainedParameters.flatMap(\.1.values).map(Double.init)
        let report = Report(kernel: EngineSettings.blasKernel, scores: scores, trainingLosses: losses,
                            weightSum: values.reduce(0, +), weightAbsSum: values.map(abs).reduce(0, +))
        try JSONEncoder().encode(report).write(to: URL(fileURLWithPath: path))
    }
}
