/// One of `count` disjoint parts of every task's items: item `k` (in the task's order, after
/// `--limit`) belongs to shard `k mod count`. Written `i/n` with `i` from 1 to `n`.
public struct Shard: Codable, Hashable, Sendable, CustomStringConvertible {
    /// 1-based.
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) throws {
        guard count >= 1, (1 ... count).contains(index) else {
            throw RunnerError.invalid("shard \(index)/\(count) is out of range (expected i/n with 1 <= i <= n)")
        }
        self.index = index
        self.count = count
    }

    /// Parses `i/n`.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
            throw RunnerError.invalid("shard '\(text)' is not of the form i/n (for example 1/3)")
        }
        try self.init(index: i, count: n)
    }

    public var description: String { "\(index)/\(count)" }

    /// The elements of `items` that belong to this shard, in order.
    public func select<T>(_ items: [T]) -> [T] {
        items.enumerated().filter { $0.offset % count == index - 1 }.map(\.element)
    }
}
