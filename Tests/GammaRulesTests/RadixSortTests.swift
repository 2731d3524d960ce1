@testable import GammaRules
import GammaReplay
import GammaTestKit
import Testing

/// The radix sort against the standard library's sort, on the values alert windows meet and on
/// the bit patterns that trip up a radix sort of doubles.
@Suite struct RadixSortTests {
    @Test(arguments: [0, 1, 2, 255, 256, 257, 1000, 40_000]) func sortsAsTheStandardSortDoes(_ n: Int) {
        var rng = SplitMix64(seed: UInt64(n) + 7)
        let specials: [Double] = [
            0, -0.0, .infinity, -.infinity, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
            .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1, -1, 1e-300, -1e300
        ]
        var values: [Double] = (0..<n).map { i in
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: return specials[Int.random(in: 0..<specials.count, using: &rng)]
            case 1: return Double(Int.random(in: -3...3, using: &rng))  // many repeats
            case 2:
                return Double(
                    bitPattern: UInt64.random(in: 0...UInt64.max, using: &rng) & ~(0x7FF << 52)
                        | (UInt64(i % 2046 + 1) << 52))
            default: return Double.random(in: -1e6...1e6, using: &rng)
            }
        }
        let expected = values.sorted()
        RadixSort.sort(&values)
        #expect(values == expected)
    }

    @Test func sortsValuesThatShareBytes() {
        // Every value alike but in the lowest byte: the passes over equal bytes are skipped.
        var values = (0..<1000).map { Double(bitPattern: 0x4059_0000_0000_0000 | UInt64(999 - $0) % 256) }
        let expected = values.sorted()
        RadixSort.sort(&values)
        #expect(values == expected)
    }
}
