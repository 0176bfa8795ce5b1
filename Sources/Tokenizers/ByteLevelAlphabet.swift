/// GPT-2's reversible map between bytes and printable Unicode scalars (`bytes_to_unicode`).
///
/// Printable Latin-1 bytes map to themselves; the other 68 bytes map to U+0100 and up, in byte order.
enum ByteLevelAlphabet {
    /// The scalar standing for each byte.
    static let scalarForByte: [Unicode.Scalar] = {
        var printable = [Bool](repeating: false, count: 256)
        for b in 0x21...0x7E { printable[b] = true }
        for b in 0xA1...0xAC { printable[b] = true }
        for b in 0xAE...0xFF { printable[b] = true }
        var result = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 256
        for b in 0..<256 {
            if printable[b] {
                result[b] = Unicode.Scalar(UInt32(b))!
            } else {
                result[b] = Unicode.Scalar(next)!
                next += 1
            }
        }
        return result
    }()

    /// The byte each alphabet scalar stands for.
    static let byteForScalar: [UInt32: UInt8] = {
        var map: [UInt32: UInt8] = [:]
        for (byte, scalar) in scalarForByte.enumerated() { map[scalar.value] = UInt8(byte) }
        return map
    }()

    /// Maps text to its byte-level form: each UTF-8 byte becomes one alphabet scalar.
    static func encode(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(scalars.count)
        for scalar in scalars {
            if scalar.value < 128 {
                out.append(scalarForByte[Int(scalar.value)])
            } else {
                for byte in UTF8.encode(scalar)! { out.append(scalarForByte[Int(byte)]) }
            }
        }
        return out
    }
}
