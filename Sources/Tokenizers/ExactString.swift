/// A string key compared and hashed by its exact UTF-8 bytes.
///
/// Swift's `String` equality and hashing follow canonical equivalence ("é" == "e\u{301}"), but
/// tokenizer vocabularies are byte-exact: two canonically equivalent pieces are different tokens.
struct ExactString: Hashable, Sendable {
    let value: String

    init(_ value: String) {
        var value = value
        value.makeContiguousUTF8()
        self.value = value
    }

    init(scalars: some Sequence<Unicode.Scalar>) {
        var text = ""
        text.unicodeScalars.append(contentsOf: scalars)
        self.init(text)
    }

    static func == (lhs: ExactString, rhs: ExactString) -> Bool {
        lhs.value.utf8.count == rhs.value.utf8.count && lhs.value.utf8.elementsEqual(rhs.value.utf8)
    }

    func hash(into hasher: inout Hasher) {
        let done: Void? = value.utf8.withContiguousStorageIfAvailable { buffer in
            hasher.combine(bytes: UnsafeRawBufferPointer(buffer))
        }
        if done == nil {
            for byte in value.utf8 { hasher.combine(byte) }
        }
        hasher.combine(value.utf8.count)
    }
}

extension String {
    /// A string made of exactly these scalars (no normalization).
    init(scalars: some Sequence<Unicode.Scalar>) {
        self.init()
        unicodeScalars.append(contentsOf: scalars)
    }
}
