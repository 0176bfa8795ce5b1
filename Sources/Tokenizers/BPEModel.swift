import Harness

/// The BPE model of a `tokenizer.json` (`"model": {"type": "BPE", ...}`): vocabulary, ranked merges,
/// and the word-to-ids algorithm of the `tokenizers` library (`merge_word` + `merge_all`).
struct BPEModel: Sendable {
    /// Vocabulary piece for each id (nil where the vocabulary skips an id).
    let pieces: [String?]
    let vocab: [ExactString: Int]
    /// Ids of pieces that are a single Unicode scalar, for fast per-character lookup.
    let scalarIDs: [UInt32: Int32]
    /// (left id, right id) packed into 64 bits -> (rank, merged id).
    let merges: [UInt64: (rank: Int32, id: Int32)]
    let unkID: Int?
    let fuseUnk: Bool
    let byteFallback: Bool
    /// Ids of `<0x00>` ... `<0xFF>` (nil where the vocabulary lacks that byte piece).
    let byteIDs: [Int32?]
    let ignoreMerges: Bool
    let continuingSubwordPrefix: String?
    let endOfWordSuffix: String?
    private let cache = WordCache()

    static func parse(_ object: JSONObject, path: String) throws -> BPEModel {
        let vocabObject = try JSONReader.object(object["vocab"], path: path, what: "model.vocab")
        var vocab: [ExactString: Int] = [:]
        vocab.reserveCapacity(vocabObject.count)
        var maxID = -1
        for (piece, value) in vocabObject {
            let id = try JSONReader.int(value, path: path, what: "model.vocab[\(piece)]")
            guard id >= 0 else { throw TokenizerError(path: path, problem: "negative id \(id) in model.vocab") }
            vocab[ExactString(piece)] = id
            maxID = max(maxID, id)
        }
        var pieces = [String?](repeating: nil, count: maxID + 1)
        var scalarIDs: [UInt32: Int32] = [:]
        for (key, id) in vocab {
            pieces[id] = key.value
            var iterator = key.value.unicodeScalars.makeIterator()
            if let first = iterator.next(), iterator.next() == nil { scalarIDs[first.value] = Int32(id) }
        }

        let prefix = object["continuing_subword_prefix"]?.stringValue
        let mergeList = try JSONReader.array(object["merges"] ?? .array([]), path: path, what: "model.merges")
        var merges: [UInt64: (rank: Int32, id: Int32)] = [:]
        merges.reserveCapacity(mergeList.count)
        for (rank, entry) in mergeList.enumerated() {
            let left: String, right: String
            if let pair = entry.arrayValue, pair.count == 2, let a = pair[0].stringValue, let b = pair[1].stringValue {
                (left, right) = (a, b)
            } else if let line = entry.stringValue, let space = line.unicodeScalars.firstIndex(of: " ") {
                // Split on scalars: a space followed by a combining mark is one Swift Character.
                left = String(line.unicodeScalars[..<space])
                right = String(line.unicodeScalars[line.unicodeScalars.index(after: space)...])
            } else {
                throw TokenizerError(path: path, problem: "model.merges[\(rank)] is neither \"a b\" nor [a, b]")
            }
            guard let a = vocab[ExactString(left)], let b = vocab[ExactString(right)] else {
                throw TokenizerError(path: path, problem: "model.merges[\(rank)] (\(left) \(right)) uses a piece missing from the vocabulary")
            }
            var rightPart = right
            if let prefix, rightPart.unicodeScalars.starts(with: prefix.unicodeScalars) {
                rightPart = String(rightPart.unicodeScalars.dropFirst(prefix.unicodeScalars.count))
            }
            guard let merged = vocab[ExactString(left + rightPart)] else {
                throw TokenizerError(path: path, problem: "model.merges[\(rank)] (\(left) \(right)) makes a piece missing from the vocabulary")
            }
            merges[Self.key(Int32(a), Int32(b))] = (Int32(rank), Int32(merged))
        }

        var unkID: Int?
        if let unk = object["unk_token"]?.stringValue {
            unkID = vocab[ExactString(unk)]
        }
        let byteIDs: [Int32?] = (0..<256).map { byte in
            vocab[ExactString(Self.bytePiece(UInt8(byte)))].map { Int32($0) }
        }
        return BPEModel(
            pieces: pieces, vocab: vocab, scalarIDs: scalarIDs, merges: merges, unkID: unkID,
            fuseUnk: (object["fuse_unk"]?.boolValue) ?? false,
            byteFallback: (object["byte_fallback"]?.boolValue) ?? false,
            byteIDs: byteIDs,
            ignoreMerges: (object["ignore_merges"]?.boolValue) ?? false,
            continuingSubwordPrefix: prefix,
            endOfWordSuffix: object["end_of_word_suffix"]?.stringValue)
    }

