/// A binary min-heap: the merged reader's stream heads, the trace summary's deadlines.
/// Inlinable, so that each use is specialized for its element type.
package struct MinHeap<Element: Comparable> {
    @usableFromInline package var items: [Element] = []

    @inlinable package init() {}

    @inlinable package var peek: Element? { items.first }
    @inlinable package var isEmpty: Bool { items.isEmpty }

    @inlinable package mutating func push(_ e: Element) {
        items.append(e)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[i] < items[parent] else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    /// Removes the least element (the one `peek` shows).
    @inlinable package mutating func pop() {
        guard !items.isEmpty else { return }
        items.swapAt(0, items.count - 1)
        items.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < items.count && items[l] < items[m] { m = l }
            if r < items.count && items[r] < items[m] { m = r }
            if m == i { return }
            items.swapAt(i, m)
            i = m
        }
    }
}
