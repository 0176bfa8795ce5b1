import ArgumentParser
import Foundation
import Tasks

struct TasksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasks",
        abstract: "List the known tasks, or show one task's resolved configuration.",
        subcommands: [List.self, Show.self]
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
}
