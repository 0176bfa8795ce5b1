import Foundation

/// llama2.c's tokenizer (`tokenizer.bin`, e.g. `tok512.bin` of stories260K), encoding and decoding
/// exactly as `run.c` does.
///
/// File format (little-endian): `int32 max_token_length`, then for each token `float32 score`,
/// `int32 length`, `length` bytes of piece. The file does not store the vocabulary size; this type
/// reads entries until the end of the file (pass `vocabularySize` to check the count).
///
/// Ids 0, 1 and 2 are `<unk>`, BOS and EOS. `run.c` also stops generating when the model emits BOS;
/// ``eosTokenIDs`` holds only EOS (2) and the engine handles the BOS stop.
public struct Llama2cTokenizer: Tokenizer {
    /// The file the tokenizer was read from.
    public let path: String
    /// `max_token_length` from the file header (bytes).
    public let maxTokenLength: Int
    /// Each id's piece as raw bytes.
    public let pieceBytes: [[UInt8]]
    /// Each id's merge score (higher merges first).
    public let scores: [Float]
    private let idByBytes: [[UInt8]: Int]

    public var vocabularySize: Int { pieceBytes.count }
    public var bosTokenID: Int? { 1 }
    public var eosTokenIDs: Set<Int> { [2] }

    /// Reads `tokenizer.bin` at `path`.
    /// - Parameter vocabularySize: when given, the file must hold exactly this many entries (the
    ///   model's `vocab_size`).
    /// - Throws: ``TokenizerError`` naming the file when it cannot be read or its size disagrees with
    ///   its contents (truncated entry, negative length, wrong entry count).
    public init(contentsOfFile path: String, vocabularySize: Int? = nil) throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw TokenizerError(path: path, problem: "cannot read the file (\(error.localizedDescription))")
        }
        try self.init(data: data, path: path, vocabularySize: vocabularySize)
    }

    /// Reads a `tokenizer.bin` held in memory; `path` names it in errors.
    /// - Throws: ``TokenizerError`` as ``init(contentsOfFile:vocabularySize:)``.
    public init(data: Data, path: String = "tokenizer.bin", vocabularySize: Int? = nil) throws {
        self.path = path
        let bytes = [UInt8](data)
        var offset = 0
        func readInt32(_ what: String) throws -> Int32 {
            guard offset + 4 <= bytes.count else {
                throw TokenizerError(path: path, problem: "file ends at byte \(bytes.count) inside \(what) (truncated?)")
            }
            let value = UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8
                | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
            offset += 4
            return Int32(bitPattern: value)
        }
        let maxLength = try readInt32("the max_token_length header")
        guard maxLength > 0 else {
            throw TokenizerError(path: path, problem: "max_token_length is \(maxLength); expected a positive number")
        }
        maxTokenLength = Int(maxLength)
        var pieces: [[UInt8]] = []
        var scores: [Float] = []
        while offset < bytes.count {
            let index = pieces.count
            let score = Float(bitPattern: UInt32(bitPattern: try readInt32("the score of token \(index)")))
            let length = Int(try readInt32("the length of token \(index)"))
            guard length >= 0 else {
                throw TokenizerError(path: path, problem: "token \(index) has negative length \(length)")
            }
            guard offset + length <= bytes.count else {
                throw TokenizerError(path: path, problem: "token \(index) needs \(length) bytes at offset \(offset) but the file has \(bytes.count) bytes (truncated?)")
            }
            pieces.append(Array(bytes[offset..<(offset + length)]))
            scores.append(score)
            offset += length
        }
        if let vocabularySize, vocabularySize != pieces.count {
            throw TokenizerError(path: path, problem: "holds \(pieces.count) tokens; the model's vocab_size is \(vocabularySize)")
        }
        guard pieces.count >= 3 + 256 else {
            throw TokenizerError(path: path, problem: "holds \(pieces.count) tokens; expected at least 259 (<unk>, <s>, </s> and 256 byte tokens)")
        }
        var idByBytes: [[UInt8]: Int] = [:]
        for (id, piece) in pieces.enumerated() where idByBytes[piece] == nil { idByBytes[piece] = id }
        self.pieceBytes = pieces
        self.scores = scores
        self.idByBytes = idByBytes
    }

    /// Encodes as `run.c`'s `encode(t, text, bos, eos=0, ...)`: BOS (1) when `addSpecialTokens`, a
    /// dummy-prefix `" "` token when the text is non-empty, one token per UTF-8 character (its bytes
    /// + 3 when the character is not in the vocabulary), then repeatedly the adjacent pair whose
    /// concatenation has the highest score is merged (the first such pair on ties). Text after a
    /// NUL character is ignored, as in C.
    public func encode(_ text: String, addSpecialTokens: Bool) -> [Int] {
        var utf8 = Array(text.utf8)
        if let nul = utf8.firstIndex(of: 0) { utf8.removeSubrange(nul...) }
        var tokens: [Int] = []
        if addSpecialTokens { tokens.append(1) }
        if !utf8.isEmpty, let prefix = idByBytes[[0x20]] { tokens.append(prefix) }
        var buffer: [UInt8] = []
        for (index, byte) in utf8.enumerated() {
            if byte & 0xC0 != 0x80 { buffer.removeAll(keepingCapacity: true) }
            buffer.append(byte)
            let next: UInt8 = index + 1 < utf8.count ? utf8[index + 1] : 0
            if next & 0xC0 == 0x80 && buffer.count < 4 { continue }
            if let id = idByBytes[buffer] {
                tokens.append(id)
            } else {
                for b in buffer { tokens.append(Int(b) + 3) }
            }
            buffer.removeAll(keepingCapacity: true)
        }
        return mergeGreedily(tokens)
    }

    /// `run.c`'s merge loop: while some adjacent pair's concatenation is in the vocabulary with a
    /// score above -1e10, merge the pair with the highest score (the leftmost one on ties).
    ///
    /// `run.c` rescans all pairs after every merge (quadratic); this keeps the pairs in a priority
    /// queue ordered by (score descending, position ascending) and drops stale entries when popped,
    /// which picks the same pair at every step.
    private func mergeGreedily(_ initial: [Int]) -> [Int] {
        let count = initial.count
        if count < 2 { return initial }
        var tokens = initial
        var next = Array(1...count)
        next[count - 1] = -1
        var prev = Array(-1..<(count - 1))
        var version = [Int](repeating: 0, count: count)
        var heap = BinaryHeap<PairCandidate>()
        func push(_ left: Int, _ right: Int) {
            guard let id = idByBytes[pieceBytes[tokens[left]] + pieceBytes[tokens[right]]] else { return }
            let score = scores[id]
            guard score > -1e10 else { return }
            heap.push(PairCandidate(score: score, left: left, right: right, id: id,
                                    leftVersion: version[left], rightVersion: version[right]))
        }
        for i in 0..<(count - 1) { push(i, i + 1) }
        while let top = heap.pop() {
            let left = top.left, right = top.right
            guard next[left] == right, version[left] == top.leftVersion, version[right] == top.rightVersion else { continue }
            tokens[left] = top.id
            version[left] += 1
            version[right] = -1
            let after = next[right]
            next[left] = after
            if after >= 0 { prev[after] = left }
            if prev[left] >= 0 { push(prev[left], left) }
            if after >= 0 { push(left, after) }
        }
        var result: [Int] = []
        var i = 0
        while i >= 0 {
            result.append(tokens[i])
            i = next[i]
        }
        return result
    }

    /// The bytes `run.c`'s `decode(t, previous, id)` prints for `id`: the piece, without its leading
    /// space when `previous` is BOS (1); a `<0xAB>` piece stands for the raw byte 0xAB. Empty for an
    /// id out of range.
    public func decodedBytes(for id: Int, previous: Int?) -> [UInt8] {
        guard id >= 0 && id < pieceBytes.count else { return [] }
        var piece = pieceBytes[id][...]
        if previous == 1 && piece.first == 0x20 { piece = piece.dropFirst() }
        if let byte = Self.rawByte(piece) { return [byte] }
        return Array(piece)
    }

    /// `sscanf(piece, "<0x%02hhX>", &byte) == 1`: `<0x` followed by one or two hex digits.
    private static func rawByte(_ piece: ArraySlice<UInt8>) -> UInt8? {
        let p = Array(piece)
        guard p.count >= 4, p[0] == 0x3C, p[1] == 0x30, p[2] == 0x78 else { return nil }
        func hex(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x41...0x46: return c - 0x41 + 10
            case 0x61...0x66: return c - 0x61 + 10
            default: return nil
            }
        }
        guard let high = hex(p[3]) else { return nil }
        if p.count >= 5, let low = hex(p[4]) { return high << 4 | low }
        return high
    }

    /// Decodes as `run.c` prints a sequence: each id's ``decodedBytes(for:previous:)`` given the id
    /// before it, concatenated and read as UTF-8 (invalid bytes become U+FFFD). With
    /// `skipSpecialTokens`, ids 0, 1 and 2 print nothing (they still count as the previous id).
    public func decode(_ ids: [Int], skipSpecialTokens: Bool) -> String {
        var bytes: [UInt8] = []
        var previous: Int? = nil
        for id in ids {
            if !(skipSpecialTokens && (0...2).contains(id)) {
                bytes.append(contentsOf: decodedBytes(for: id, previous: previous))
            }
            previous = id
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The piece as text (invalid UTF-8 bytes become U+FFFD), or nil when `id` is out of range.
    public func piece(for id: Int) -> String? {
        guard id >= 0 && id < pieceBytes.count else { return nil }
        return String(decoding: pieceBytes[id], as: UTF8.self)
    }

    public func id(for piece: String) -> Int? {
        idByBytes[Array(piece.utf8)]
    }

    /// The merge score of `id`, or nil when out of range.
    public func score(for id: Int) -> Float? {
        id >= 0 && id < scores.count ? scores[id] : nil
    }
}

/// A candidate merge of two adjacent tokens in ``Llama2cTokenizer``.
struct PairCandidate: HeapOrdered {
    var score: Float
    var left: Int
    var right: Int
    var id: Int
    var leftVersion: Int
    var rightVersion: Int

    /// Higher score first, then the leftmost position.
    @inline(__always)
    func before(_ other: PairCandidate) -> Bool {
        score != other.score ? score > other.score : left < other.left
    }
}

