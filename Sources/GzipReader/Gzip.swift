/// A gzip (RFC 1952) reader with a DEFLATE (RFC 1951) decoder, for `*.jsonl.gz` datasets.
/// Pure Swift so that it behaves the same on Linux and macOS.
public enum Gzip {
    /// Why a file could not be decompressed, in words.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Decompresses every gzip member in `data` and checks each member's CRC-32 and length.
    public static func decompress(_ data: [UInt8]) throws(Failure) -> [UInt8] {
        var output: [UInt8] = []
        var offset = 0
        repeat {
            guard data.count - offset >= 18, data[offset] == 0x1F, data[offset + 1] == 0x8B else {
                throw Failure(message: "not a gzip file (bad magic bytes at offset \(offset))")
            }
            guard data[offset + 2] == 8 else { throw Failure(message: "unsupported gzip compression method \(data[offset + 2])") }
            let flags = data[offset + 3]
            var p = offset + 10
            if flags & 0x04 != 0 { // FEXTRA
                guard p + 2 <= data.count else { throw Failure(message: "truncated gzip header") }
                p += 2 + Int(data[p]) + Int(data[p + 1]) << 8
            }
            if flags & 0x08 != 0 { while p < data.count, data[p] != 0 { p += 1 }; p += 1 } // FNAME
            if flags & 0x10 != 0 { while p < data.count, data[p] != 0 { p += 1 }; p += 1 } // FCOMMENT
            if flags & 0x02 != 0 { p += 2 } // FHCRC
            guard p < data.count else { throw Failure(message: "truncated gzip header") }
            let memberStart = output.count
            var inflater = Inflater(input: data, position: p)
            try inflater.inflate(into: &output)
            p = inflater.bytePosition
            guard p + 8 <= data.count else { throw Failure(message: "truncated gzip trailer") }
            let crc = UInt32(data[p]) | UInt32(data[p + 1]) << 8 | UInt32(data[p + 2]) << 16 | UInt32(data[p + 3]) << 24
            let size = UInt32(data[p + 4]) | UInt32(data[p + 5]) << 8 | UInt32(data[p + 6]) << 16 | UInt32(data[p + 7]) << 24
            let member = output[memberStart...]
            guard UInt32(truncatingIfNeeded: member.count) == size else { throw Failure(message: "gzip length check failed") }
            guard crc32(member) == crc else { throw Failure(message: "gzip CRC-32 check failed (corrupt file)") }
            offset = p + 8
            while offset < data.count, data[offset] == 0 { offset += 1 } // padding after the last member
        } while offset < data.count
        return output
    }

    private static let crcTable: [UInt32] = (0 ..< 256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0 ..< 8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        let table = crcTable
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}

/// A canonical Huffman code (puff.c's representation: counts per length, symbols by code).
private struct Huffman {
    var counts = [Int](repeating: 0, count: 16)
    var symbols: [Int]

    init(lengths: [Int]) throws(Gzip.Failure) {
        symbols = [Int](repeating: 0, count: lengths.count)
        for length in lengths { counts[length] += 1 }
        var left = 1
        for len in 1 ..< 16 {
            left <<= 1
            left -= counts[len]
            if left < 0 { throw Gzip.Failure(message: "invalid deflate code lengths (over-subscribed)") }
        }
        var offsets = [Int](repeating: 0, count: 16)
        for len in 1 ..< 15 { offsets[len + 1] = offsets[len] + counts[len] }
        for (symbol, length) in lengths.enumerated() where length != 0 {
            symbols[offsets[length]] = symbol
            offsets[length] += 1
        }
    }
}

private struct Inflater {
    let input: [UInt8]
    var position: Int
    var bitBuffer: UInt32 = 0
    var bitCount = 0

    init(input: [UInt8], position: Int) {
        self.input = input
        self.position = position
    }

    /// The byte after the deflate stream (remaining bits of the last byte discarded).
    var bytePosition: Int { position }

    mutating func bits(_ n: Int) throws(Gzip.Failure) -> Int {
        while bitCount < n {
            guard position < input.count else { throw Gzip.Failure(message: "truncated deflate stream") }
            bitBuffer |= UInt32(input[position]) << UInt32(bitCount)
            position += 1
            bitCount += 8
        }
        let value = Int(bitBuffer & ((1 << UInt32(n)) - 1))
        bitBuffer >>= UInt32(n)
        bitCount -= n
        return value
    }

