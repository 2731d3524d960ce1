import Foundation
@testable import GammaAgent
import Testing

@Suite struct ScriptedModelTests {
    static let tools = [
        ToolSpec(CalculatorTool()), ToolSpec(ClockTool(now: { 0 })), ToolSpec(ReadFileTool(root: "/tmp")),
        ToolSpec(SearchTool(index: SearchIndex([])))
    ]
    static func quiet(_ seed: UInt64) -> ScriptedModel {
        var p = ScriptedModel.Profile()
        p.rateLimitRate = 0
        p.timeoutRate = 0
        p.malformedArgumentsRate = 0
        p.followUpRate = 0
        return ScriptedModel(seed: seed, profile: p)
    }
    static func ask(_ prompt: String) -> [ChatMessage] { [ChatMessage(role: .user, content: prompt)] }

    @Test(arguments: [
        ("What is (12 + 30) * 2?", "calculator", #"{"expression":"(12 + 30) * 2"}"#),
        ("What time is it?", "clock", "{}"),
        ("Summarize notes/todo.md please", "read_file", #"{"path":"notes/todo.md"}"#),
        ("How long do refunds take?", "search", #"{"query":"How long do refunds take?"}"#)
    ])
    func picksTheToolAModelWould(_ prompt: String, _ tool: String, _ arguments: String) throws {
        let reply = try Self.quiet(1).reply(to: Self.ask(prompt), tools: Self.tools)
        #expect(reply.message.toolCalls.map(\.name) == [tool] && reply.message.toolCalls[0].arguments == arguments)
        // The arguments are what the tool itself accepts.
        #expect((try? ToolArguments(json: reply.message.toolCalls[0].arguments)) != nil)
    }

    @Test func afterAToolResultItAnswers() throws {
        let first = try Self.quiet(2).reply(to: Self.ask("What is 2 + 2?"), tools: Self.tools)
        let conversation =
            Self.ask("What is 2 + 2?") + [
                first.message,
                ChatMessage(role: .tool, content: "4", toolCallID: first.message.toolCalls[0].id)
            ]
        let answer = try Self.quiet(2).reply(to: conversation, tools: Self.tools)
        #expect(answer.message.toolCalls.isEmpty && answer.message.content.contains("4"))
        #expect(answer.inputTokens > first.inputTokens && answer.outputTokens > 0 && answer.latency > 0)
    }

    @Test func theSameSeedAndConversationGiveTheSameReply() throws {
        let m = ScriptedModel(seed: 42)
        var replies: [String] = []
        for i in 0..<200 {
            let c = Self.ask("question \(i): what is \(i) * 3?")
            let a = Result { try m.reply(to: c, tools: Self.tools) },
                b = Result { try m.reply(to: c, tools: Self.tools) }
            #expect(String(describing: a) == String(describing: b))
            replies.append(String(describing: a))
        }
        let other = ScriptedModel(seed: 43)
        let differs = (0..<200).contains { i in
            String(
                describing: Result {
                    try other.reply(to: Self.ask("question \(i): what is \(i) * 3?"), tools: Self.tools)
                }) != replies[i]
        }
        #expect(differs)
    }

    /// Over many calls, failures come at the profile's rates and latency is log-normal with a tail.
    @Test func failuresAndLatencyFollowTheProfile() {
        var p = ScriptedModel.Profile()
        p.rateLimitRate = 0.05
        p.timeoutRate = 0.02
        p.malformedArgumentsRate = 0.1
        let m = ScriptedModel(seed: 7, profile: p)
        var limited = 0, timeouts = 0, malformed = 0, latencies: [Double] = []
        let n = 20_000
        for i in 0..<n {
            do throws(ModelError) {
                let r = try m.reply(to: Self.ask("search for item \(i)"), tools: Self.tools)
                latencies.append(Double(r.latency) / 1e9)
                if let call = r.message.toolCalls.first, (try? ToolArguments(json: call.arguments)) == nil {
                    malformed += 1
                }
            } catch {
                if case .rateLimited = error { limited += 1 } else if error == .timeout { timeouts += 1 }
            }
        }
        #expect(abs(Double(limited) / Double(n) - 0.05) < 0.01 && abs(Double(timeouts) / Double(n) - 0.02) < 0.006)
        #expect(abs(Double(malformed) / Double(latencies.count) - 0.1) < 0.015)
        latencies.sort()
        let median = latencies[latencies.count / 2], p99 = latencies[latencies.count * 99 / 100]
        #expect(abs(median - 0.8) < 0.08 && p99 > 4 * median)
    }
}

extension ScriptedModelTests {
    /// Prompts with quotes, backslashes and control characters still give arguments the tools accept.
    @Test func argumentsAreValidJSONWhateverThePrompt() throws {
        for prompt in [#"Find "refunds" \ returns"#, "tab\there, newline\nthere", "é 😀 \u{1}"] {
            let call = try #require(
                try Self.quiet(3).reply(to: Self.ask(prompt), tools: Self.tools).message.toolCalls.first)
            #expect(try ToolArguments(json: call.arguments).string("query") == String(prompt.prefix(120)), "\(prompt)")
        }
    }
}
