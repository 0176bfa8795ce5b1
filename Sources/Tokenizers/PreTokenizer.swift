import Harness

/// A piece of text on its way through the pipeline.
struct TextPiece: Sendable {
    /// The piece's scalars (normalized, possibly rewritten by pre-tokenizers).
    var scalars: [Unicode.Scalar]
    /// Whether the piece starts at offset 0 of the original text (Metaspace's `prepend_scheme: first`).
    var atStart: Bool
}

/// How a `Split` pre-tokenizer treats the matched delimiters (`SplitDelimiterBehavior`).
enum SplitBehavior: String, Sendable {
    case removed = "Removed"
    case isolated = "Isolated"
    case mergedWithPrevious = "MergedWithPrevious"
    case mergedWithNext = "MergedWithNext"
    case contiguous = "Contiguous"
}

/// When a Metaspace pre-tokenizer adds its replacement character in front of a piece.
enum PrependScheme: String, Sendable {
    case always, never, first
}

/// A `tokenizer.json` pre-tokenizer: splits normalized text into the words the model encodes.
enum PreTokenizer: PipelineStage {
    case sequence([PreTokenizer])
    case byteLevel(addPrefixSpace: Bool, useRegex: Bool)
    case split(SplitPattern, SplitBehavior, invert: Bool)
    case metaspace(replacement: Unicode.Scalar, prependScheme: PrependScheme, split: Bool)
    case digits(individual: Bool)
    case whitespaceSplit

    static let field = "pre_tokenizer"
    static let sequenceKey = "pretokenizers"

    /// The pre-tokenizer types this implementation reads.
    static let supportedTypes = ["Sequence", "ByteLevel", "Split", "Metaspace", "Digits", "WhitespaceSplit"]

    static func parse(type: String, _ object: JSONObject, path: String) throws -> PreTokenizer? {
        switch type {
        case "ByteLevel":
            return .byteLevel(addPrefixSpace: (object["add_prefix_space"]?.boolValue) ?? true,
                              useRegex: (object["use_regex"]?.boolValue) ?? true)
        case "Split":
            let pattern = try JSONReader.pattern(object["pattern"], path: path, what: "Split.pattern")
            let name = try JSONReader.string(object["behavior"], path: path, what: "Split.behavior")
            guard let behavior = SplitBehavior(rawValue: name) else {
                throw TokenizerError(path: path, problem: "unknown Split behavior \"\(name)\"")
            }
            return .split(pattern, behavior, invert: (object["invert"]?.boolValue) ?? false)
        case "Metaspace":
            let options = try MetaspaceOptions(object, path: path)
            return .metaspace(replacement: options.replacement, prependScheme: options.prependScheme,
                              split: (object["split"]?.boolValue) ?? true)
        case "Digits":
            return .digits(individual: (object["individual_digits"]?.boolValue) ?? false)
        case "WhitespaceSplit":
            return .whitespaceSplit
        default: return nil
        }
    }