    mutating func decode(_ h: Huffman) throws(Gzip.Failure) -> Int {
        var code = 0, first = 0, index = 0
        for len in 1 ..< 16 {
            code |= try bits(1)
            let count = h.counts[len]
            if code - count < first { return h.symbols[index + (code - first)] }
            index += count
            first += count
            first <<= 1
            code <<= 1
        }
        throw Gzip.Failure(message: "invalid deflate Huffman code")
    }

    static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    static let distExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    mutating func inflate(into out: inout [UInt8]) throws(Gzip.Failure) {
        let start = out.count
        var last = 0
        repeat {
            last = try bits(1)
            let type = try bits(2)
            switch type {
            case 0:
                bitBuffer = 0
                bitCount = 0
                guard position + 4 <= input.count else { throw Gzip.Failure(message: "truncated stored block") }
                let len = Int(input[position]) | Int(input[position + 1]) << 8
                let nlen = Int(input[position + 2]) | Int(input[position + 3]) << 8
                guard len == (~nlen & 0xFFFF) else { throw Gzip.Failure(message: "corrupt stored block length") }
                position += 4
                guard position + len <= input.count else { throw Gzip.Failure(message: "truncated stored block") }
                out.append(contentsOf: input[position ..< position + len])
                position += len
            case 1:
                var lengths = [Int](repeating: 8, count: 288)
                for i in 144 ..< 256 { lengths[i] = 9 }
                for i in 256 ..< 280 { lengths[i] = 7 }
                let lit = try Huffman(lengths: lengths)
                let dist = try Huffman(lengths: [Int](repeating: 5, count: 30))
                try codes(lit, dist, &out, start)
            case 2:
                let nlen = try bits(5) + 257
                let ndist = try bits(5) + 1
                let ncode = try bits(4) + 4
                let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
                var codeLengths = [Int](repeating: 0, count: 19)
                for i in 0 ..< ncode { codeLengths[order[i]] = try bits(3) }
                let lencode = try Huffman(lengths: codeLengths)
                var lengths = [Int]()
                lengths.reserveCapacity(nlen + ndist)
                while lengths.count < nlen + ndist {
                    let symbol = try decode(lencode)
                    switch symbol {
                    case 0 ..< 16: lengths.append(symbol)
                    case 16:
                        guard let previous = lengths.last else { throw Gzip.Failure(message: "invalid deflate repeat") }
                        lengths.append(contentsOf: repeatElement(previous, count: 3 + (try bits(2))))
                    case 17: lengths.append(contentsOf: repeatElement(0, count: 3 + (try bits(3))))
                    default: lengths.append(contentsOf: repeatElement(0, count: 11 + (try bits(7))))
                    }
                }
                guard lengths.count == nlen + ndist else { throw Gzip.Failure(message: "too many deflate code lengths") }
                let lit = try Huffman(lengths: Array(lengths[0 ..< nlen]))
                let dist = try Huffman(lengths: Array(lengths[nlen...]))
                try codes(lit, dist, &out, start)
            default:
                throw Gzip.Failure(message: "invalid deflate block type 3")
            }
        } while last == 0
    }

    private mutating func codes(_ lit: Huffman, _ dist: Huffman, _ out: inout [UInt8], _ start: Int) throws(Gzip.Failure) {
        while true {
            let symbol = try decode(lit)
            if symbol < 256 {
                out.append(UInt8(symbol))
            } else if symbol == 256 {
                return
            } else {
                let index = symbol - 257
                guard index < 29 else { throw Gzip.Failure(message: "invalid deflate length symbol") }
                let length = Self.lengthBase[index] + (try bits(Self.lengthExtra[index]))
                let dsym = try decode(dist)
                guard dsym < 30 else { throw Gzip.Failure(message: "invalid deflate distance symbol") }
                let distance = Self.distBase[dsym] + (try bits(Self.distExtra[dsym]))
                guard distance <= out.count - start else { throw Gzip.Failure(message: "deflate distance too far back") }
                let from = out.count - distance
                for k in 0 ..< length { out.append(out[from + k]) }
            }
        }
    }
}
