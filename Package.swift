// swift-tools-version: 6.1
import PackageDescription

/// Strictness for every Swift target, in one place (as swift-log does).
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault")
]

let package = Package(
    name: "Gamma",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "GammaLog", targets: ["GammaLog"]),
        .library(name: "GammaModel", targets: ["GammaModel"]),
        .library(name: "GammaRecorder", targets: ["GammaRecorder"]),
        .library(name: "GammaReplay", targets: ["GammaReplay"]),
        .library(name: "GammaTestKit", targets: ["GammaTestKit"]),
        .library(name: "GammaConfig", targets: ["GammaConfig"]),
        .library(name: "GammaAgent", targets: ["GammaAgent"]),
        .library(name: "GammaAgentRecording", targets: ["GammaAgentRecording"]),
        .library(name: "GammaRules", targets: ["GammaRules"]),
        .library(name: "GammaPromQL", targets: ["GammaPromQL"]),
        .library(name: "GammaBacktest", targets: ["GammaBacktest"]),
        .library(name: "GammaLiveAlerting", targets: ["GammaLiveAlerting"]),
        .executable(name: "gamma-log", targets: ["gamma-log"]),
        .executable(name: "gamma-report", targets: ["gamma-report"]),
        .executable(name: "gamma-traces", targets: ["gamma-traces"]),
        .executable(name: "gamma-agent", targets: ["gamma-agent"]),
        .executable(name: "gamma-backtest", targets: ["gamma-backtest"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2")
    ],
    targets: [
        // zlib from Debian's zlib1g-dev, plus static inline wrappers for its init macros.
        .target(
            name: "CZlib",
            linkerSettings: [.linkedLibrary("z")]
        ),
        .target(name: "GammaLog", dependencies: ["CZlib"], swiftSettings: strictSettings),
        .target(name: "GammaModel", swiftSettings: strictSettings),
        // Configuration files (workload profiles, alert rules): YAML or JSON, with every error placed.
        .target(
            name: "GammaConfig", dependencies: [.product(name: "Yams", package: "Yams")], swiftSettings: strictSettings),
        .target(
            name: "GammaRecorder",
            dependencies: [
                "GammaLog", "GammaModel",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing")
            ],
            swiftSettings: strictSettings
        ),
        // The offline side: replay, figures and exporters. Never imports the live side.
        .target(name: "GammaReplay", dependencies: ["GammaLog", "GammaModel"], swiftSettings: strictSettings),
        // HTTP with one deadline per exchange (Foundation's URLSession), for the agent and the notifiers.
        .target(name: "GammaNet", dependencies: ["CTLS"], swiftSettings: strictSettings),
        // OpenSSL from Debian's libssl-dev, for STARTTLS, plus wrappers for its macros.
        .target(name: "CTLS"),
        // Alert rules, shared by both sides and importing neither: rule files, the rule model, the
        // evaluator and its state machine, sample stores.
        .target(name: "GammaRules", dependencies: ["GammaModel", "GammaConfig"], swiftSettings: strictSettings),
        // PromQL (the subset Gamma evaluates) and Prometheus rule files: shared by backtests and
        // live alerting, like GammaRules.
        .target(name: "GammaPromQL", dependencies: ["GammaModel", "GammaConfig"], swiftSettings: strictSettings),
        // The offline side of alerting: backtests over a log, comparison, history, exporters.
        .target(
            name: "GammaBacktest", dependencies: ["GammaRules", "GammaPromQL", "GammaLog", "GammaModel", "GammaReplay"],
            swiftSettings: strictSettings),
        // The live side of alerting: rules evaluated on a recording's metrics, and the notifiers.
        .target(
            name: "GammaLiveAlerting", dependencies: ["GammaRules", "GammaPromQL", "GammaModel", "GammaNet"],
            swiftSettings: strictSettings),
        // The instrumented agent: tools, models, the loop, and simulation on a virtual clock.
        .target(
            name: "GammaAgent",
            dependencies: [
                "GammaModel", "GammaLog", "GammaConfig", "GammaNet",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing")
            ],
            swiftSettings: strictSettings
        ),
        // For tests of code that records or reads logs: the in-memory record sink, record and line
        // fixtures, temporary folders, segment corrupters.
        .target(
            name: "GammaTestKit", dependencies: ["GammaLog", "GammaModel", "GammaRecorder"],
            swiftSettings: strictSettings),
        // What only this repository's tests need (not a product): child processes, the stub HTTP
        // server, the repository's paths.
        .target(
            name: "GammaTestSupport", dependencies: ["GammaLog", "GammaTestKit"], path: "Tests/GammaTestSupport",
            swiftSettings: strictSettings),
        // The self-contained HTML report: metrics, traces and rule timelines as inline SVG.
        .target(
            name: "GammaHTML",
            dependencies: ["GammaLog", "GammaModel", "GammaReplay", "GammaRules", "GammaBacktest"],
            swiftSettings: strictSettings
        ),
        // What the executables share: output with atomic replace, warnings and --strict, the
        // input and stream options, the progress line, terminal width.
        .target(
            name: "GammaCLI",
            dependencies: [
                "GammaLog", "GammaModel", "GammaConfig",
                .product(name: "ArgumentParser", package: "swift-argument-parser")
            ],
            swiftSettings: strictSettings
        ),
        // The agent recorded by Gamma's own backends: simulations, and live alerting wired to a recorder.
        .target(
            name: "GammaAgentRecording",
            dependencies: [
                "GammaAgent", "GammaRecorder", "GammaRules", "GammaLiveAlerting", "GammaPromQL", "GammaLog",
                "GammaModel"
            ],
            // The sample documents search and read_file see by default, installed beside the executables.
            resources: [.copy("Resources/corpus")],
            swiftSettings: strictSettings
        ),
        // Each executable is its @main command and its subcommands, over the libraries.
        .executableTarget(
            name: "gamma-agent",
            dependencies: [
                "GammaAgent", "GammaAgentRecording", "GammaRecorder", "GammaRules", "GammaLiveAlerting", "GammaPromQL",
                "GammaNet",
                "GammaCLI",
                "GammaConfig", "GammaLog", "GammaModel",
                .product(name: "ArgumentParser", package: "swift-argument-parser")
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "gamma-log",
            dependencies: [
                "GammaCLI", "GammaLog", "GammaModel", "GammaReplay",
                .product(name: "ArgumentParser", package: "swift-argument-parser")
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "gamma-report",
            dependencies: [
                "GammaCLI", "GammaLog", "GammaModel", "GammaConfig", "GammaReplay", "GammaRules", "GammaBacktest",
                "GammaPromQL",
                "GammaHTML",
                .product(name: "ArgumentParser", package: "swift-argument-parser")
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "gamma-backtest",
            dependencies: [
                "GammaCLI", "GammaLog", "GammaModel", "GammaConfig", "GammaReplay", "GammaRules", "GammaBacktest",
                "GammaPromQL",
                .product(name: "ArgumentParser", package: "swift-argument-parser")
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "gamma-traces",
            dependencies: [
                "GammaCLI", "GammaLog", "GammaModel", "GammaConfig", "GammaReplay",
                .product(name: "ArgumentParser", package: "swift-argument-parser")
            ],
            swiftSettings: strictSettings
        ),
        // A child process for the crash and multi-process tests: writes lines, acknowledges flushes.
        .executableTarget(
            name: "gamma-crash-writer",
            dependencies: ["GammaLog"],
            path: "Tests/CrashWriter",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "GammaLogTests",
            dependencies: ["GammaLog", "GammaTestKit", "CZlib"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "GammaModelTests", dependencies: ["GammaModel", "GammaTestKit"], swiftSettings: strictSettings),
        .testTarget(name: "GammaConfigTests", dependencies: ["GammaConfig"], swiftSettings: strictSettings),
        .testTarget(
            name: "GammaRulesTests",
            dependencies: ["GammaTestSupport", "GammaRules", "GammaConfig", "GammaModel", "GammaTestKit"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "GammaBacktestTests",
            dependencies: [
                "GammaPromQL",
                "GammaRules", "GammaBacktest", "GammaLiveAlerting", "GammaConfig", "GammaReplay", "GammaModel",
                "GammaLog", "GammaTestKit"
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "GammaLiveAlertingTests",
            dependencies: [
                "GammaPromQL",
                "GammaTestSupport", "GammaRules", "GammaLiveAlerting", "GammaModel", "GammaNet", "GammaTestKit"
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "GammaAgentTests",
            dependencies: [
                "GammaTestSupport",
                "GammaAgent", "GammaAgentRecording", "GammaRules", "GammaLiveAlerting", "GammaBacktest", "GammaNet",
                "GammaPromQL", "GammaRecorder", "GammaReplay", "GammaLog", "GammaModel", "GammaConfig", "GammaTestKit",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing")
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "GammaRecorderTests",
            dependencies: [
                "GammaRecorder", "GammaLog", "GammaModel", "GammaReplay", "GammaTestKit",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing")
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "GammaHTMLTests",
            dependencies: [
                "GammaHTML", "GammaRules", "GammaBacktest", "GammaReplay", "GammaLog", "GammaModel", "GammaConfig",
                "GammaTestKit", "GammaTestSupport"
            ],
            exclude: ["Golden"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "GammaPromQLTests", dependencies: ["GammaPromQL"], exclude: ["testdata"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "GammaReplayTests",
            dependencies: ["GammaReplay", "GammaLog", "GammaModel", "GammaTestKit"],
            exclude: ["Golden"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CLITests",
            dependencies: [
                "GammaTestSupport", "GammaLog", "GammaModel", "GammaTestKit", "gamma-log", "gamma-report",
                "gamma-traces", "gamma-agent", "gamma-backtest", "gamma-crash-writer"
            ],
            swiftSettings: strictSettings
        )
    ],
    swiftLanguageModes: [.v6]
)