    /// Splits each piece further.
    func apply(_ pieces: [TextPiece]) -> [TextPiece] {
        switch self {
        case .sequence(let items):
            var current = pieces
            for item in items { current = item.apply(current) }
            return current
        case .byteLevel(let addPrefixSpace, let useRegex):
            var out: [TextPiece] = []
            for var piece in pieces {
                if addPrefixSpace && !piece.scalars.isEmpty && piece.scalars[0] != " " {
                    piece.scalars.insert(" ", at: 0)
                }
                let parts = useRegex
                    ? Self.split(piece, matches: KnownRegex.gpt2.matches(in: piece.scalars), .isolated, invert: false)
                    : [piece]
                for part in parts {
                    out.append(TextPiece(scalars: ByteLevelAlphabet.encode(part.scalars), atStart: part.atStart))
                }
            }
            return out
        case .split(let pattern, let behavior, let invert):
            return pieces.flatMap { Self.split($0, matches: pattern.matches(in: $0.scalars), behavior, invert: invert) }
        case .metaspace(let replacement, let scheme, let split):
            var out: [TextPiece] = []
            for var piece in pieces {
                for k in piece.scalars.indices where piece.scalars[k] == " " { piece.scalars[k] = replacement }
                if !piece.scalars.isEmpty && piece.scalars[0] != replacement {
                    switch scheme {
                    case .always: piece.scalars.insert(replacement, at: 0)
                    case .first: if piece.atStart { piece.scalars.insert(replacement, at: 0) }
                    case .never: break
                    }
                }
                if split {
                    let matches = piece.scalars.indices.filter { piece.scalars[$0] == replacement }.map { $0..<($0 + 1) }
                    out.append(contentsOf: Self.split(piece, matches: matches, .mergedWithNext, invert: false))
                } else if !piece.scalars.isEmpty {
                    out.append(piece)
                }
            }
            return out
        case .digits(let individual):
            return pieces.flatMap { piece in
                let matches = piece.scalars.indices.filter { UnicodeClasses.isNumber(piece.scalars[$0]) }.map { $0..<($0 + 1) }
                return Self.split(piece, matches: matches, individual ? .isolated : .contiguous, invert: false)
            }
        case .whitespaceSplit:
            return pieces.flatMap { piece in
                let matches = piece.scalars.indices.filter { UnicodeClasses.isWhitespace(piece.scalars[$0]) }.map { $0..<($0 + 1) }
                return Self.split(piece, matches: matches, .removed, invert: false)
            }
        }
    }

    /// `NormalizedString::split`: turns matches into pieces by `behavior`; empty pieces are dropped.
    static func split(_ piece: TextPiece, matches: [Range<Int>], _ behavior: SplitBehavior, invert: Bool) -> [TextPiece] {
        let text = piece.scalars
        if text.isEmpty { return [] }
        // Cover the text with (range, isMatch) spans.
        var spans: [(Range<Int>, Bool)] = []
        spans.reserveCapacity(matches.count * 2 + 1)
        var previous = 0
        for match in matches {
            if previous != match.lowerBound { spans.append((previous..<match.lowerBound, invert)) }
            spans.append((match, !invert))
            previous = match.upperBound
        }
        if previous != text.count { spans.append((previous..<text.count, invert)) }

        let kept: [Range<Int>]
        switch behavior {
        case .isolated:
            kept = spans.map(\.0)
        case .removed:
            kept = spans.filter { !$0.1 }.map(\.0)
        case .contiguous:
            kept = merging(spans) { isMatch, previousMatch in isMatch && previousMatch }
        case .mergedWithPrevious:
            kept = merging(spans) { isMatch, previousMatch in isMatch && !previousMatch }
        case .mergedWithNext:
            kept = merging(spans.reversed()) { isMatch, previousMatch in isMatch && !previousMatch }.reversed()
        }
        return kept.compactMap { range in
            range.isEmpty ? nil : TextPiece(scalars: Array(text[range]), atStart: piece.atStart && range.lowerBound == 0)
        }
    }

    /// Walks adjacent `spans` in the given order (forwards or backwards), joining a span to the range
    /// kept before it when `joins(isMatch, previousMatch)`, else keeping it as a range of its own.
    private static func merging(
        _ spans: some Collection<(Range<Int>, Bool)>, where joins: (_ isMatch: Bool, _ previousMatch: Bool) -> Bool
    ) -> [Range<Int>] {
        var kept: [Range<Int>] = []
        kept.reserveCapacity(spans.count)
        var previousMatch = false
        for (range, isMatch) in spans {
            if joins(isMatch, previousMatch), let last = kept.last {
                kept[kept.count - 1] = min(last.lowerBound, range.lowerBound)..<max(last.upperBound, range.upperBound)
            } else {
                kept.append(range)
            }
            previousMatch = isMatch
        }
        return kept
    }
}
