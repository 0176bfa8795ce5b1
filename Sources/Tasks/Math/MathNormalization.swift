import Foundation

/// The answer normalisation of Hendrycks et al.'s MATH grader (`is_equiv` / `strip_string`),
/// written from its description, plus a few spellings it misses (`\dfrac`, `^{\circ}`, `\$`,
/// `\text{...}` units anywhere at the end, thousands separators). Two answers whose normal
/// forms are equal are equivalent; `MathEquivalence` goes on to compare values when they are not.
public enum MathNormalization {
    /// The normal form of one answer (no `\boxed`, no surrounding `$`).
    ///
    /// Steps, in order: line breaks and `\!`, `\,`, `\;`, `\:` removed; `\dfrac`,
    /// `\tfrac` → `\frac`; `\left`, `\right` removed; degrees (`^\circ`, `^{\circ}`, `°`) removed;
    /// dollar signs removed; trailing unit text (`5\text{ cm}`, `\mbox{ inches}`) removed;
    /// `\text{X}` → `X`; percent signs removed; `0.5`-style leading dots given their zero; a
    /// short `x =` prefix removed; `\sqrt3` → `\sqrt{3}`; spaces removed; `\frac12` →
    /// `\frac{1}{2}`; `a/b` of integers → `\frac{a}{b}`; `0.5` → `\frac{1}{2}`; a trailing `.` removed.
    public static func normalize(_ answer: String) -> String {
        var s = answer.trimmingCharacters(in: .whitespacesAndNewlines)
        s = s.replacingOccurrences(of: "\n", with: "")
        for thin in ["\\!", "\\,", "\\;", "\\:"] { s = s.replacingOccurrences(of: thin, with: "") }
        s = s.replacingOccurrences(of: "\\dfrac", with: "\\frac").replacingOccurrences(of: "\\tfrac", with: "\\frac")
        s = s.replacingOccurrences(of: "\\left", with: "").replacingOccurrences(of: "\\right", with: "")
        // `\left\{` became `\{`; `\left.` / `\right.` leave a dot, removed below with the others.
        for degree in ["^{\\circ}", "^\\circ", "°", "{}^\\circ"] { s = s.replacingOccurrences(of: degree, with: "") }
        s = s.replacingOccurrences(of: "\\$", with: "").replacingOccurrences(of: "$", with: "")
        s = removeTrailingUnits(s)
        s = unwrapText(s)
        s = s.replacingOccurrences(of: "\\%", with: "").replacingOccurrences(of: "%", with: "")
        s = s.replacingOccurrences(of: " .", with: " 0.").replacingOccurrences(of: "{.", with: "{0.")
        if s.hasPrefix(".") { s = "0" + s }
        s = removeShortAssignment(s)
        s = removeTrailingUnitWords(s)
        s = fixSqrt(s)
        // `10,080` is a number but `10 , 080` a list: a space before a comma rules out digit groups.
        let mayGroupDigits = s.range(of: " ,") == nil
        s = s.replacingOccurrences(of: " ", with: "")
        s = s.replacingOccurrences(of: "{,}", with: ",")
        s = fixFracs(s)
        if s == "0.5" { s = "\\frac{1}{2}" }
        s = fixSlash(s)
        while s.hasSuffix("."), s.count > 1 { s.removeLast() }
        if mayGroupDigits, isThousands(s) { s = s.replacingOccurrences(of: ",", with: "") }
        return s
    }

