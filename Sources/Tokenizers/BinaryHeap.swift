/// An element that knows whether it is taken out of a `BinaryHeap` before another.
protocol HeapOrdered {
    /// Whether `self` comes out of the heap before `other` (a strict order).
    func before(_ other: Self) -> Bool
}

/// A binary heap: `pop` returns the element that comes before all others. Used by the BPE merges
/// (lowest rank first) and llama2.c's merges (highest score first).
struct BinaryHeap<Element: HeapOrdered> {
    private var items: [Element] = []

    var isEmpty: Bool { items.isEmpty }

    mutating func push(_ item: Element) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child].before(items[parent]) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Element? {
        guard let first = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                var best = parent
                if left < items.count && items[left].before(items[best]) { best = left }
                if left + 1 < items.count && items[left + 1].before(items[best]) { best = left + 1 }
                if best == parent { break }
                items.swapAt(parent, best)
                parent = best
            }
        }
        return first
    }
}
