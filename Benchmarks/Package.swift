// swift-tools-version: 6.1
// Benchmarks live in their own package so their release build stays out of the main build and CI.
import PackageDescription

let package = Package(
    name: "GammaBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Named explicitly: a path dependency is otherwise named after its folder, which differs per clone.
        .package(name: "Gamma", path: ".."),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3")
    ],
    targets: [
        .executableTarget(
            name: "gamma-bench",
            dependencies: [
                .product(name: "GammaLog", package: "Gamma"),
                .product(name: "GammaModel", package: "Gamma"),
                .product(name: "GammaRecorder", package: "Gamma"),
                .product(name: "GammaTestKit", package: "Gamma"),
                .product(name: "GammaAgent", package: "Gamma"),
                .product(name: "GammaAgentRecording", package: "Gamma"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing")
            ],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny"), .enableUpcomingFeature("MemberImportVisibility")]
        )
    ],
    swiftLanguageModes: [.v6]
)
