@testable import GammaRules
import GammaTestKit
import Testing

/// Selection across sorted runs against sorting everything: runs alike and runs far apart,
/// empty runs, one long run among short ones, many one-value runs of a rising series (where the
/// guessed pivots fail and the weighted median takes over), many repeats, ±0 and infinities, at
/// every rank.
@Suite struct SortedRunsTests {
    enum Shape: CaseIterable { case alike, apart, oneLong, repeats, specials, manyTiny, rising }

    @Test(arguments: Shape.allCases, [1, 2, 3] as [UInt64]) func selectsWhatSortingGives(_ shape: Shape, _ seed: UInt64)
    {
        var rng = SplitMix64(seed: seed)
        let runCount = shape == .manyTiny || shape == .rising ? 300 : Int.random(in: 1...45, using: &rng)
        var runs: [[Double]] = (0..<runCount).map { r in
            let n: Int
            switch shape {
            case .oneLong: n = r == 0 ? 5000 : Int.random(in: 0...20, using: &rng)
            case .manyTiny: n = Int.random(in: 0...3, using: &rng)
            case .rising: n = 1
            default: n = Int.random(in: 0...400, using: &rng)
            }
            return (0..<n).map { _ in
                switch shape {
                case .alike, .oneLong, .manyTiny: return Double.random(in: 0...100, using: &rng)
                case .apart: return Double(r) * 1000 + Double.random(in: 0...10, using: &rng)  // each run above the last
                case .rising: return Double(r)
                case .repeats: return Double(Int.random(in: 0...4, using: &rng))
                case .specials:
                    return [0, -0.0, .infinity, -.infinity, 1, -1, .leastNonzeroMagnitude][
                        Int.random(in: 0..<7, using: &rng)]
                }
            }.sorted()
        }
        if shape == .apart { runs.reverse() }  // the largest values in the first run
        let all = runs.flatMap { $0 }.sorted()
        guard all.count > 1 else { return }
        let flat = runs.flatMap { $0 }
        var starts: [Int] = [], at = 0
        for r in runs { starts.append(at); at += r.count }
        flat.withUnsafeBufferPointer { buffer in
            let ks = Set(
                [0, 1, all.count / 2, all.count - 2, all.count - 1]
                    + (0..<40).map { _ in Int.random(in: 0..<(all.count - 1), using: &rng) })
            for k in ks.sorted() {
                for next in [false, true] where !next || k + 1 < all.count {
                    var live = runs.indices.map {
                        SortedRuns.Run(buffer.baseAddress!, starts[$0]..<(starts[$0] + runs[$0].count))
                    }
                    let (a, b) = SortedRuns.select(k, next: next, in: &live)
                    #expect(a == all[k] && b == all[next ? k + 1 : k], "\(shape) k=\(k) next=\(next): \(a), \(b)")
                }
            }
        }
    }
}
