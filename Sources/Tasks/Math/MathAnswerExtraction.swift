/// Picks the final answer out of a worked solution, as MATH's graders do: the content of the
/// last `\boxed{...}` (or `\fbox{...}`), braces balanced.
public enum MathAnswerExtraction {
    /// The content of the last `\boxed{...}` or `\fbox{...}` in `text`, with nested braces kept
    /// (`\boxed{\frac{1}{2}}` → `\frac{1}{2}`); `\boxed 5` (no braces) gives the text up to the
    /// next space or `$`. nil when there is none, or its braces never close.
    public static func lastBoxed(in text: String) -> String? {
        let scalars = Array(text.unicodeScalars)
        var start: Int?
        for command in ["\\boxed", "\\fbox"] {
            let pattern = Array(command.unicodeScalars)
            var i = scalars.count - pattern.count
            while i >= 0 {
                if scalars[i] == "\\", Array(scalars[i ..< i + pattern.count]) == pattern {
                    // Not a longer command name (\boxedx).
                    let after = i + pattern.count
                    if after >= scalars.count || !isLetter(scalars[after]) {
                        if start == nil || i > start! { start = i }
                        break
                    }
                }
                i -= 1
            }
        }
        guard let found = start else { return nil }
        var i = found + 1
        while i < scalars.count, isLetter(scalars[i]) { i += 1 }
        while i < scalars.count, scalars[i] == " " { i += 1 }
        guard i < scalars.count else { return nil }
        if scalars[i] == "{" {
            var depth = 0
            var j = i
            while j < scalars.count {
                if scalars[j] == "\\", j + 1 < scalars.count { j += 2; continue }
                if scalars[j] == "{" { depth += 1 }
                if scalars[j] == "}" {
                    depth -= 1
                    if depth == 0 {
                        var out = String.UnicodeScalarView()
                        out.append(contentsOf: scalars[(i + 1) ..< j])
                        return String(out)
                    }
                }
                j += 1
            }
            return nil
        }
        var j = i
        while j < scalars.count, scalars[j] != " ", scalars[j] != "$", scalars[j] != "\n" { j += 1 }
        guard j > i else { return nil }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars[i ..< j])
        return String(out)
    }

    static func isLetter(_ s: Unicode.Scalar) -> Bool {
        (s >= "a" && s <= "z") || (s >= "A" && s <= "Z")
    }
}
