// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "ForgetBench",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "forgetbench", targets: ["forgetbench"]),
        .library(name: "NativeModel", targets: ["NativeModel"]),
        .library(name: "Tokenizers", targets: ["Tokenizers"]),
        .library(name: "Harness", targets: ["Harness"]),
        .library(name: "Metrics", targets: ["Metrics"]),
        .library(name: "Tasks", targets: ["Tasks"]),
        .library(name: "Reports", targets: ["Reports"]),
        .library(name: "Masking", targets: ["Masking"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        // OpenBLAS's CBLAS interface (Debian: libopenblas-dev). On macOS the same calls come from Accelerate.
        .systemLibrary(
            name: "COpenBLAS",
            path: "Sources/COpenBLAS",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .target(name: "Harness", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Tokenizers"),
        .target(name: "Metrics", dependencies: ["Harness"]),
        .target(name: "Tasks", dependencies: ["Harness", .product(name: "Yams", package: "Yams")]),
        .target(name: "Reports"),
        .target(name: "Masking", dependencies: ["Harness", "NativeModel", "Tokenizers"]),
        .target(
            name: "Runner",
            dependencies: ["Harness", "Tasks", "Metrics", "Reports", "NativeModel", .product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "NativeModel",
            dependencies: [
                "Harness", "Tokenizers",
                .target(name: "COpenBLAS", condition: .when(platforms: [.linux])),
            ],
            swiftSettings: [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]
        ),
        .executableTarget(
            name: "forgetbench",
            dependencies: [
                "NativeModel", "Tokenizers", "Harness", "Runner", "Tasks", "Metrics", "Masking",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "EngineBenchmarks",
            dependencies: ["NativeModel", "Harness", "Tokenizers"],
            path: "Benchmarks/EngineBenchmarks"
        ),
        .testTarget(name: "TokenizersTests", dependencies: ["Tokenizers"]),
        .testTarget(name: "NativeModelTests", dependencies: ["NativeModel", "Tokenizers", "Harness"]),
        .testTarget(name: "MetricsTests", dependencies: ["Metrics", "Harness"]),
        .testTarget(name: "TasksTests", dependencies: ["Tasks", "Harness"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports"]),
        .testTarget(name: "MaskingTests", dependencies: ["Masking", "NativeModel", "Tokenizers", "Harness"]),
        .testTarget(name: "RunnerTests", dependencies: ["Runner", "Harness", "Metrics", "Tasks", "NativeModel"]),
        // Runs the built `forgetbench` executable: exit codes, one-line errors, output files.
        .testTarget(name: "ForgetBenchCLITests", dependencies: ["forgetbench"]),
    ]
)
