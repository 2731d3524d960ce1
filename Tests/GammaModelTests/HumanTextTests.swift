import GammaModel
import Testing

/// The one formatter of what people read: each rule of HumanText by a table of cases.
@Suite struct HumanTextTests {
    @Test(
        arguments: [
            (0, "0ns"), (850, "850ns"), (999, "999ns"), (1_000, "1µs"), (1_001, "1.00µs"), (12_500, "12.5µs"),
            (999_499, "999µs"), (999_500, "1.00ms"), (3_204_000, "3.20ms"), (452_600_000, "453ms"),
            (500_000_000, "500ms"), (999_500_000, "1.00s"), (15_000_000_000, "15s"), (19_717_000_000, "19.7s"),
            (59_960_000_000, "60.0s"), (60_000_000_000, "1m"), (125_000_000_000, "2m05s"), (3_720_000_000_000, "1h02m"),
            (86_374_070_000_000, "23h59m"), (86_400_000_000_000, "1d"), (183_600_000_000_000, "2d03h"),
            (-43_200_000_000_000, "-12h"), (-1_500, "-1.50µs")
        ] as [(Int64, String)])
    func durations(ns: Int64, text: String) {
        #expect(HumanText.duration(ns) == text)
    }

    @Test func durationsOfTheExtremesAndOfSeconds() {
        #expect(HumanText.duration(.max) == "106751d23h")
        #expect(HumanText.duration(.min).hasPrefix("-106751d"))
        #expect(HumanText.duration(seconds: 2.5) == "2.50s" && HumanText.duration(seconds: 10) == "10s")
        #expect(HumanText.duration(seconds: .infinity) == "+Inf")
    }

    @Test(
        arguments: [
            (5.2, "5.20/s"), (1.0, "1.00/s"), (1234.5, "1235/s"), (0.110, "6.60/min"), (1.0 / 60, "1.00/min"),
            (2.08e-4, "0.749/h"), (0.001, "3.60/h"), (0, "0/s"), (-0.5, "-30.0/min")
        ] as [(Double, String)])
    func rates(perSecond: Double, text: String) {
        #expect(HumanText.rate(perSecond) == text)
    }

    @Test(
        arguments: [
            (0, "0 B"), (999, "999 B"), (1_000, "1.0 kB"), (12_345, "12.3 kB"), (2_631_000, "2.6 MB"),
            (999_960_000, "1.0 GB"), (-2_048, "-2.0 kB")
        ] as [(Int64, String)])
    func sizes(bytes: Int64, text: String) {
        #expect(HumanText.bytes(bytes) == text)
    }

    /// Decimals come from the values shown together: none for whole numbers, else three
    /// significant digits at the smallest non-zero one, so a row never mixes `300` and `405.0`.
    @Test func numbersShownTogetherShareTheirDecimals() {
        #expect(HumanText.decimals(for: [85, 246.5, 300, 405.0, 591.4]) == 1)
        #expect(HumanText.decimals(for: [2154, 7088, 110458]) == 0)
        #expect(HumanText.decimals(for: [846.1, 2391, 70807]) == 0)
        #expect(HumanText.decimals(for: [0.993, 43.63, 0]) == 3)
        #expect(HumanText.decimals(for: [2.930, 0, 42.47]) == 2)
        #expect(HumanText.decimals(for: [1e-9, 0.5]) == 6)
        #expect(HumanText.decimals(for: [Double?.none, 0]) == 0)
        let row = [85, 246.5, 300, 405.0, 591.4].map { HumanText.number($0, decimals: 1) }
        #expect(row == ["85.0", "246.5", "300.0", "405.0", "591.4"])
    }

    @Test func noENotationForOrdinaryMagnitudes() {
        #expect(HumanText.number(3551.1125280815077) == "3551")
        #expect(HumanText.number(876.767524) == "877")
        #expect(HumanText.number(0.00123) == "0.00123")
        #expect(HumanText.number(123_456_789_012) == "123456789012")
        #expect(HumanText.number(2e12) == "2.00e+12")
        #expect(HumanText.number(5e-7) == "5.00e-07")
        #expect(HumanText.number(nil) == "-")
        #expect(HumanText.number(.nan) == "NaN")
        #expect(HumanText.percent(0.1235) == "12.4%")
    }
}
