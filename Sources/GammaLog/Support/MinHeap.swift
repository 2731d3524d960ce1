/// A binary min-heap: the merged reader's stream heads, the trace summary's deadlines.
/// Inlinable, so that each use is specialized for its element type.
package struct MinHeap<Element: Comparable> {
    @usableFromInline package var items: [Element] = []

    @inlinable package init() {}

    @inlinable package var peek: Element? { items.first }
    @inlinable package var isEmpty: Bool { items.isEmpty }

    @inlinable package mutating func push(_ e: Element) {
        // Sift up with a hole: each step moves one element instead of swapping two.
        items.append(e)
        items.withUnsafeMutableBufferPointer { h in
            var i = h.count - 1
            while i > 0 {
                let parent = (i - 1) / 2
                guard e < h[parent] else { break }
                h[i] = h[parent]
                i = parent
            }
            h[i] = e
        }
    }

    /// Removes the least element (the one `peek` shows).
    @inlinable package mutating func pop() {
        guard let last = items.popLast() else { return }
        guard !items.isEmpty else { return }
        // Sift the last element down from the root with a hole.
        items.withUnsafeMutableBufferPointer { h in
            let n = h.count
            var i = 0
            while true {
                let l = 2 * i + 1
                if l >= n { break }
                let r = l + 1
                let m = r < n && h[r] < h[l] ? r : l
                guard h[m] < last else { break }
                h[i] = h[m]
                i = m
            }
            h[i] = last
        }
    }
}
