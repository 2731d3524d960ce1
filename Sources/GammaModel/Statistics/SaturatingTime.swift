extension Int64 {
    /// `self + other`, held at `Int64.max` or `Int64.min` instead of overflowing: for sums of
    /// durations and times near the ends of the range, where a record's times may be anything
    /// from 0 to `Int64.max`.
    @inlinable public func saturatingAdd(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }

    /// `self - other`, held at the ends of the range instead of overflowing.
    @inlinable public func saturatingSubtract(_ other: Int64) -> Int64 {
        let (difference, overflow) = subtractingReportingOverflow(other)
        return overflow ? (other < 0 ? .max : .min) : difference
    }
}

extension Int64 {
    /// `value` rounded toward zero and held within `Int64`'s range (NaN is 0): a duration computed
    /// as a double (a quantile of durations) can reach 2^63, which `Int64(_:)` traps on.
    @inlinable public init(clamping value: Double) {
        if value.isNaN {
            self = 0
        } else if value >= 9_223_372_036_854_775_807.0 {
            self = .max
        } else if value <= -9_223_372_036_854_775_808.0 {
            self = .min
        } else {
            self = Int64(value)
        }
    }
}
