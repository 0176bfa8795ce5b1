import Foundation
import Tokenizers

/// Where each token of a sequence lies in a text: the text each token contributes and the offset
/// where that text begins.
///
/// Offsets count Unicode scalars (code points, as Python's `str` indexes, like OpenAI and vLLM),
/// not bytes and not Swift `Character`s. A token's text is the bytes it adds when the sequence is
/// decoded left to right (llama2.c's tokenizer: its piece, minus the dummy-prefix space after BOS);
/// special tokens (BOS, EOS) add nothing, so BOS has the text `""` and offset 0. A token whose
/// bytes begin inside a multi-byte character (byte-fallback tokens) gets the offset of that
/// character, and its text shows incomplete bytes as U+FFFD.
///
/// When decoding the tokens reproduces `text` exactly (always for llama2.c tokenizers on valid
/// UTF-8), the offsets index `text`. When it gives a prefix + `text` (a tokenizer that adds a
/// space it does not remove, GPT-2's `add_prefix_space`), the prefix counts as offset 0 and the
/// first token's text keeps it. Otherwise (a normalising tokenizer, `<unk>`) offsets index the
/// decoded text, capped at `text`'s length.
public struct TokenAlignment: Sendable, Equatable {
    /// The text each token contributes.
    public var texts: [String]
    /// The Unicode-scalar offset where each token's text begins.
    public var offsets: [Int]

    /// Aligns `tokens` with `text`, the string they encode (the prompt as the client sent it, or
    /// prompt plus generated text).
    public init(tokens: [Int], text: String, tokenizer: any Tokenizer) {
        let byteRanges = Self.byteRanges(tokens: tokens, tokenizer: tokenizer)
        let decoded = byteRanges.bytes
        let reference = Array(text.utf8)
        let bytes = decoded
        // A tokenizer that adds a prefix it does not strip when decoding (GPT-2's
        // `add_prefix_space`) decodes to that prefix + `text`: the prefix counts as position 0.
        var lead = 0
        if decoded != reference, decoded.count > reference.count, decoded.suffix(reference.count).elementsEqual(reference) {
            lead = decoded.prefix(decoded.count - reference.count).filter { $0 & 0xC0 != 0x80 }.count
        }
        // Scalar index of each byte position (floor for positions inside a character).
        var scalarAt = [Int](repeating: 0, count: bytes.count + 1)
        var scalars = 0
        for (b, byte) in bytes.enumerated() {
            if byte & 0xC0 != 0x80 { scalars += 1 }
            scalarAt[b] = max(0, scalars - 1)
        }
        scalarAt[bytes.count] = scalars
        let cap = text.unicodeScalars.count
        texts = byteRanges.ranges.map { String(decoding: bytes[$0], as: UTF8.self) }
        offsets = byteRanges.ranges.map { min(max(0, scalarAt[$0.lowerBound] - lead), cap) }
    }

    /// The bytes of the decoded sequence and each token's byte range within them.
    static func byteRanges(tokens: [Int], tokenizer: any Tokenizer) -> (bytes: [UInt8], ranges: [Range<Int>]) {
        if let llama2c = tokenizer as? Llama2cTokenizer {
            var bytes: [UInt8] = []
            var ranges: [Range<Int>] = []
            var previous: Int?
            for id in tokens {
                let start = bytes.count
                if !(0 ... 2).contains(id) { bytes += llama2c.decodedBytes(for: id, previous: previous) }
                ranges.append(start ..< bytes.count)
                previous = id
            }
            return (bytes, ranges)
        }
        // Any tokenizer: a token ends where the decoded prefix ending with it stops agreeing with
        // the whole decoded sequence (incomplete characters decode to U+FFFD and so do not agree).
        let full = Array(tokenizer.decode(tokens, skipSpecialTokens: true).utf8)
        var ranges: [Range<Int>] = []
        var end = 0
        for i in tokens.indices {
            let prefix = Array(tokenizer.decode(Array(tokens[...i]), skipSpecialTokens: true).utf8)
            var common = 0
            while common < min(prefix.count, full.count), prefix[common] == full[common] { common += 1 }
            let newEnd = max(end, common)
            ranges.append(end ..< newEnd)
            end = newEnd
        }
        return (full, ranges)
    }

    /// The text `id` would contribute right after `previous` (for naming top-log-prob alternatives).
    public static func text(of id: Int, after previous: Int?, tokenizer: any Tokenizer) -> String {
        if let llama2c = tokenizer as? Llama2cTokenizer {
            if (0 ... 2).contains(id) { return llama2c.piece(for: id) ?? "" }
            return String(decoding: llama2c.decodedBytes(for: id, previous: previous), as: UTF8.self)
        }
        guard let previous else { return tokenizer.decode([id], skipSpecialTokens: false) }
        let head = Array(tokenizer.decode([previous], skipSpecialTokens: false).utf8)
        let both = Array(tokenizer.decode([previous, id], skipSpecialTokens: false).utf8)
        var common = 0
        while common < min(head.count, both.count), head[common] == both[common] { common += 1 }
        return String(decoding: both[common...], as: UTF8.self)
    }
}
