#if canImport(Glibc)
import Glibc
#endif

/// A mergeable quantile sketch with relative error at most `alpha` (DDSketch, Masson, Rim and
/// Lee, VLDB 2019), for `--approx`.
///
/// A value x > 0 goes to bucket ⌈log_γ x⌉ with γ = (1+α)/(1−α); a bucket's value is
/// 2γ^i/(γ+1), within α of every value in it. Negative values use a mirrored store; values
/// with |x| below `minIndexable` count as zero; infinities are counted apart. Each store holds
/// at most `maxBuckets` buckets: when a value would need more, the lowest buckets are merged
/// into one, which can only make the lowest quantiles less accurate. Memory per sketch is
/// therefore bounded (about 2 × maxBuckets × 8 bytes) whatever the number of observations.
public struct DDSketch: Sendable {
    public static let alpha = 0.01
    public static let maxBuckets = 2048
    static let gamma = (1 + alpha) / (1 - alpha)
    static let logGamma = log(gamma)
    static let minIndexable = 1e-9

    private var positive = Store()
    private var negative = Store()
    public private(set) var zeroCount = 0
    private var positiveInfinity = 0
    private var negativeInfinity = 0

    public init() {}

    public var count: Int { positive.total + negative.total + zeroCount + positiveInfinity + negativeInfinity }

    /// Buckets held, both signs: bounded by 2 × ``maxBuckets``.
    public var bucketCount: Int { positive.counts.count + negative.counts.count }

    /// Adds a value; NaN is the caller's to count apart.
    public mutating func add(_ x: Double) {
        if x.isInfinite {
            if x > 0 { positiveInfinity += 1 } else { negativeInfinity += 1 }
        } else if x >= Self.minIndexable {
            positive.add(Self.index(x))
        } else if x <= -Self.minIndexable {
            negative.add(Self.index(-x))
        } else {
            zeroCount += 1
        }
    }

    public mutating func merge(_ other: DDSketch) {
        positive.merge(other.positive)
        negative.merge(other.negative)
        zeroCount += other.zeroCount
        positiveInfinity += other.positiveInfinity
        negativeInfinity += other.negativeInfinity
    }

    static func index(_ x: Double) -> Int { Int((log(x) / logGamma).rounded(.up)) }
    static func value(_ index: Int) -> Double { 2 * pow(gamma, Double(index)) / (gamma + 1) }

    /// The value of rank ⌊q·(n−1)⌋ (0-based, ascending), within `alpha` of the true one.
    public func quantile(_ q: Double) -> Double? {
        let n = count
        guard n > 0 else { return nil }
        var rank = Int((Double(n - 1) * q).rounded(.down))
        if rank < negativeInfinity { return -.infinity }
        rank -= negativeInfinity
        if rank < negative.total { return -Self.value(negative.index(ofRank: negative.total - 1 - rank)) }
        rank -= negative.total
        if rank < zeroCount { return 0 }
        rank -= zeroCount
        if rank < positive.total { return Self.value(positive.index(ofRank: rank)) }
        return .infinity
    }

    /// How many values are at most `bound` (approximate within the buckets' width).
    public func count(atMost bound: Double) -> Int {
        if bound == .infinity { return count }
        var c = negativeInfinity
        if bound < 0 {
            if bound <= -Self.minIndexable { c += negative.count(atLeast: Self.index(-bound)) }
            return c
        }
        c += negative.total + zeroCount
        if bound >= Self.minIndexable { c += positive.count(atMost: Self.index(bound)) }
        return c
    }

    /// Counts by bucket index, in a dense window `offset ..< offset + counts.count`.
    struct Store: Sendable {
        var counts: [Int] = []
        var offset = 0
        var total = 0

        mutating func add(_ index: Int, _ n: Int = 1) {
            total += n
            if counts.isEmpty {
                counts = [n]
                offset = index
                return
            }
            var i = index
            if i < offset {
                let needed = counts.count + (offset - i)
                if needed > DDSketch.maxBuckets {
                    // No room below: this value joins the lowest bucket kept.
                    let shift = min(offset - i, DDSketch.maxBuckets - counts.count)
                    if shift > 0 { counts.insert(contentsOf: repeatElement(0, count: shift), at: 0); offset -= shift }
                    i = offset
                } else {
                    counts.insert(contentsOf: repeatElement(0, count: offset - i), at: 0)
                    offset = i
                }
            } else if i >= offset + counts.count {
                let needed = i - offset + 1
                if needed > DDSketch.maxBuckets {
                    // Collapse the lowest buckets into one to make room at the top.
                    let drop = needed - DDSketch.maxBuckets
                    let folded = counts[0...min(drop, counts.count - 1)].reduce(0, +)
                    counts.removeFirst(min(drop, counts.count - 1))
                    counts[0] = folded
                    offset += drop
                }
                counts.append(contentsOf: repeatElement(0, count: i - offset + 1 - counts.count))
            }
            counts[i - offset] += n
        }

        mutating func merge(_ other: Store) {
            for (k, c) in other.counts.enumerated() where c > 0 { add(other.offset + k, c) }
        }

        func index(ofRank rank: Int) -> Int {
            var seen = 0
            for (k, c) in counts.enumerated() {
                seen += c
                if seen > rank { return offset + k }
            }
            return offset + counts.count - 1
        }

        func count(atMost index: Int) -> Int {
            var c = 0
            for (k, n) in counts.enumerated() where offset + k <= index { c += n }
            return c
        }

        func count(atLeast index: Int) -> Int {
            var c = 0
            for (k, n) in counts.enumerated() where offset + k >= index { c += n }
            return c
        }
    }
}
