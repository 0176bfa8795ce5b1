import ArgumentParser
import Foundation

/// An option that was renamed and whose old spelling is still accepted for a while (hidden from
/// `--help`): a command keeps both properties, calls `check` from `validate()` and reads `value`.
///
/// ForgetBench renamed the options whose one name meant different things in different commands:
/// `--batch-size` is the training micro-batch (train, pretrain) and nothing else;
/// eval and mask take `--eval-batch-size`; serve takes vLLM's `--max-num-seqs` and
/// `--served-model-name`, so `--model-name` is only the id a client asks a server for.
public struct RenamedOption<Value: Sendable>: Sendable {
    /// The option's name now, such as `--eval-batch-size`.
    public var name: String
    /// The name it had, such as `--batch-size`.
    public var oldName: String
    /// What a reader of the warning should know about the old name's other meaning, if any.
    public var note: String?

    public init(name: String, oldName: String, note: String? = nil) {
        self.name = name
        self.oldName = oldName
        self.note = note
    }

    /// Refuses both spellings at once, and says on standard error when the old one was used.
    public func check(current: Value?, old: Value?) throws {
        guard old != nil else { return }
        if current != nil { throw ValidationError("\(oldName) is the old name of \(name); give only \(name)") }
        let note = self.note.map { " (\($0))" } ?? ""
        FileHandle.standardError.write(Data("forgetbench: warning: \(oldName) is deprecated here; use \(name)\(note)\n".utf8))
    }

    /// The value given under either name, the current one first.
    public func value(current: Value?, old: Value?) -> Value? { current ?? old }
}
