/// Runs `body` on every element with at most `limit` calls in flight and returns the results in
/// the elements' order, whatever order they finish in. The first error cancels the rest and is thrown.
func concurrentMap<Element: Sendable, Result: Sendable>(
    _ elements: [Element], limit: Int, _ body: @escaping @Sendable (Element) async throws -> Result
) async throws -> [Result] {
    if elements.isEmpty { return [] }
    return try await withThrowingTaskGroup(of: (Int, Result).self) { group in
        var results = [Result?](repeating: nil, count: elements.count)
        var next = 0
        func submit() {
            let index = next
            let element = elements[index]
            group.addTask { (index, try await body(element)) }
            next += 1
        }
        while next < min(max(limit, 1), elements.count) { submit() }
        while let (index, result) = try await group.next() {
            results[index] = result
            if next < elements.count { submit() }
        }
        return results.map { $0! }
    }
}
