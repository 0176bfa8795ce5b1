/// The members of a JSON object, in the order they were written or added.
///
/// Keys compare byte for byte: Swift's `String ==` treats canonically equivalent texts ("é" and
/// "e\u{301}") as equal, which would merge two vocabulary pieces of a tokenizer. Duplicate keys
/// are kept as written; a lookup finds the last one (as Python's `json.loads` does).
public struct JSONObject: Hashable, Sendable, RandomAccessCollection, ExpressibleByDictionaryLiteral, ExpressibleByArrayLiteral {
    public typealias Member = (key: String, value: JSONValue)
    public private(set) var pairs: [Member]

    /// An object of these members, in order.
    public init(members: [Member]) { self.pairs = members }

    /// An object of these key-value pairs, in order.
    public init(_ pairs: [(String, JSONValue)] = []) { self.pairs = pairs.map { (key: $0.0, value: $0.1) } }

    /// `[("id", .string(id)), ("object", ...)]`: an object in the order written.
    public init(arrayLiteral elements: (String, JSONValue)...) { self.init(elements) }

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        pairs = elements.map { (key: $0.0, value: $0.1) }
    }

    public var startIndex: Int { pairs.startIndex }
    public var endIndex: Int { pairs.endIndex }
    public subscript(position: Int) -> Member { pairs[position] }

    /// The keys in order.
    public var keys: [String] { pairs.map(\.key) }

    private func index(of key: String) -> Int? {
        pairs.lastIndex { $0.key.utf8.elementsEqual(key.utf8) }
    }

    /// The value of `key` (the last member with exactly these bytes). Setting a value replaces
    /// that member in place, or appends one; setting nil removes every member with the key.
    public subscript(key: String) -> JSONValue? {
        get { index(of: key).map { pairs[$0].value } }
        set {
            if let newValue {
                if let i = index(of: key) { pairs[i].value = newValue } else { pairs.append((key, newValue)) }
            } else {
                pairs.removeAll { $0.key.utf8.elementsEqual(key.utf8) }
            }
        }
    }

    /// Appends a member without looking for an earlier one with the same key.
    public mutating func append(_ key: String, _ value: JSONValue) { pairs.append((key, value)) }

    /// The members sorted by key (the order of canonical JSON).
    public var sortedByKey: [Member] { pairs.sorted { $0.key < $1.key } }

    public static func == (a: JSONObject, b: JSONObject) -> Bool {
        a.pairs.count == b.pairs.count
            && zip(a.pairs, b.pairs).allSatisfy { $0.key.utf8.elementsEqual($1.key.utf8) && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(pairs.count)
        for pair in pairs {
            hasher.combine(pair.key)
            hasher.combine(pair.value)
        }
    }
}
