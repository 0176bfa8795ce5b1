import Foundation
import Harness

/// Tasks built in Swift (synthetic generators), looked up by name.
public struct CompiledTaskProvider: TaskProvider {
    public var tasks: [any EvaluationTask]

    public init(tasks: [any EvaluationTask]) {
        self.tasks = tasks
    }

    /// The compiled-in tasks ForgetBench ships: `synthetic_addition` and the toy world's tasks
    /// (`toy_*`, see ``ToyWorld``).
    public static var standard: CompiledTaskProvider {
        CompiledTaskProvider(tasks: [SyntheticAdditionTask()] + ToyWorld.tasks)
    }

    public func taskNames() throws -> [String] { tasks.map(\.name) }

    public func task(named name: String) throws -> (any EvaluationTask)? {
        tasks.first { $0.name == name }
    }
}
