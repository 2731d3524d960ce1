public import GammaModel
public import CoreMetrics
import Metrics
public import Tracing
import Instrumentation

/// The agent loop: a prompt, then model calls and the tool calls the model asks for, until the
/// model answers or `maxIterations` model calls were made. The conversation is its memory.
///
/// Instrumented only through swift-metrics and swift-distributed-tracing, so any backend records
/// it. Spans: `agent.run` (the root), `llm.call` per model call, `tool.<name>` per tool call,
/// with the OpenTelemetry GenAI attributes; failures get error status and an exception event.
/// Metrics: `agent.runs.total`, `agent.iterations.total`, `agent.run_duration_ms`,
/// `agent.errors.total{error}`, `llm.latency_ms{model}`, `gen_ai.client.token.usage{gen_ai.token.type}`,
/// `tools.calls.total{tool}`, `tools.execution_time_ms{tool}`, `tools.errors.total{tool,error}`.
/// Every time comes from the injected clock. The metrics factory and the tracer are the
/// bootstrapped global ones unless given (tests give their own).
public struct Agent: Sendable {
    public var model: any LanguageModel
    public var tools: [any AgentTool]
    public var clock: any EpochClock
    public var maxIterations: Int
    public var systemPrompt: String
    public var metrics: any MetricsFactory
    public var tracer: any Tracer

    public init(
        model: any LanguageModel, tools: [any AgentTool], clock: any EpochClock, maxIterations: Int = 5,
        systemPrompt: String = "You are a helpful assistant. Use the tools when they help.",
        metrics: any MetricsFactory = MetricsSystem.factory, tracer: any Tracer = InstrumentationSystem.tracer
    ) {
        self.model = model
        self.tools = tools
        self.clock = clock
        self.maxIterations = maxIterations
        self.systemPrompt = systemPrompt
        self.metrics = metrics
        self.tracer = tracer
    }

    public struct Outcome: Sendable, Equatable {
        public enum Ending: Sendable, Equatable { case answered, maxIterations, failed(String) }
        public var ending: Ending
        public var answer: String?
        public var iterations: Int
        public var toolCalls: Int
        public var toolErrors: Int
        public var messages: [ChatMessage]
        /// Why the model call failed, for a run that ended `.failed`: what a person needs to act
        /// (the server, "connection refused"), where the ending holds only the error's kind.
        public var failure: ModelError?
    }

