import ArgumentParser
import GammaCLI

@main
enum GammaLogMain {
    static func main() { GammaLogCommand.main() }
}
