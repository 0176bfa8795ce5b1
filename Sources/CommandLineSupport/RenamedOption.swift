import ArgumentParser
import Foundation

/// The names and help of an option that was renamed (see ``RenamedOption``).
public protocol RenamedOptionNames {
    /// The option's name now, without dashes (`eval-batch-size`).
    static var name: String { get }
    /// The name it had (`batch-size`), still accepted for a while, hidden from `--help`.
    static var oldName: String { get }
    /// What a reader of the deprecation warning should know about the old name's other meaning.
    static var note: String { get }
    /// The option's help, shown under the new name.
    static var help: ArgumentHelp { get }
}

/// An option that was renamed and whose old spelling is still accepted for a while, hidden from
/// `--help`, with a warning on standard error; both spellings at once are refused. A command
/// takes it as an option group: `@OptionGroup var evalBatchSize: RenamedOption<EvalBatchSize, Int>`.
///
/// ForgetBench renamed the options whose one name meant different things in different commands:
/// `--batch-size` is the training micro-batch (train, pretrain) and nothing else;
/// eval and mask take `--eval-batch-size`; serve takes vLLM's `--max-num-seqs` and
/// `--served-model-name`, so `--model-name` is only the id a client asks a server for.
public struct RenamedOption<Names: RenamedOptionNames, Value: ExpressibleByArgument & Sendable>: ParsableArguments, Sendable {
    @Option(name: .customLong(Names.name), help: Names.help)
    var current: Value?

    @Option(name: .customLong(Names.oldName), help: .hidden)
    var old: Value?

    public init() {}

    /// The value given under either name.
    public var value: Value? { current ?? old }

    public func validate() throws {
        guard old != nil else { return }
        if current != nil { throw ValidationError("--\(Names.oldName) is the old name of --\(Names.name); give only --\(Names.name)") }
        FileHandle.standardError.write(Data("forgetbench: warning: --\(Names.oldName) is deprecated here; use --\(Names.name) (\(Names.note))\n".utf8))
    }
}
