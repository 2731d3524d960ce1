import ArgumentParser
import GammaAgent
import GammaCLI

/// `gamma-agent profiles`: the built-in workloads, and any of them as a file to start from.
struct ProfilesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profiles",
        abstract: "List the built-in workload profiles, or print one as a YAML file to edit.",
        discussion: HelpText.reflow(
            """
            Examples:
              gamma-agent profiles
              gamma-agent profiles --show incidents > my-profile.yaml
              gamma-agent simulate --profile my-profile.yaml --log logs/
            """)
    )

    @Option(help: ArgumentHelp("Print this preset as a workload file.", valueName: "name")) var show: String?

    func validate() throws {
        if let show, !Workload.presets.contains(where: { $0.name == show }) {
            throw ValidationError(
                "no preset '\(show)'; presets: \(Workload.presets.map(\.name).joined(separator: ", ")).")
        }
    }

    func run() throws {

        ProcessSetup.ignoreFileSizeSignal()
        let out = Output()
        if let show, let preset = Workload.presets.first(where: { $0.name == show }) {
            out.write(preset.yaml)
            try out.finish()
            return
        }
        for preset in Workload.presets {
            let perDay = Int(
                preset.runsPerHour.enumerated().reduce(0.0) { sum, h in
                    sum + (h.element + preset.runsPerHour[(h.offset + 1) % 24]) / 2
                })
            out.line(
                "\(preset.name)\(String(repeating: " ", count: max(1, 11 - preset.name.count)))about \(perDay) runs a day. \(preset.description)"
            )
        }
        try out.finish()
    }
}
