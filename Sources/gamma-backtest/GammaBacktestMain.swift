import ArgumentParser
import GammaCLI

@main
enum GammaBacktestMain {
    static func main() { GammaBacktestCommand.main() }
}
