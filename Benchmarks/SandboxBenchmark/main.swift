// Programs/s of the sandbox: MBPP's 500 canonical solutions (test split, with their asserts),
// each in a fresh bubblewrap sandbox, with 1, 2 and 4 workers; the median of a few repeats.
//
//   swift build -c release --product SandboxBenchmark
//   .build/release/SandboxBenchmark [--data-dir ../shared/data] [--repeats 3] [--workers 1,2,4] [--unconfined]
import Foundation
import Harness
import Sandbox
import Tasks

var dataDirectory: String?
var repeats = 3
var workerCounts = [1, 2, 4]
var confinement = SandboxConfiguration.Confinement.bubblewrap
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--data-dir": dataDirectory = arguments.next()
    case "--repeats": repeats = Int(arguments.next() ?? "") ?? repeats
    case "--workers": workerCounts = (arguments.next() ?? "").split(separator: ",").compactMap { Int($0) }
    case "--unconfined": confinement = .unconfined
    default:
        FileHandle.standardError.write(Data("usage: SandboxBenchmark [--data-dir DIR] [--repeats N] [--workers 1,2,4] [--unconfined]\n".utf8))
        exit(1)
    }
}

let catalog = TaskCatalog.standard(dataDirectory: dataDirectory)
guard let task = try catalog.yaml.yamlTask(named: "mbpp") else {
    FileHandle.standardError.write(Data("no mbpp task (run from the repository root)\n".utf8))
    exit(1)
}
let instances = try task.renderInstances(limit: nil, seed: 0)
let scorer = CodeExecutionScorer(extraction: .fenced, metrics: [("pass@1", 1)])
let programs = try zip(instances, task.records()).map { instance, record -> String in
    guard case let .object(members) = record.value, case let .string(code)? = members["code"] else { throw TaskError.unreadable(path: task.datasetURL.path, reason: "record \(record.index) has no code") }
    return scorer.program(answer: code, target: instance.target)
}
print("MBPP canonical solutions: \(programs.count) programs, \(ProcessInfo.processInfo.activeProcessorCount) cores, \(confinement.rawValue), median of \(repeats)")
print("workers  median s  programs/s  passed")
for workers in workerCounts {
    let sandbox = try Sandbox(configuration: SandboxConfiguration(confinement: confinement, workers: workers))
    try sandbox.checkAvailable()
    var times: [Double] = []
    var passed = 0
    for _ in 0 ..< repeats {
        let started = DispatchTime.now().uptimeNanoseconds
        let outcomes = await sandbox.run(programs)
        times.append(Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
        passed = outcomes.filter { $0.kind == .passed }.count
    }
    let median = times.sorted()[times.count / 2]
    print(String(format: "%7d  %8.2f  %10.1f  %d/%d", workers, median, Double(programs.count) / median, passed, programs.count))
}
