import ArgumentParser
import Foundation
import Harness
import Tasks

struct TasksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasks",
        abstract: "List the known tasks, show one task's resolved configuration, or export a trainable task's training set.",
        subcommands: [List.self, Show.self, TrainingSet.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List every task: name, output type, item count, and whether its data is present.",
            discussion: "Example:\n  forgetbench tasks list --tasks-dir my-tasks/")
        @OptionGroup var taskOptions: TaskOptions

        func run() throws {
            print(try taskOptions.catalog().listText())
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a task's resolved configuration and its first fully rendered prompt.",
            discussion: "Example:\n  forgetbench tasks show arc_easy")
        @OptionGroup var taskOptions: TaskOptions
        @Argument(help: "The task's name.") var name: String

        func run() throws {
            print(try taskOptions.catalog().show(name))
        }
    }

    struct TrainingSet: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "training-set",
            abstract: "Write a trainable task's training split with its ground-truth responses as JSON Lines.",
            discussion: """
            Each line is {"id", "prompt", "response"}: the rendered training prompt and the response its \
            annotators wrote, the input 'forgetbench mask' reads (plain chat format: prompt, response, EOS).

            Examples:
              forgetbench tasks training-set toy_subtract --limit 300 --output runs/toy/train.jsonl
              forgetbench tasks training-set math500 --output runs/math/train.jsonl
            """)
        @OptionGroup var taskOptions: TaskOptions
        @Argument(help: "The task's name (a task with a training split, such as toy_subtract, math500 or geoquery).") var name: String
        @Option(help: "Keep the first N training items.") var limit: Int?
        @Option(help: ArgumentHelp("Output file.", valueName: "file.jsonl")) var output: String

        func run() throws {
            let task = try taskOptions.catalog().registry.task(named: name)
            guard let trainable = task as? any TrainableTask else {
                throw ValidationError("task '\(name)' has no training split (it is not a trainable task)")
            }
            /// A line of `mask`'s input: `{"id", "prompt", "response"}`.
            struct Record: Encodable { var id: String; var prompt: String; var response: String }
            let records = try trainable.trainingInstances(limit: limit).map {
                Record(id: $0.id, prompt: $0.prompt, response: trainable.groundTruthResponse(for: $0))
            }
            try JSONLines.write(records, to: URL(fileURLWithPath: output))
        }
    }
}