    /// `12\text{ cm}`, `5\mbox{ units}`, `3 \text{inches}^2` → the number: text at the end after
    /// something that is not text is a unit.
    static func removeTrailingUnits(_ s: String) -> String {
        var s = s
        for command in ["\\text{", "\\mbox{", "\\textbf{", "\\mathrm{"] {
            guard let range = s.range(of: command, options: .backwards), range.lowerBound > s.startIndex else { continue }
            let before = s[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
            guard let close = matchingBrace(in: s, openAt: s.index(before: range.upperBound)) else { continue }
            var rest = s[s.index(after: close)...].trimmingCharacters(in: .whitespaces)
            // `\text{ cm}^2`
            if rest.hasPrefix("^") { rest = String(rest.drop { $0 == "^" || $0 == "{" || $0 == "}" || $0.isNumber }) }
            guard rest.isEmpty, !before.isEmpty else { continue }
            let inside = s[s.index(after: s.index(before: range.upperBound)) ..< close].trimmingCharacters(in: .whitespaces)
            // A unit is words (letters, spaces, dots), and follows a number or a closing brace.
            guard !inside.isEmpty, inside.allSatisfy({ $0.isLetter || $0 == " " || $0 == "." }),
                  let last = before.last, last.isNumber || last == "}" || last == ")" else { continue }
            s = before
        }
        return s
    }

    /// `5.4 cents`, `\frac{270}{7} degrees`: plain words after a number (a unit written without
    /// `\text`) are dropped. Only whole words of two or more letters after a space, following a
    /// digit or a closing brace.
    static func removeTrailingUnitWords(_ s: String) -> String {
        guard let match = s.range(of: #"^(.*[0-9}])\s+([A-Za-z]{2,}(\s+[A-Za-z]{2,})?)$"#, options: .regularExpression) else { return s }
        let text = String(s[match])
        guard let space = text.range(of: #"\s+[A-Za-z]{2,}(\s+[A-Za-z]{2,})?$"#, options: .regularExpression) else { return s }
        return String(text[..<space.lowerBound])
    }

    /// `\text{X}`, `\textbf{X}`, `\mathrm{X}`, `\mbox{X}` → `X`.
    static func unwrapText(_ s: String) -> String {
        var s = s
        for command in ["\\text{", "\\textbf{", "\\mathrm{", "\\mbox{", "\\textit{", "\\mathbf{"] {
            while let range = s.range(of: command) {
                let open = s.index(before: range.upperBound)
                guard let close = matchingBrace(in: s, openAt: open) else { break }
                let inside = s[s.index(after: open) ..< close]
                s = String(s[..<range.lowerBound]) + inside + String(s[s.index(after: close)...])
            }
        }
        return s
    }

    /// The index of the `}` closing the `{` at `open`.
    static func matchingBrace(in s: String, openAt open: String.Index) -> String.Index? {
        var depth = 0
        var i = open
        while i < s.endIndex {
            let c = s[i]
            if c == "\\" {
                i = s.index(after: i)
                if i < s.endIndex { i = s.index(after: i) }
                continue
            }
            if c == "{" { depth += 1 }
            if c == "}" {
                depth -= 1
                if depth == 0 { return i }
            }
            i = s.index(after: i)
        }
        return nil
    }

    /// `x = 5` → `5`, `k=3` → `3` (the left side two characters at most, as Hendrycks's grader).
    static func removeShortAssignment(_ s: String) -> String {
        let parts = s.components(separatedBy: "=")
        guard parts.count == 2 else { return s }
        let left = parts[0].trimmingCharacters(in: .whitespaces)
        guard !left.isEmpty, left.count <= 2 || isVariableName(left) else { return s }
        return parts[1].trimmingCharacters(in: .whitespaces)
    }

    /// A single variable spelled as a Greek letter command (`\theta`, `\alpha`).
    static func isVariableName(_ s: String) -> Bool {
        s.hasPrefix("\\") && s.dropFirst().allSatisfy(\.isLetter) && !["\\pi", "\\infty"].contains(s)
    }

    /// `\sqrt3` → `\sqrt{3}` (one character after `\sqrt`).
    static func fixSqrt(_ s: String) -> String {
        rewritingArguments(of: "\\sqrt", in: s) { out, rest in
            if let next = rest.first, next != "{", next != "[", next != " ", next != "\\" {
                out += "{\(next)}"
                rest = rest.dropFirst()
            }
        }
    }

    /// `\frac12` → `\frac{1}{2}`, `\frac1{72}` → `\frac{1}{72}`, `\frac{1}2` → `\frac{1}{2}`.
    static func fixFracs(_ s: String) -> String {
        rewritingArguments(of: "\\frac", in: s) { out, rest in
            for _ in 0 ..< 2 {
                guard let next = rest.first else { break }
                if next == "{" {
                    guard let close = matchingBrace(in: String(rest), openAt: String(rest).startIndex) else { break }
                    let text = String(rest)
                    out += text[...close]
                    rest = Substring(text[text.index(after: close)...])
                } else if next == "\\" {
                    break
                } else {
                    out += "{\(next)}"
                    rest = rest.dropFirst()
                }
            }
        }
    }

    /// `s` with what follows each `command` rewritten by `arguments`: it is given the text written
    /// so far (through the command) and the text after the command, appends its rewrite of the
    /// arguments to the first and drops them from the second.
    static func rewritingArguments(of command: String, in s: String, _ arguments: (inout String, inout Substring) -> Void) -> String {
        var out = ""
        var rest = Substring(s)
        while let range = rest.range(of: command) {
            out += rest[..<range.upperBound]
            rest = rest[range.upperBound...]
            arguments(&out, &rest)
        }
        return out + rest
    }

    /// `3/4` → `\frac{3}{4}` when both sides are integers.
    static func fixSlash(_ s: String) -> String {
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]) else { return s }
        return "\\frac{\(a)}{\(b)}"
    }

    /// `1,234` or `12,345,678.5`: digits grouped by threes.
    static func isThousands(_ s: String) -> Bool {
        s.range(of: #"^-?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$"#, options: .regularExpression) != nil
    }
}
