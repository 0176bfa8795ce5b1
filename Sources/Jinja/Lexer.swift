/// One token of a template: text between tags, a tag's delimiters, or a token of an expression.
struct Token: Sendable {
    enum Kind: Sendable, Equatable {
        case text(String)
        case variableBegin, variableEnd, blockBegin, blockEnd
        case name(String)
        case string(String)
        case integer(Int)
        case float(Double)
        case op(String)
        case end
    }

    var kind: Kind
    var location: SourceLocation
}

/// Splits a template into tokens the way jinja2's lexer does, with the whitespace rules
/// transformers sets: `trim_blocks` (the first newline after a block or comment tag goes),
/// `lstrip_blocks` (spaces and tabs before a block or comment tag on its own line go), `-` on either
/// side of a tag strips all whitespace there, `+` keeps it. Line endings are normalised to `\n`
/// and one trailing newline of the source is dropped (`keep_trailing_newline=False`) unless
/// `keepTrailingNewline`. Task templates pass `false, false, true`: jinja2's `Environment` as
/// lm-evaluation-harness configures it.
struct Lexer {
    private let source: [Unicode.Scalar]
    private var position = 0
    private let lineStarts: [Int]
    private let trimBlocks: Bool
    private let lstripBlocks: Bool
    private var tokens: [Token] = []

    static func tokenize(_ text: String, trimBlocks: Bool = true, lstripBlocks: Bool = true, keepTrailingNewline: Bool = false) throws -> [Token] {
        var lexer = Lexer(source: normalisedNewlines(text, keepTrailingNewline: keepTrailingNewline), trimBlocks: trimBlocks, lstripBlocks: lstripBlocks)
        try lexer.run()
        return lexer.tokens
    }

    private init(source: [Unicode.Scalar], trimBlocks: Bool, lstripBlocks: Bool) {
        self.source = source
        self.trimBlocks = trimBlocks
        self.lstripBlocks = lstripBlocks
        var starts = [0]
        for (offset, scalar) in source.enumerated() where scalar == "\n" { starts.append(offset + 1) }
        lineStarts = starts
    }

