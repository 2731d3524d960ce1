/// Sorts doubles (no NaN) by their bits, least significant byte first: a fixed number of
/// passes over the values, several times faster than comparison sorting for the batches the
/// alert windows sort at each evaluation. -0 sorts before +0, which compare equal.
enum RadixSort {
    /// Below this many values, a comparison sort is faster.
    static let threshold = 256

    static func sort(_ values: inout [Double]) {
        values.withUnsafeMutableBufferPointer { sort($0) }
    }

    static func sort(_ values: UnsafeMutableBufferPointer<Double>) {
        guard values.count >= threshold else {
            var values = values
            values.sort()
            return
        }
        let n = values.count
        // The bits, mapped so that unsigned order is numeric order: negatives flipped whole,
        // positives with the sign bit set.
        var keys = [UInt64](unsafeUninitializedCapacity: n) { keys, count in
            for i in 0..<n {
                let b = values[i].bitPattern
                keys[i] = b & (1 << 63) != 0 ? ~b : b | (1 << 63)
            }
            count = n
        }
        var other = [UInt64](repeating: 0, count: n)
        keys.withUnsafeMutableBufferPointer { a in
            other.withUnsafeMutableBufferPointer { b in
                var src = a, dst = b
                // All eight byte counts in one pass.
                var counts = [Int](repeating: 0, count: 8 * 256)
                counts.withUnsafeMutableBufferPointer { counts in
                    for k in src { for p in 0..<8 { counts[p * 256 + Int((k >> (8 * UInt64(p))) & 0xFF)] += 1 } }
                    for p in 0..<8 {
                        // A byte that is the same in every value needs no pass.
                        if counts[p * 256 + Int((src[0] >> (8 * UInt64(p))) & 0xFF)] == n { continue }
                        var sum = 0
                        for d in 0..<256 {
                            let c = counts[p * 256 + d]
                            counts[p * 256 + d] = sum
                            sum += c
                        }
                        for k in src {
                            let d = p * 256 + Int((k >> (8 * UInt64(p))) & 0xFF)
                            dst[counts[d]] = k
                            counts[d] += 1
                        }
                        swap(&src, &dst)
                    }
                }
                for i in 0..<n {
                    let k = src[i]
                    values[i] = Double(bitPattern: k & (1 << 63) != 0 ? k & ~(1 << 63) : ~k)
                }
            }
        }
    }
}
