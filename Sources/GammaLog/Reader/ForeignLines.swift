/// The lines of a foreign gzip file as a worker decodes them, for the consumer to take in order
/// while the worker goes on: inflating (and preparing) on one thread overlaps with using the
/// lines on another, and several foreign files are decoded at once.
///
/// Bounded: a worker that is `limit` bytes ahead of the consumer waits. ``cancel()`` (the
/// consumer is done or failed) makes the worker stop at its next push.
// @unchecked Sendable: a lock-owning box; `items`, `head`, `bytes`, `closed` and `cancelled`
// are only touched with `lock` held.
final class ForeignLines: @unchecked Sendable {
    enum Item {
        /// Whole lines, each ending in `\n`; `final`: the file's last line, which had none.
        case lines([UInt8], prepared: (any Sendable)?, final: Bool)
        case damage(LogDamage)
    }

    /// Thrown into the decoder when the consumer no longer wants the lines.
    struct Cancelled: Error {}

    private let lock = ConditionLock()
    private var items: [Item] = []
    private var head = 0
    private var bytes = 0
    private var closed = false
    private var cancelled = false
    let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Adds an item, waiting while the consumer is `limit` bytes behind.
    /// - Throws: ``Cancelled`` once the consumer has gone.
    func push(_ item: Item) throws(Cancelled) {
        var size = 0
        if case .lines(let b, _, _) = item { size = b.count }
        lock.lock()
        defer { lock.unlock() }
        while !cancelled && bytes > 0 && bytes + size > limit { lock.wait() }
        if cancelled { throw Cancelled() }
        items.append(item)
        bytes += size
        lock.broadcast()
    }

    /// No more items.
    func close() {
        lock.withLock { closed = true }
        lock.broadcast()
    }

    func cancel() {
        lock.withLock { cancelled = true }
        lock.broadcast()
    }

    /// The next item, waiting for the worker; `nil` after the last.
    func next() -> Item? {
        lock.lock()
        defer { lock.unlock() }
        while head == items.count && !closed { lock.wait() }
        guard head < items.count else { return nil }
        let item = items[head]
        items[head] = .damage(Self.taken)  // drop the bytes now
        head += 1
        if case .lines(let b, _, _) = item { bytes -= b.count }
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        }
        lock.broadcast()
        return item
    }

    private static let taken = LogDamage(kind: .unreadable, path: "", offset: 0, reason: "")
}
