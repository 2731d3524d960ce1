import GammaRecorder
import Metrics
import Tracing

/// The README's recording example, compiled so it stays true. Never called: it bootstraps the
/// process-wide metrics and tracing systems, which tests must not do.
func readmeRecordingExample() throws {
    let gamma = try GammaSystem.bootstrap(logDirectory: "logs", serviceName: "my-agent")
    Counter(label: "tools.calls.total", dimensions: [("tool", "search")]).increment()
    withSpan("agent.run") { span in
        span.attributes["gen_ai.request.model"] = "scripted"
    }
    try gamma.shutdown()
}
