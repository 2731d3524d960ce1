import Foundation
@testable import GammaAgent
import GammaTestKit
import Testing

@Suite struct AgentToolTests {
    static func run(_ tool: some AgentTool, _ json: String) async -> Result<String, ToolError> {
        do throws(ToolError) {
            return .success(try await tool.run(ToolArguments(json: json)))
        } catch {
            return .failure(error)
        }
    }

    @Test func toolsAnswerAndFailWithAMessageForTheModel() async throws {
        let calc = CalculatorTool()
        #expect(try await Self.run(calc, #"{"expression":"(2 + 3) * sqrt(16)"}"#).get() == "20")
        #expect(try await Self.run(calc, #"{"expression":"1 / 3"}"#).get() == "0.3333333333333333")
        for bad in [#"{"expression":"1 / 0"}"#, #"{"expr":"1"}"#, #"{"expression":5}"#, "not json", "[1]"] {
            guard case .failure(let e) = await Self.run(calc, bad) else {
                Issue.record("\(bad) did not fail"); continue
            }
            #expect(e.message.contains("division by zero") || e.message.contains("malformed arguments"), "\(bad): \(e)")
        }
        let clock = ClockTool(now: { 1_795_000_000_123_000_000 })
        #expect(try await Self.run(clock, "{}").get() == "2026-11-18T11:06:40Z")
    }

    @Test func searchAndReadFileUseTheirFolders() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        Files.write(dir.file("faq.md"), Array("# FAQ\nRefunds take five days.".utf8))
        let search = SearchTool(index: try SearchIndex.load(folder: dir.path))
        #expect(try await Self.run(search, #"{"query":"refunds","limit":2}"#).get().hasPrefix("faq.md (score "))
        #expect(try await Self.run(search, #"{"query":"zebra"}"#).get() == "no document matches 'zebra'")
        guard case .failure = await Self.run(search, #"{"query":"x","limit":50}"#) else {
            Issue.record("limit 50 accepted"); return
        }
        guard case .failure = await Self.run(search, #"{"query":"x","limit":true}"#) else {
            Issue.record("limit true accepted"); return
        }
        let read = ReadFileTool(root: dir.path)
        #expect(try await Self.run(read, #"{"path":"faq.md"}"#).get().contains("five days"))
        guard case .failure(let e) = await Self.run(read, #"{"path":"../../etc/passwd"}"#) else {
            Issue.record("traversal allowed"); return
        }
        #expect(e.message.contains("'..'"))
    }

    /// The schemas the model sees are JSON objects naming their required fields.
    @Test func schemasAreValidJSON() throws {
        let tools: [any AgentTool] = [
            CalculatorTool(), ClockTool(now: { 0 }), ReadFileTool(root: "/tmp"), SearchTool(index: SearchIndex([]))
        ]
        for t in tools {
            let schema = try JSONSerialization.jsonObject(with: Data(t.parameters.utf8)) as? [String: Any]
            #expect(schema?["type"] as? String == "object", "\(t.name)")
        }
        #expect(Set(tools.map(\.name)).count == tools.count)
    }
}
