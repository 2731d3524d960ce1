import ArgumentParser
import GammaCLI

@main
enum GammaReportMain {
    static func main() { GammaReportCommand.main() }
}
