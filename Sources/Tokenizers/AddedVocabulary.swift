/// One entry of `added_tokens` in a `tokenizer.json`.
public struct AddedToken: Sendable, Hashable {
    /// The token's text.
    public var content: String
    /// Its id.
    public var id: Int
    /// Special tokens are left out by `decode(_:skipSpecialTokens: true)`.
    public var special: Bool
    /// Whitespace before the token is absorbed into it when matching.
    public var lstrip: Bool
    /// Whitespace after the token is absorbed into it when matching.
    public var rstrip: Bool
    /// The token only matches when not inside a word (no word character on either side).
    public var singleWord: Bool
    /// The token matches the normalized text (its content normalized too) rather than the raw text.
    public var normalized: Bool
}

/// The added tokens of a tokenizer and the two matchers that split them out of text before the
/// model runs (`AddedVocabulary` in the `tokenizers` library): tokens with `normalized: false` are
/// found in the raw text, the others in the normalized pieces between them.
struct AddedVocabulary: Sendable {
    let tokens: [AddedToken]
    let idByContent: [ExactString: Int]
    /// The piece each added id decodes from: its content, or for a `normalized` token the
    /// normalizer's output when that differs (as `simple_id_to_token` in `tokenizers` 0.22+).
    let pieceByID: [Int: String]
    let specialContents: Set<ExactString>
    let rawMatcher: TokenMatcher
    let normalizedMatcher: TokenMatcher

    init(tokens: [AddedToken], normalizer: Normalizer?) {
        self.tokens = tokens
        var idByContent: [ExactString: Int] = [:]
        var pieceByID: [Int: String] = [:]
        var special: Set<ExactString> = []
        for token in tokens {
            idByContent[ExactString(token.content)] = token.id
            if token.normalized, let normalizer {
                pieceByID[token.id] = String(scalars: normalizer.apply(Array(token.content.unicodeScalars)))
            } else {
                pieceByID[token.id] = token.content
            }
            if token.special { special.insert(ExactString(token.content)) }
        }
        self.idByContent = idByContent
        self.pieceByID = pieceByID
        self.specialContents = special
        // The library lists special tokens first, then the others, in file order.
        let ordered = tokens.enumerated().filter { $0.element.special } + tokens.enumerated().filter { !$0.element.special }
        var raw: [([Unicode.Scalar], Int)] = []
        var normalized: [([Unicode.Scalar], Int)] = []
        for (index, token) in ordered {
            let scalars = Array(token.content.unicodeScalars)
            if token.normalized {
                normalized.append((normalizer?.apply(scalars) ?? scalars, index))
            } else {
                raw.append((scalars, index))
            }
        }
        rawMatcher = TokenMatcher(patterns: raw)
        normalizedMatcher = TokenMatcher(patterns: normalized)
    }

    /// A piece of text, or an added token found in it.
    enum Segment {
        case text(TextPiece)
        case token(Int)
    }

    /// `find_matches`: splits `piece` around the added tokens `matcher` finds, applying the
    /// single-word, lstrip and rstrip rules. Empty text pieces are dropped.
    func split(_ piece: TextPiece, with matcher: TokenMatcher, into output: inout [Segment]) {
        let text = piece.scalars
        if text.isEmpty { return }
        if matcher.isEmpty {
            output.append(.text(piece))
            return
        }
        var startOffset = 0
        func emitText(_ range: Range<Int>) {
            if !range.isEmpty {
                output.append(.text(TextPiece(scalars: Array(text[range]), atStart: piece.atStart && range.lowerBound == 0)))
            }
        }
        for match in matcher.matches(in: text) {
            let token = tokens[match.token]
            var start = match.range.lowerBound
            var stop = match.range.upperBound
            if token.singleWord {
                let startSpace = start == 0 || !UnicodeClasses.isWord(text[start - 1])
                let stopSpace = stop == text.count || !UnicodeClasses.isWord(text[stop])
                if !startSpace || !stopSpace { continue }
            }
            if token.lstrip {
                var newStart = start
                while newStart > 0 && UnicodeClasses.isWhitespace(text[newStart - 1]) { newStart -= 1 }
                start = max(newStart, startOffset)
            }
            if token.rstrip {
                while stop < text.count && UnicodeClasses.isWhitespace(text[stop]) { stop += 1 }
            }
            start = max(start, startOffset)
            if startOffset < start { emitText(startOffset..<start) }
            output.append(.token(token.id))
            startOffset = max(stop, startOffset)
        }
        if startOffset < text.count { emitText(startOffset..<text.count) }
    }
}

/// Finds added-token contents in text, leftmost first and longest among those (Aho-Corasick
/// `LeftmostLongest`), without overlaps.
struct TokenMatcher: Sendable {
    /// Patterns (scalars, index into the token list) grouped by first scalar, longest first.
    private let byFirstScalar: [UInt32: [([Unicode.Scalar], Int)]]

    init(patterns: [([Unicode.Scalar], Int)]) {
        var groups: [UInt32: [([Unicode.Scalar], Int)]] = [:]
        for pattern in patterns where !pattern.0.isEmpty {
            groups[pattern.0[0].value, default: []].append(pattern)
        }
        for key in groups.keys {
            // Stable: equal lengths keep their order, so the first listed pattern wins.
            groups[key] = groups[key]!.enumerated().sorted {
                $0.element.0.count != $1.element.0.count ? $0.element.0.count > $1.element.0.count : $0.offset < $1.offset
            }.map(\.element)
        }
        byFirstScalar = groups
    }

    var isEmpty: Bool { byFirstScalar.isEmpty }

    func matches(in text: [Unicode.Scalar]) -> [(range: Range<Int>, token: Int)] {
        var result: [(range: Range<Int>, token: Int)] = []
        var i = 0
        let n = text.count
        outer: while i < n {
            if let candidates = byFirstScalar[text[i].value] {
                for (pattern, token) in candidates where i + pattern.count <= n {
                    var k = 1
                    while k < pattern.count && text[i + k] == pattern[k] { k += 1 }
                    if k == pattern.count {
                        result.append((i..<(i + pattern.count), token))
                        i += pattern.count
                        continue outer
                    }
                }
            }
            i += 1
        }
        return result
    }
}
