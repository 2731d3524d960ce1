import ArgumentParser
import GammaAgentCLI

@main
enum GammaAgentMain {
    static func main() async { await GammaAgentCommand.main() }
}
