import Harness

/// A `tokenizer.json` decoder: turns token pieces back into text (`decode_chain`, then concatenation).
enum TokenDecoder: PipelineStage {
    case sequence([TokenDecoder])
    case byteLevel
    case replace(SplitPattern, [Unicode.Scalar])
    case byteFallback
    case fuse
    case strip(content: Unicode.Scalar, start: Int, stop: Int)
    case metaspace(replacement: Unicode.Scalar, prependScheme: PrependScheme)

    static let field = "decoder"
    static let sequenceKey = "decoders"

    /// The decoder types this implementation reads.
    static let supportedTypes = ["Sequence", "ByteLevel", "Replace", "ByteFallback", "Fuse", "Strip", "Metaspace"]

    static func parse(type: String, _ object: JSONObject, path: String) throws -> TokenDecoder? {
        switch type {
        case "ByteLevel": return .byteLevel
        case "Replace":
            let pattern = try JSONReader.pattern(object["pattern"], path: path, what: "Replace.pattern")
            let content = try JSONReader.string(object["content"], path: path, what: "Replace.content")
            return .replace(pattern, Array(content.unicodeScalars))
        case "ByteFallback": return .byteFallback
        case "Fuse": return .fuse
        case "Strip":
            let content = try JSONReader.string(object["content"], path: path, what: "Strip.content")
            guard content.unicodeScalars.count == 1, let scalar = content.unicodeScalars.first else {
                throw TokenizerError(path: path, problem: "Strip.content must be one character")
            }
            return .strip(content: scalar,
                          start: try JSONReader.int(object["start"] ?? .int(0), path: path, what: "Strip.start"),
                          stop: try JSONReader.int(object["stop"] ?? .int(0), path: path, what: "Strip.stop"))
        case "Metaspace":
            let options = try MetaspaceOptions(object, path: path)
            return .metaspace(replacement: options.replacement, prependScheme: options.prependScheme)
        default: return nil
        }
    }

    /// Decodes pieces to text.
    func decode(_ tokens: [[Unicode.Scalar]]) -> String {
        String(scalars: decodeChain(tokens).joined())
    }

    func decodeChain(_ tokens: [[Unicode.Scalar]]) -> [[Unicode.Scalar]] {
        switch self {
        case .sequence(let items):
            var current = tokens
            for item in items { current = item.decodeChain(current) }
            return current
        case .byteLevel:
            var bytes: [UInt8] = []
            for token in tokens {
                let start = bytes.count
                var ok = true
                for scalar in token {
                    if let byte = ByteLevelAlphabet.byteForScalar[scalar.value] {
                        bytes.append(byte)
                    } else {
                        ok = false
                        break
                    }
                }
                if !ok {
                    bytes.removeSubrange(start...)
                    bytes.append(contentsOf: String(scalars: token).utf8)
                }
            }
            return [Array(String(decoding: bytes, as: UTF8.self).unicodeScalars)]
        case .replace(let pattern, let content):
            return tokens.map { Normalizer.replace(pattern, content).apply($0) }
        case .byteFallback:
            var out: [[Unicode.Scalar]] = []
            var pending: [UInt8] = []
            func flush() {
                if pending.isEmpty { return }
                if let text = Self.validUTF8(pending) {
                    out.append(Array(text.unicodeScalars))
                } else {
                    for _ in pending { out.append(["\u{FFFD}"]) }
                }
                pending.removeAll()
            }
            for token in tokens {
                if let byte = Self.byteValue(token) {
                    pending.append(byte)
                } else {
                    flush()
                    out.append(token)
                }
            }
            flush()
            return out
        case .fuse:
            return [Array(tokens.joined())]
        case .strip(let content, let start, let stop):
            return tokens.map { token in
                var lower = 0
                for i in 0..<min(start, token.count) {
                    if token[i] == content { lower = i + 1 } else { break }
                }
                var upper = token.count
                for i in 0..<min(stop, token.count) {
                    let index = token.count - i - 1
                    if token[index] == content { upper = index } else { break }
                }
                return upper > lower ? Array(token[lower..<upper]) : []
            }
        case .metaspace(let replacement, let scheme):
            return tokens.enumerated().map { index, token in
                var out: [Unicode.Scalar] = []
                out.reserveCapacity(token.count)
                for scalar in token {
                    if scalar == replacement {
                        if index == 0 && scheme != .never { continue }
                        out.append(" ")
                    } else {
                        out.append(scalar)
                    }
                }
                return out
            }
        }
    }

    /// The text of `bytes` if they are valid UTF-8 (Rust's `String::from_utf8`), else nil.
    static func validUTF8(_ bytes: [UInt8]) -> String? {
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var scalars: [Unicode.Scalar] = []
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): scalars.append(scalar)
            case .emptyInput: return String(scalars: scalars)
            case .error: return nil
            }
        }
    }

    /// The byte of a `<0xAB>` piece: six bytes long, `<0x` + two characters `u8::from_str_radix`
    /// accepts in base 16 (an optional `+` and hex digits) + `>`.
    static func byteValue(_ token: [Unicode.Scalar]) -> UInt8? {
        guard token.count == 6, token[0] == "<", token[1] == "0", token[2] == "x", token[5] == ">" else { return nil }
        func hex(_ c: Unicode.Scalar) -> UInt8? {
            switch c.value {
            case 0x30...0x39: return UInt8(c.value - 0x30)
            case 0x41...0x46: return UInt8(c.value - 0x41 + 10)
            case 0x61...0x66: return UInt8(c.value - 0x61 + 10)
            default: return nil
            }
        }
        if token[3] == "+" { return hex(token[4]) }
        guard let high = hex(token[3]), let low = hex(token[4]) else { return nil }
        return high << 4 | low
    }
}
