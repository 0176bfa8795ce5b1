/// Character classes as the reference libraries define them, on Unicode scalars.
///
/// - letter: general category L* (`\p{L}`)
/// - number: general category N* (`\p{N}`, also Rust's `char::is_numeric`)
/// - whitespace: the Unicode `White_Space` property (Oniguruma's `\s`, Rust's `char::is_whitespace`)
/// - word: Rust regex's Unicode `\w` (Alphabetic, marks, decimal digits, connector punctuation, join controls)
enum UnicodeClasses {
    private static let asciiTable: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 128)
        for value in 0..<128 {
            let scalar = Unicode.Scalar(UInt8(value))
            var bits: UInt8 = 0
            if (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") { bits |= 1 }
            if scalar >= "0" && scalar <= "9" { bits |= 2 }
            if value == 0x20 || (value >= 0x09 && value <= 0x0D) { bits |= 4 }
            if bits & 3 != 0 || scalar == "_" { bits |= 8 }
            table[value] = bits
        }
        return table
    }()

    @inline(__always)
    static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 128 { return asciiTable[Int(scalar.value)] & 1 != 0 }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    @inline(__always)
    static func isNumber(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 128 { return asciiTable[Int(scalar.value)] & 2 != 0 }
        switch scalar.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    @inline(__always)
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 128 { return asciiTable[Int(scalar.value)] & 4 != 0 }
        return scalar.properties.isWhitespace
    }

    static func isWord(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 128 { return asciiTable[Int(scalar.value)] & 8 != 0 }
        let properties = scalar.properties
        if properties.isAlphabetic || properties.isJoinControl { return true }
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
        default: return false
        }
    }
}
