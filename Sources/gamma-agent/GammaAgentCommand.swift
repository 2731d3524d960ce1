import ArgumentParser
import GammaCLI

/// `gamma-agent`: the instrumented agent, run for real or simulated in virtual time.
@main
struct GammaAgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gamma-agent",
        abstract:
            "An instrumented LLM agent: run it on a prompt, or simulate days of traffic in seconds, recorded into a Gamma log.",
        discussion: HelpText.reflow(
            """
            Every run records the agent's metrics (agent.runs.total, llm.latency_ms,
            tools.calls.total{tool}, …) and spans (agent.run, llm.call, tool.<name>) with the
            OpenTelemetry GenAI attributes, through swift-metrics and swift-distributed-tracing.

            Examples:
              gamma-agent run "What is 17 * 23?"           the offline scripted model
              gamma-agent run --model openai --base-url http://127.0.0.1:8080/v1 \\
                  --model-name qwen2.5 "How long do refunds take?"
              gamma-agent simulate --log day/              a day of the 'incidents' workload
              gamma-agent simulate --runs 500 --concurrency 4 --profile day --log small/
              gamma-agent profiles --show incidents > my.yaml   a workload file to edit

            docs/AGENT.md describes the agent, the models, workload files and the recorded names.

            Exit codes: 0 success; 1 a run that ended without an answer; 2 a file or folder
            that could not be read or written, or a bad workload file; 64 bad usage (an
            unknown option, subcommand, profile name or value).
            """),
        version: GammaVersion.text,
        subcommands: [RunCommand.self, SimulateCommand.self, ProfilesCommand.self]
    )

    init() {}

    static func main() async {
        SubcommandGuard.check(Self.self)
        await main(nil)
    }
}
