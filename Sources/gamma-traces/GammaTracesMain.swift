import ArgumentParser
import GammaCLI

@main
enum GammaTracesMain {
    static func main() { GammaTracesCommand.main() }
}