    /// `\r\n` and `\r` become `\n`; a final newline is removed unless `keepTrailingNewline`.
    private static func normalisedNewlines(_ text: String, keepTrailingNewline: Bool) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.unicodeScalars.count)
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            if scalar == "\r" {
                out.append("\n")
                previousWasCR = true
                continue
            }
            if scalar == "\n" && previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = false
            out.append(scalar)
        }
        if out.last == "\n" && !keepTrailingNewline { out.removeLast() }
        return out
    }

    func location(_ offset: Int) -> SourceLocation {
        var low = 0, high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        return SourceLocation(line: low + 1, column: offset - lineStarts[low] + 1)
    }

    private func error(_ message: String, at offset: Int) -> JinjaError {
        let place = location(offset)
        return JinjaError(.syntax, message, line: place.line, column: place.column)
    }

    private func peek(_ text: String, at offset: Int) -> Bool {
        var index = offset
        for scalar in text.unicodeScalars {
            guard index < source.count, source[index] == scalar else { return false }
            index += 1
        }
        return true
    }

    private mutating func emit(_ kind: Token.Kind, at offset: Int) {
        tokens.append(Token(kind: kind, location: location(offset)))
    }

    // MARK: - Template level

    private mutating func run() throws {
        var lineStarting = true
        while position < source.count {
            guard let (tagStart, opener) = nextTag(from: position) else {
                emitText(position, source.count)
                position = source.count
                break
            }
            let signOffset = tagStart + 2
            let sign: Unicode.Scalar? = signOffset < source.count && (source[signOffset] == "-" || source[signOffset] == "+")
                ? source[signOffset] : nil
            var textEnd = tagStart
            if sign == "-" {
                while textEnd > position && source[textEnd - 1].isPythonSpace { textEnd -= 1 }
            } else if sign != "+" && lstripBlocks && opener != "{" {
                var lineStart = tagStart
                while lineStart > position && source[lineStart - 1] != "\n" { lineStart -= 1 }
                if (lineStart > position || lineStarting) && lineStart < tagStart
                    && source[lineStart..<tagStart].allSatisfy({ $0.isPythonSpace }) {
                    textEnd = lineStart
                }
            }
            emitText(position, textEnd)
            position = signOffset + (sign == nil ? 0 : 1)
            switch opener {
            case "#": try skipComment(from: tagStart)
            case "{": try lexTag(begin: .variableBegin, at: tagStart, closer: "}}")
            default:
                try lexTag(begin: .blockBegin, at: tagStart, closer: "%}")
                if case .name("raw")? = tokens.dropLast().last?.kind, tokens[tokens.count - 3].kind == .blockBegin {
                    try lexRaw(from: tagStart)
                }
            }
            lineStarting = position > 0 && source[position - 1] == "\n"
        }
        emit(.end, at: source.count)
    }

    /// The next `{{`, `{%` or `{#` at or after `offset`, and which it is.
    private func nextTag(from offset: Int) -> (Int, Unicode.Scalar)? {
        var index = offset
        while index + 1 < source.count {
            if source[index] == "{" {
                let next = source[index + 1]
                if next == "{" || next == "%" || next == "#" { return (index, next) }
            }
            index += 1
        }
        return nil
    }

    private mutating func emitText(_ start: Int, _ end: Int) {
        guard start < end else { return }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: source[start..<end])
        emit(.text(String(view)), at: start)
    }

    /// After a tag's closing delimiter: `-` strips all whitespace, `+` nothing, otherwise
    /// `trim_blocks` takes one newline after block and comment tags.
    private mutating func afterTagEnd(sign: Unicode.Scalar?, isBlock: Bool) {
        if sign == "-" {
            while position < source.count && source[position].isPythonSpace { position += 1 }
        } else if sign != "+" && isBlock && trimBlocks && position < source.count && source[position] == "\n" {
            position += 1
        }
    }

    private mutating func skipComment(from tagStart: Int) throws {
        var index = position
        while index + 1 < source.count {
            if source[index] == "#" && source[index + 1] == "}" {
                let sign: Unicode.Scalar? = index > position && (source[index - 1] == "-" || source[index - 1] == "+") ? source[index - 1] : nil
                position = index + 2
                afterTagEnd(sign: sign, isBlock: true)
                return
            }
            index += 1
        }
        throw error("Missing end of comment tag", at: tagStart)
    }

    /// `{% raw %}...{% endraw %}`: the text between is kept verbatim.
    private mutating func lexRaw(from tagStart: Int) throws {
        tokens.removeLast(3)
        var index = position
        while let (start, opener) = nextTag(from: index) {
            if opener == "%" {
                var cursor = start + 2
                let leftSign = cursor < source.count && (source[cursor] == "-" || source[cursor] == "+") ? source[cursor] : nil
                if leftSign != nil { cursor += 1 }
                while cursor < source.count && source[cursor].isPythonSpace { cursor += 1 }
                if peek("endraw", at: cursor) {
                    cursor += 6
                    while cursor < source.count && source[cursor].isPythonSpace { cursor += 1 }
                    let rightSign = cursor < source.count && (source[cursor] == "-" || source[cursor] == "+") ? source[cursor] : nil
                    if rightSign != nil { cursor += 1 }
                    if peek("%}", at: cursor) {
                        var textEnd = start
                        if leftSign == "-" { while textEnd > position && source[textEnd - 1].isPythonSpace { textEnd -= 1 } }
                        emitText(position, textEnd)
                        position = cursor + 2
                        afterTagEnd(sign: rightSign, isBlock: true)
                        return
                    }
                }
            }
            index = start + 2
        }
        throw error("Missing end of raw directive", at: tagStart)
    }

    // MARK: - Inside a tag

    private mutating func lexTag(begin: Token.Kind, at tagStart: Int, closer: String) throws {
        emit(begin, at: tagStart)
        var brackets: [Unicode.Scalar] = []
        while true {
            while position < source.count && source[position].isPythonSpace { position += 1 }
            guard position < source.count else {
                throw error(begin == .blockBegin ? "Unexpected end of template inside a block tag" : "Unexpected end of template inside a variable tag", at: tagStart)
            }
            if brackets.isEmpty {
                for sign in ["-", "+", ""] where peek(sign + closer, at: position) {
                    if sign == "+" && begin == .variableBegin { continue }
                    emit(begin == .blockBegin ? .blockEnd : .variableEnd, at: position)
                    position += sign.count + 2
                    // `{% raw %}` keeps the text after it exactly (no trim_blocks).
                    let isRaw = begin == .blockBegin && tokens.count >= 3 && tokens[tokens.count - 2].kind == .name("raw")
                        && tokens[tokens.count - 3].kind == .blockBegin
                    if !isRaw || sign == "-" {
                        afterTagEnd(sign: sign.unicodeScalars.first, isBlock: begin == .blockBegin)
                    }
                    return
                }
            }
            let start = position
            let scalar = source[position]
            if scalar == "_" || scalar.properties.isAlphabetic {
                while position < source.count && (source[position] == "_" || source[position].properties.isAlphabetic
                                                  || ("0"..."9").contains(source[position])) {
                    position += 1
                }
                emit(.name(text(start, position)), at: start)
            } else if ("0"..."9").contains(scalar) {
                try lexNumber()
            } else if scalar == "'" || scalar == "\"" {
                try lexString(quote: scalar)
            } else {
                let two = position + 1 < source.count ? text(position, position + 2) : ""
                let op: String
                if ["//", "**", "==", "!=", "<=", ">="].contains(two) {
                    op = two
                } else if "+-*/%~<>=()[]{},.:|;!".unicodeScalars.contains(scalar) {
                    op = String(scalar)
                } else {
                    throw error("unexpected char \(String(scalar).pythonRepr)", at: position)
                }
                switch op {
                case "(": brackets.append(")")
                case "[": brackets.append("]")
                case "{": brackets.append("}")
                case ")", "]", "}":
                    guard let expected = brackets.popLast() else { throw error("unexpected '\(op)'", at: position) }
                    guard String(expected) == op else { throw error("unexpected '\(op)', expected '\(expected)'", at: position) }
                default: break
                }
                emit(.op(op), at: start)
                position += op.unicodeScalars.count
            }
        }
    }

    private func text(_ start: Int, _ end: Int) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: source[start..<end])
        return String(view)
    }

    private mutating func lexNumber() throws {
        let start = position
        func digits() { while position < source.count && (("0"..."9").contains(source[position]) || source[position] == "_") { position += 1 } }
        digits()
        var isFloat = false
        if position + 1 < source.count && source[position] == "." && ("0"..."9").contains(source[position + 1]) {
            isFloat = true
            position += 1
            digits()
        }
        if position < source.count && (source[position] == "e" || source[position] == "E") {
            var cursor = position + 1
            if cursor < source.count && (source[cursor] == "+" || source[cursor] == "-") { cursor += 1 }
            if cursor < source.count && ("0"..."9").contains(source[cursor]) {
                isFloat = true
                position = cursor
                digits()
            }
        }
        let literal = text(start, position).replacingOccurrences(of: "_", with: "")
        if !isFloat && literal.count > 1 && literal.hasPrefix("0") && literal.contains(where: { $0 != "0" }) {
            throw error("expected token 'end of print statement', got 'integer'", at: start + 1)
        }
        if isFloat, let number = Double(literal) {
            emit(.float(number), at: start)
        } else if let number = Int(literal) {
            emit(.integer(number), at: start)
        } else {
            throw error("integer literal \(literal) is out of range", at: start)
        }
    }

    /// Python's one-character string escapes: `\n` and the scalar it stands for.
    private static let pythonEscapes: [Unicode.Scalar: Unicode.Scalar] = [
        "n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", "\"": "\"", "0": "\0",
        "a": "\u{07}", "b": "\u{08}", "f": "\u{0C}", "v": "\u{0B}",
    ]

    /// A quoted string with Python's backslash escapes.
    private mutating func lexString(quote: Unicode.Scalar) throws {
        let start = position
        position += 1
        var out = String.UnicodeScalarView()
        while position < source.count {
            let scalar = source[position]
            if scalar == quote {
                position += 1
                emit(.string(String(out)), at: start)
                return
            }
            if scalar == "\\" && position + 1 < source.count {
                let next = source[position + 1]
                position += 2
                if let plain = Self.pythonEscapes[next] { out.append(plain); continue }
                switch next {
                case "\n": break
                case "x", "u", "U":
                    let width = next == "x" ? 2 : next == "u" ? 4 : 8
                    guard position + width <= source.count,
                          let code = UInt32(text(position, position + width), radix: 16),
                          let decoded = Unicode.Scalar(code) else {
                        throw error("invalid \\\(next) escape in a string", at: position - 2)
                    }
                    out.append(decoded)
                    position += width
                default:
                    out.append("\\")
                    out.append(next)
                }
                continue
            }
            out.append(scalar)
            position += 1
        }
        throw error("unexpected end of string", at: start)
    }
}

import Foundation
