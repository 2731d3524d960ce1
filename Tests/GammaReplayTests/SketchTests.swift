#if canImport(Glibc)
import Glibc
#endif
@testable import GammaReplay
import GammaModel
import GammaTestKit
import Testing

@Suite struct SketchTests {
    /// The value of rank ⌊q·(n−1)⌋ of the sorted values: what the sketch promises to be within 1% of.
    static func rankValue(_ sorted: [Double], _ q: Double) -> Double {
        sorted[Int((Double(sorted.count - 1) * q).rounded(.down))]
    }

    static func values(_ n: Int, seed: UInt64, _ make: (inout SplitMix64) -> Double) -> [Double] {
        var rng = SplitMix64(seed: seed)
        return (0..<n).map { _ in make(&rng) }
    }

    static func uniform(_ rng: inout SplitMix64) -> Double { Double(rng.next() >> 11) / Double(1 << 53) }

    @Test(arguments: ["lognormal", "negative and positive", "wide", "with zeros and infinities"])
    func quantilesAreWithinOnePercent(_ shape: String) {
        let values: [Double] = Self.values(200_000, seed: 5) { rng in
            let u = Self.uniform(&rng), v = Self.uniform(&rng)
            let normal = (-2 * log(max(u, 1e-300))).squareRoot() * cos(2 * .pi * v)
            switch shape {
            case "lognormal": return exp(3 + 1.2 * normal)
            case "negative and positive": return 50 * normal
            case "wide": return pow(10, 12 * u - 6)
            default: return u < 0.1 ? 0 : u > 0.999 ? .infinity : exp(normal)
            }
        }
        var sketch = DDSketch()
        for v in values { sketch.add(v) }
        let sorted = values.sorted()
        for q in [0, 0.001, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1] {
            let exact = Self.rankValue(sorted, q)
            let got = sketch.quantile(q)!
            if exact.isInfinite || exact == 0 { #expect(got == exact, "q \(q)"); continue }
            #expect(abs(got - exact) <= DDSketch.alpha * abs(exact) * 1.000001, "\(shape) q \(q): \(got) vs \(exact)")
        }
        #expect(sketch.count == values.count)
    }

    /// Memory does not grow with the number of observations: the buckets stay bounded.
    @Test func bucketsStayBoundedWhateverTheRange() {
        var sketch = DDSketch()
        var rng = SplitMix64(seed: 9)
        for _ in 0..<1_000_000 { sketch.add(pow(10, 600 * Self.uniform(&rng) - 300)) }
        #expect(sketch.bucketCount <= DDSketch.maxBuckets)
        // Collapsing only touches the lowest values: the upper quantiles keep their accuracy.
        let q99 = sketch.quantile(0.99)!
        #expect(q99 > 1e293 && q99 < 1e295)
    }

    @Test func mergingEqualsAddingEverything() {
        let a = Self.values(50_000, seed: 1) { Self.uniform(&$0) * 100 }
        let b = Self.values(30_000, seed: 2) { -Self.uniform(&$0) * 10 }
        var sa = DDSketch(), sb = DDSketch(), all = DDSketch()
        for v in a { sa.add(v); all.add(v) }
        for v in b { sb.add(v); all.add(v) }
        sa.merge(sb)
        for q in [0.0, 0.1, 0.5, 0.9, 1] { #expect(sa.quantile(q) == all.quantile(q)) }
        #expect(sa.count == all.count)
    }
}

@Suite struct OrderStatisticsTests {
    /// Selection puts every requested rank where a sort would, for shapes that trouble quickselect.
    @Test(arguments: ["random", "sorted", "reversed", "all equal", "few values", "organ pipe"])
    func selectedRanksEqualTheSortedValues(_ shape: String) {
        var rng = SplitMix64(seed: 77)
        for n in [1, 2, 3, 17, 100, 1000, 50_000] {
            var v: [Double] = (0..<n).map { i in
                switch shape {
                case "random": return Double(rng.next() % 1_000_000) / 7
                case "sorted": return Double(i)
                case "reversed": return Double(n - i)
                case "all equal": return 4.5
                case "few values": return Double(rng.next() % 3)
                default: return Double(min(i, n - i))
                }
            }
            let sorted = v.sorted()
            let ranks = Quantiles.ranks(n, [0, 0.001, 0.5, 0.9, 0.99, 0.999, 1])
            v.withUnsafeMutableBufferPointer { OrderStatistics.select($0, ranks: ranks) }
            for r in ranks { #expect(v[r] == sorted[r], "\(shape) n \(n) rank \(r)") }
            for q in [0, 0.001, 0.5, 0.9, 0.99, 0.999, 1] {
                #expect(v.withUnsafeBufferPointer { Quantiles.linear($0, q) } == Quantiles.linear(sorted, q))
            }
        }
    }
}
