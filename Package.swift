// swift-tools-version: 6.0
import PackageDescription

/// The engine's numeric core is compiled optimised in every configuration: its SIMD kernels
/// (`InvariantGEMM`) run hundreds of times slower unoptimised, which would make debug test runs
/// crawl. On x86-64 it targets AVX2 + FMA (Haswell and later, every AMD Zen): the kernels' fused
/// multiply-adds give the same bits with or without it, only slower.
#if arch(x86_64)
let nativeModelSettings: [SwiftSetting] = [.unsafeFlags(["-Ounchecked", "-target-cpu", "haswell"])]
#else
let nativeModelSettings: [SwiftSetting] = [.unsafeFlags(["-Ounchecked"])]
#endif

let package = Package(
    name: "ForgetBench",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "forgetbench", targets: ["forgetbench"]),
        .executable(name: "forgetbench-serve", targets: ["forgetbench-serve"]),
        .library(name: "NativeModel", targets: ["NativeModel"]),
        .library(name: "Tokenizers", targets: ["Tokenizers"]),
        .library(name: "Harness", targets: ["Harness"]),
        .library(name: "Metrics", targets: ["Metrics"]),
        .library(name: "Tasks", targets: ["Tasks"]),
        .library(name: "SQLExecution", targets: ["SQLExecution"]),
        .library(name: "Reports", targets: ["Reports"]),
        .library(name: "Masking", targets: ["Masking"]),
        .library(name: "Jinja", targets: ["Jinja"]),
        .library(name: "Sandbox", targets: ["Sandbox"]),
        .library(name: "TextEscaping", targets: ["TextEscaping"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        // The run store's response cache (SQLite; Debian: libsqlite3-dev).
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        // `forgetbench serve` only (the OpenAI backend uses Foundation's URLSession).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        // NIOCore: the server's bound port and body-size errors (already a dependency of hummingbird).
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.65.0"),
    ],
    targets: [
        // OpenBLAS's CBLAS interface (Debian: libopenblas-dev). On macOS the same calls come from Accelerate.
        .systemLibrary(
            name: "COpenBLAS",
            path: "Sources/COpenBLAS",
            providers: [.apt(["libopenblas-dev"])]
        ),
        // SHA-256 from the system's OpenSSL libcrypto (Debian: libssl-dev); CommonCrypto on macOS.
        .systemLibrary(
            name: "CLibCrypto",
            path: "Sources/CLibCrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        // Escaping as data (EscapeTable) and JSON's string escapes: the leaf that Harness's JSON,
        // Jinja's `tojson`/`escape` and Reports' HTML share. Optimised, as Jinja is (it runs inside
        // templates' hot loops).
        .target(name: "TextEscaping", swiftSettings: [.unsafeFlags(["-O"])]),
        // Harness depends on Jinja only to hand JSON to templates (JSONValue.jinjaValue).
        .target(name: "Harness", dependencies: ["Jinja", "TextEscaping", .target(name: "CLibCrypto", condition: .when(platforms: [.linux]))]),
        .target(name: "Tokenizers", dependencies: ["Harness", "Jinja"]),
        // Chat templates: a sandboxed Jinja interpreter with jinja2's semantics; only TextEscaping.
        // Optimised in every configuration, as the engine is: templates render in hot loops
        // (every training example, every chat request), and the hostile-template bounds are
        // measured in steps that must stay well under a second.
        .target(name: "Jinja", dependencies: ["TextEscaping"], swiftSettings: [.unsafeFlags(["-O"])]),
        .target(name: "Metrics", dependencies: ["Harness"]),
        // gzip + DEFLATE decoding for `*.jsonl.gz` datasets, pure Swift; no dependencies.
        .target(name: "GzipReader"),
        .target(name: "Tasks", dependencies: ["Harness", "Metrics", "Jinja", "TextEscaping", "Sandbox", "SQLExecution", "GzipReader", .product(name: "Yams", package: "Yams")]),
        // Untrusted SQL on a read-only SQLite file (text-to-SQL scoring): SQLite's C API through
        // GRDB's system-library module (libsqlite3), not GRDB itself.
        .target(name: "SQLExecution", dependencies: [.product(name: "GRDBSQLite", package: "GRDB.swift")]),
        // Untrusted programs in bubblewrap namespaces with rlimits and deadlines; no dependencies.
        .target(name: "Sandbox", dependencies: ["CSandboxSupport"]),
        // posix_spawn's GNU extensions (closefrom, chdir, setsid), which Swift's Glibc module hides.
        .target(name: "CSandboxSupport"),
        .target(name: "Reports", dependencies: ["TextEscaping"]),
        .target(name: "Masking", dependencies: ["Harness", "Metrics", "Tokenizers", "Jinja"]),
        .target(
            name: "Runner",
            dependencies: ["Harness", "Tasks", "Metrics", "Reports", "NativeModel", "Tokenizers", "Jinja", "Masking", "RunStore", "Sandbox", "OpenAIBackend",
                           .product(name: "Yams", package: "Yams")]
        ),
        // Durable model-output cache keyed by model fingerprint + request (SQLite through GRDB).
        .target(name: "RunStore", dependencies: ["Harness", .product(name: "GRDB", package: "GRDB.swift")]),
        // `forgetbench serve`: the built-in engine behind an OpenAI-compatible HTTP API.
        .target(
            name: "Server",
            dependencies: ["Harness", "NativeModel", "Tokenizers", "Jinja", .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "Hummingbird", package: "hummingbird", moduleAliases: ["Metrics": "SwiftMetrics"])]
        ),
        // A `LanguageModel` that talks to any OpenAI-compatible server (vLLM, SGLang, TGI, llama.cpp, serve).
        .target(
            name: "OpenAIBackend",
            dependencies: ["Harness"]
        ),
        .target(
            name: "NativeModel",
            dependencies: [
                "Harness", "Tokenizers",
                .target(name: "COpenBLAS", condition: .when(platforms: [.linux])),
            ],
            swiftSettings: nativeModelSettings
        ),
        // The options and the error handling that forgetbench and forgetbench-serve share.
        .target(
            name: "CommandLineSupport",
            dependencies: ["NativeModel", "Tokenizers", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // No HTTP server inside: `forgetbench serve` execs forgetbench-serve, so Hummingbird and
        // SwiftNIO stay out of this binary and of the quickstart's build.
        .executableTarget(
            name: "forgetbench",
            dependencies: [
                "CommandLineSupport", "NativeModel", "Tokenizers", "Harness", "Runner", "Tasks", "Metrics", "Masking",
                "RunStore", "OpenAIBackend", "Sandbox",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // `forgetbench serve`: the built-in engine behind an OpenAI-compatible API (Hummingbird).
        .executableTarget(
            name: "forgetbench-serve",
            dependencies: [
                // Metrics is not used here: SwiftPM renames swift-metrics' `Metrics` module (the alias
                // Server's Hummingbird dependency declares) only in a graph that holds ours too.
                "CommandLineSupport", "Server", "NativeModel", "Tokenizers", "Metrics",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),

            ]
        ),
        .executableTarget(
            name: "EngineBenchmarks",
            dependencies: ["NativeModel", "Harness", "Tokenizers"],
            path: "Benchmarks/EngineBenchmarks"
        ),
        // Chat-template rendering: conversations/s, and jinja2 in the same run.
        // Programs/s of the sandbox on MBPP's canonical solutions, by worker count.
        .executableTarget(name: "SandboxBenchmark", dependencies: ["Sandbox", "Tasks", "Harness"], path: "Benchmarks/SandboxBenchmark"),
        .executableTarget(name: "ChatTemplateBenchmark", dependencies: ["Jinja"], path: "Benchmarks/ChatTemplateBenchmark"),
        // Requests/s and tokens/s of the OpenAI backend against a fake server, by concurrency.
        .executableTarget(
            name: "OpenAIThroughput",
            dependencies: ["OpenAIBackend", "Harness",
                           .product(name: "Hummingbird", package: "hummingbird", moduleAliases: ["Metrics": "SwiftMetrics"])],
            path: "Benchmarks/OpenAIThroughput"
        ),
        // Paths to the fixtures and ../shared, scratch directories and the sandbox requirement, shared by the test targets (not a product).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        // A Hummingbird router served on a free local port: the fake OpenAI-compatible servers of the tests.
        .target(
            name: "HTTPTestSupport",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird", moduleAliases: ["Metrics": "SwiftMetrics"])],
            path: "Tests/HTTPTestSupport"
        ),
        .testTarget(name: "HarnessTests", dependencies: ["TestSupport", "Harness"]),
        .testTarget(name: "TokenizersTests", dependencies: ["Tokenizers"]),
        .testTarget(name: "TextEscapingTests", dependencies: ["TextEscaping"]),
        .testTarget(name: "JinjaTests", dependencies: ["Jinja", "Harness"], exclude: ["Fixtures"]),
        .testTarget(name: "NativeModelTests", dependencies: ["TestSupport", "NativeModel", "Tokenizers", "Harness"]),
        .testTarget(name: "MetricsTests", dependencies: ["Metrics", "Harness"]),
        .testTarget(name: "TasksTests", dependencies: ["TestSupport", "Tasks", "Harness", "SQLExecution", "Sandbox", "Metrics"]),
        .testTarget(name: "GzipReaderTests", dependencies: ["GzipReader"]),
        .testTarget(name: "SandboxTests", dependencies: ["TestSupport", "Sandbox"]),
        .testTarget(name: "ReportsTests", dependencies: ["TestSupport", "Reports"]),
        .testTarget(name: "MaskingTests", dependencies: ["TestSupport", "Masking", "Metrics", "NativeModel", "Tokenizers", "Jinja", "Harness"]),
        .testTarget(name: "RunnerTests", dependencies: ["TestSupport", "Runner", "Harness", "Metrics", "Tasks", "NativeModel", "Tokenizers", "Masking", "RunStore", "Reports", "Sandbox"]),
        .testTarget(name: "RunStoreTests", dependencies: ["TestSupport", "RunStore", "Harness"]),
        .testTarget(
            name: "ServerTests",
            dependencies: ["TestSupport", "Server", "Harness", "NativeModel", "Tokenizers", "Jinja",
                           .product(name: "Hummingbird", package: "hummingbird", moduleAliases: ["Metrics": "SwiftMetrics"]),
                           .product(name: "HummingbirdTesting", package: "hummingbird", moduleAliases: ["Metrics": "SwiftMetrics"])]
        ),
        .testTarget(
            name: "OpenAIBackendTests",
            dependencies: ["HTTPTestSupport", "OpenAIBackend", "Harness",
                           .product(name: "Hummingbird", package: "hummingbird", moduleAliases: ["Metrics": "SwiftMetrics"])]
        ),
        // Runs the built `forgetbench` executable: exit codes, one-line errors, output files.
        // A fake OpenAI-compatible server (Hummingbird) stands in for a real one in the eval tests.
        .testTarget(name: "ForgetBenchCLITests", dependencies: ["TestSupport", "HTTPTestSupport",
            "forgetbench", "NativeModel", "Tokenizers", "Harness",
            .product(name: "Hummingbird", package: "hummingbird", moduleAliases: ["Metrics": "SwiftMetrics"]),
            // The CI recipes' tests read the workflow files.
            .product(name: "Yams", package: "Yams"),
        ]),
    ]
)
