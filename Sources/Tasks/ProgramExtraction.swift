/// How a code-execution task takes the program out of a model's answer.
public enum ProgramExtraction: String, Hashable, Sendable, CaseIterable {
    /// The first fenced block (three backticks; a language tag such as `python` on the opening
    /// line is dropped), up to its closing fence or, when the answer was cut short, to the end;
    /// the whole answer when it has no fence. The paper's MBPP evaluation does the same, except
    /// that it runs an unterminated block with its opening fence (a certain syntax error).
    case fenced
    /// The answer as generated (generation has already stopped at the task's stop sequences):
    /// HumanEval's completions continue the function head.
    case raw

    /// The program text, with trailing whitespace removed.
    public func extract(from text: String) -> String {
        switch self {
        case .raw:
            return Self.trimmingTrailingWhitespace(text)
        case .fenced:
            guard let open = text.range(of: "```") else { return Self.trimmingTrailingWhitespace(text) }
            var rest = text[open.upperBound...]
            // A language tag on the opening line (```python, ```py, ```Python3) is not code.
            let firstLine = rest.prefix { $0 != "\n" }
            if firstLine.allSatisfy({ $0.isLetter || $0.isNumber || "+-_. ".contains($0) }) {
                rest = rest.dropFirst(firstLine.count)
                if rest.first == "\n" { rest = rest.dropFirst() }
            }
            if let close = rest.range(of: "```") { rest = rest[..<close.lowerBound] }
            return Self.trimmingTrailingWhitespace(String(rest))
        }
    }

    static func trimmingTrailingWhitespace(_ text: String) -> String {
        var end = text.endIndex
        while end > text.startIndex, text[text.index(before: end)].isWhitespace { end = text.index(before: end) }
        return String(text[..<end])
    }
}
