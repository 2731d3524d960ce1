// swift-tools-version: 6.1
// Benchmarks live in their own package so their release build stays out of the main build and CI.
import PackageDescription

let package = Package(
    name: "GammaBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Named explicitly: a path dependency is otherwise named after its folder, which differs per clone.
        .package(name: "Gamma", path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "gamma-bench",
            dependencies: [.product(name: "GammaLog", package: "Gamma")],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny"), .enableUpcomingFeature("MemberImportVisibility")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