    /// `<0xAB>`: the piece standing for one raw byte.
    static func bytePiece(_ byte: UInt8) -> String {
        let hex = Array("0123456789ABCDEF")
        return "<0x\(hex[Int(byte >> 4)])\(hex[Int(byte & 15)])>"
    }

    @inline(__always)
    static func key(_ a: Int32, _ b: Int32) -> UInt64 {
        (UInt64(UInt32(bitPattern: a)) << 32) | UInt64(UInt32(bitPattern: b))
    }

    /// The ids for one pre-tokenized word.
    func tokenize(_ word: [Unicode.Scalar], into output: inout [Int]) {
        if word.isEmpty { return }
        let key = ExactString(scalars: word)
        if ignoreMerges, let id = vocab[key] {
            output.append(id)
            return
        }
        if let hit = cache.get(key) {
            for id in hit { output.append(Int(id)) }
            return
        }
        let ids = mergeWord(word)
        if word.count < 256 { cache.set(key, ids) }
        for id in ids { output.append(Int(id)) }
    }

    /// `merge_word`: initial symbols (with byte fallback and unknown fusing), then all merges.
    private func mergeWord(_ word: [Unicode.Scalar]) -> [Int32] {
        var symbols: [Int32] = []
        symbols.reserveCapacity(word.count)
        var pendingUnk: Int32? = nil
        let plain = continuingSubwordPrefix == nil && endOfWordSuffix == nil
        for (index, scalar) in word.enumerated() {
            var id: Int32? = nil
            var text: String? = nil
            if plain {
                id = scalarIDs[scalar.value]
            } else {
                var s = String(scalars: CollectionOfOne(scalar))
                if index > 0, let prefix = continuingSubwordPrefix { s = prefix + s }
                if index == word.count - 1, let suffix = endOfWordSuffix { s += suffix }
                text = s
                id = vocab[ExactString(s)].map { Int32($0) }
            }
            if let id {
                if let unk = pendingUnk {
                    symbols.append(unk)
                    pendingUnk = nil
                }
                symbols.append(id)
                continue
            }
            if byteFallback {
                let bytes = text.map { Array($0.utf8) } ?? Array(UTF8.encode(scalar)!)
                if bytes.allSatisfy({ byteIDs[Int($0)] != nil }) {
                    for byte in bytes { symbols.append(byteIDs[Int(byte)]!) }
                    continue
                }
            }
            if let unkID {
                if pendingUnk != nil {
                    if !fuseUnk { symbols.append(Int32(unkID)) }
                } else {
                    pendingUnk = Int32(unkID)
                }
            }
        }
        if let unk = pendingUnk { symbols.append(unk) }
        return mergeAll(symbols)
    }

    /// `Word::merge_all`: applies merges lowest rank first (leftmost on ties) with a priority queue.
    private func mergeAll(_ initial: [Int32]) -> [Int32] {
        let count = initial.count
        if count < 2 { return initial }
        var ids = initial
        var prev = [Int](repeating: -1, count: count)
        var next = [Int](repeating: -1, count: count)
        var alive = [Bool](repeating: true, count: count)
        for i in 0..<count {
            prev[i] = i - 1
            next[i] = i + 1 < count ? i + 1 : -1
        }
        var heap = BinaryHeap<MergeCandidate>()
        for i in 0..<(count - 1) {
            if let merge = merges[Self.key(ids[i], ids[i + 1])] {
                heap.push(MergeCandidate(rank: merge.rank, position: i, newID: merge.id))
            }
        }
        while let top = heap.pop() {
            let position = top.position
            if !alive[position] { continue }
            let right = next[position]
            if right < 0 { continue }
            guard let merge = merges[Self.key(ids[position], ids[right])], merge.id == top.newID else { continue }
            ids[position] = top.newID
            alive[right] = false
            let after = next[right]
            next[position] = after
            if after >= 0 { prev[after] = position }
            let before = prev[position]
            if before >= 0, let m = merges[Self.key(ids[before], ids[position])] {
                heap.push(MergeCandidate(rank: m.rank, position: before, newID: m.id))
            }
            if after >= 0, let m = merges[Self.key(ids[position], ids[after])] {
                heap.push(MergeCandidate(rank: m.rank, position: position, newID: m.id))
            }
        }
        var result: [Int32] = []
        var i = 0
        while i >= 0 && i < count {
            result.append(ids[i])
            i = next[i]
        }
        return result
    }
}

/// A pending merge: lower rank first, then lower position.
struct MergeCandidate: HeapOrdered {
    var rank: Int32
    var position: Int
    var newID: Int32

    @inline(__always)
    func before(_ other: MergeCandidate) -> Bool {
        rank != other.rank ? rank < other.rank : position < other.position
    }
}