    public func run(_ prompt: String, context: ServiceContext = .topLevel) async -> Outcome {
        let started = clock.now()
        let root = Self.startSpan(tracer, "agent.run", context: context, kind: .server, at: AgentInstant(started))
        root.attributes["agent.input"] = prompt
        root.attributes["gen_ai.operation.name"] = "invoke_agent"
        root.attributes["gen_ai.request.model"] = model.name
        Counter(label: "agent.runs.total", factory: metrics).increment()
        var messages = [ChatMessage(role: .system, content: systemPrompt), ChatMessage(role: .user, content: prompt)]
        var outcome = Outcome(
            ending: .maxIterations, answer: nil, iterations: 0, toolCalls: 0, toolErrors: 0, messages: [])
        let specs = tools.map { ToolSpec($0) }
        iterations: for iteration in 1...max(1, maxIterations) {
            outcome.iterations = iteration
            Counter(label: "agent.iterations.total", factory: metrics).increment()
            let callStart = clock.now()
            let llm = Self.startSpan(
                tracer, "llm.call", context: root.context, kind: .client, at: AgentInstant(callStart))
            llm.attributes["gen_ai.operation.name"] = "chat"
            llm.attributes["gen_ai.request.model"] = model.name
            llm.attributes["agent.iteration"] = iteration
            let reply: ModelReply
            do throws(ModelError) {
                reply = try await model.complete(messages, tools: specs)
            } catch {
                llm.recordError(error, attributes: [:], at: AgentInstant(clock.now()))
                llm.setStatus(SpanStatus(code: .error, message: error.description))
                llm.end(at: AgentInstant(clock.now()))
                Timer(
                    label: "llm.latency_ms", dimensions: [("model", model.name)], preferredDisplayUnit: .milliseconds,
                    factory: metrics
                )
                .recordNanoseconds(clock.now() - callStart)
                Counter(label: "agent.errors.total", dimensions: [("error", error.kind)], factory: metrics).increment()
                root.addEvent(
                    SpanEvent(
                        name: "model_failed", at: AgentInstant(clock.now()), attributes: ["error": .string(error.kind)])
                )
                outcome.ending = .failed(error.kind)
                outcome.failure = error
                break iterations
            }
            llm.attributes["gen_ai.response.model"] = reply.model
            llm.attributes["gen_ai.usage.input_tokens"] = reply.inputTokens
            llm.attributes["gen_ai.usage.output_tokens"] = reply.outputTokens
            llm.setStatus(SpanStatus(code: .ok))
            llm.end(at: AgentInstant(clock.now()))
            Timer(
                label: "llm.latency_ms", dimensions: [("model", model.name)], preferredDisplayUnit: .milliseconds,
                factory: metrics
            )
            .recordNanoseconds(clock.now() - callStart)
            Recorder(label: "gen_ai.client.token.usage", dimensions: [("gen_ai.token.type", "input")], factory: metrics)
                .record(reply.inputTokens)
            Recorder(
                label: "gen_ai.client.token.usage", dimensions: [("gen_ai.token.type", "output")], factory: metrics
            ).record(reply.outputTokens)
            messages.append(reply.message)
            if reply.message.toolCalls.isEmpty {
                outcome.ending = .answered
                outcome.answer = reply.message.content
                root.addEvent(SpanEvent(name: "answered", at: AgentInstant(clock.now())))
                break
            }
            for call in reply.message.toolCalls {
                let result = await runTool(call, parent: root.context, iteration: iteration)
                outcome.toolCalls += 1
                if result.failed { outcome.toolErrors += 1 }
                messages.append(ChatMessage(role: .tool, content: result.output, toolCallID: call.id))
            }
        }
        if outcome.ending == .maxIterations {
            Counter(label: "agent.errors.total", dimensions: [("error", "max_iterations")], factory: metrics)
                .increment()
        }
        switch outcome.ending {
        case .answered:
            root.attributes["agent.output"] = outcome.answer ?? ""
            root.setStatus(SpanStatus(code: .ok))
        case .maxIterations:
            root.setStatus(SpanStatus(code: .error, message: "no answer after \(maxIterations) model calls"))
        case .failed(let kind): root.setStatus(SpanStatus(code: .error, message: kind))
        }
        root.attributes["agent.iterations"] = outcome.iterations
        let ended = clock.now()
        root.end(at: AgentInstant(ended))
        Timer(label: "agent.run_duration_ms", preferredDisplayUnit: .milliseconds, factory: metrics).recordNanoseconds(
            ended - started)
        outcome.messages = messages
        return outcome
    }

    /// Starts a span on any tracer (the existential is opened here) at an instant of the clock.
    static func startSpan<T: Tracer>(
        _ tracer: T, _ name: String, context: ServiceContext, kind: SpanKind, at instant: AgentInstant
    ) -> any Tracing.Span {
        tracer.startSpan(name, context: context, ofKind: kind, at: instant)
    }

    func runTool(_ call: ToolCall, parent: ServiceContext, iteration: Int) async -> (output: String, failed: Bool) {
        let start = clock.now()
        let span = Self.startSpan(
            tracer, "tool.\(call.name)", context: parent, kind: .internal, at: AgentInstant(start))
        span.attributes["gen_ai.operation.name"] = "execute_tool"
        span.attributes["gen_ai.tool.name"] = call.name
        span.attributes["gen_ai.tool.call.id"] = call.id
        span.attributes["tool.arguments"] = call.arguments
        span.attributes["agent.iteration"] = iteration
        Counter(label: "tools.calls.total", dimensions: [("tool", call.name)], factory: metrics).increment()
        var failure: (kind: String, message: String)?
        var output = ""
        if let tool = tools.first(where: { $0.name == call.name }) {
            do throws(ToolError) {
                let arguments = try ToolArguments(json: call.arguments)
                output = try await tool.run(arguments)
            } catch {
                failure = (
                    error.kind
                        ?? (error.message.hasPrefix("malformed arguments") ? "malformed_arguments" : "tool_error"),
                    error.message
                )
            }
        } else {
            failure = ("unknown_tool", "there is no tool named '\(call.name)'")
        }
        if let failure {
            output = "error: \(failure.message)"
            span.recordError(ToolError(failure.message), attributes: [:], at: AgentInstant(clock.now()))
            span.setStatus(SpanStatus(code: .error, message: failure.kind))
            Counter(
                label: "tools.errors.total", dimensions: [("tool", call.name), ("error", failure.kind)],
                factory: metrics
            ).increment()
        } else {
            span.setStatus(SpanStatus(code: .ok))
        }
        span.end(at: AgentInstant(clock.now()))
        Timer(
            label: "tools.execution_time_ms", dimensions: [("tool", call.name)], preferredDisplayUnit: .milliseconds,
            factory: metrics
        )
        .recordNanoseconds(clock.now() - start)
        return (output, failure != nil)
    }
}
