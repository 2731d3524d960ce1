import Foundation
import GammaPromQL
import Testing

/// The subset's semantics, file by file, in the spirit of Prometheus' promql/promqltest/testdata:
/// selectors, functions, aggregators, operators and classic histograms, each case worked by hand.
@Suite struct ConformanceTests {
    static let directory =
        String(#filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/"))
        + "/testdata"

    @Test(arguments: ["selectors", "functions", "aggregators", "operators", "histograms"])
    func script(_ name: String) throws {
        let text = try String(contentsOfFile: Self.directory + "/\(name).test", encoding: .utf8)
        let failures = PromQLScript.run(text)
        #expect(failures.isEmpty, "\(name).test:\n\(failures.map(\.description).joined(separator: "\n"))")
        #expect(text.components(separatedBy: "\neval").count > 5)
    }
}
