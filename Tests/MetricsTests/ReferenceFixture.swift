import Foundation
import Testing

/// Reference values computed by scripts/reference/metrics_reference.py (numpy, scipy.stats,
/// statsmodels) and committed as Tests/Fixtures/metrics/reference.json.
struct ReferenceFixture: Decodable {
    struct Seeded: Decodable { var seed: String; var outputs: [String] }
    struct Bounded: Decodable { var seed: String; var bound: String; var outputs: [String] }
    struct Doubles: Decodable { var seed: String; var outputs: [Double] }
    struct PRNG: Decodable { var xoshiroSeeded: [Seeded]; var bounded: [Bounded]; var doubles: Doubles }
    struct Summary: Decodable {
        var name: String; var values: [Double]; var mean: Double; var sd: Double; var stderr: Double
        var lower95: Double; var upper95: Double; var lower90: Double; var upper90: Double
    }
    struct Quantile: Decodable { var p: Double; var z: Double }
    struct CDF: Decodable { var x: Double; var p: Double }
    struct Normal: Decodable { var quantile: [Quantile]; var cdf: [CDF] }
    struct Likelihood: Decodable {
        var loglikelihoods: [Double]; var tokens: [Int]; var words: [Int]; var bytes: [Int]
        var perplexity: Double; var tokenPerplexity: Double; var wordPerplexity: Double
        var bytePerplexity: Double; var bitsPerByte: Double
    }
    struct McNemar: Decodable { var b: Int; var c: Int; var p: Double }
    struct PairedBinary: Decodable {
        var name: String; var base: [Int]; var candidate: [Int]; var b: Int; var c: Int
        var baseMean: Double; var candidateMean: Double; var difference: Double; var stderr: Double
        var lower95: Double; var upper95: Double; var p: Double
    }
    struct BootMean: Decodable {
        var name: String; var values: [Double]; var resamples: Int; var seed: UInt64; var level: Double
        var estimate: Double; var lower: Double; var upper: Double; var stderr: Double; var firstReplicates: [Double]
    }
    struct BootPaired: Decodable {
        var name: String; var base: [Double]; var candidate: [Double]; var resamples: Int; var seed: UInt64
        var level: Double; var difference: Double; var lower: Double; var upper: Double; var stderr: Double; var p: Double
    }
    struct Bootstrap: Decodable { var mean: [BootMean]; var paired: [BootPaired] }
    struct Holm: Decodable { var p: [Double]; var adjusted: [Double] }
    struct Score: Decodable { var task: String; var before: Double; var after: Double }
    struct Forgetting: Decodable {
        var target: Score; var nonTarget: [Score]; var ti: Double; var tiPoints: Double
        var bwt: Double; var bwtPoints: Double; var paperTiRounded: Double; var paperBwtRounded: Double
    }

    var prng: PRNG
    var summaries: [Summary]
    var normal: Normal
    var likelihood: Likelihood
    var mcnemar: [McNemar]
    var pairedBinary: [PairedBinary]
    var bootstrap: Bootstrap
    var holm: [Holm]
    var forgetting: Forgetting

    /// Tests/Fixtures/metrics/reference.json, located from this source file.
    static let url: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()   // MetricsTests
        .deletingLastPathComponent()   // Tests
        .appendingPathComponent("Fixtures/metrics/reference.json")

    static func load() throws -> ReferenceFixture {
        let data = try Data(contentsOf: url)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(ReferenceFixture.self, from: data)
    }

    private static let cached: Result<ReferenceFixture, any Error> = Result { try load() }

    /// The fixture, read once; throws (failing the calling test, not the run) if it cannot be read.
    static func shared() throws -> ReferenceFixture { try cached.get() }
}

/// `|a - b| <= rel · max(|a|, |b|) + abs`.
func isClose(_ a: Double, _ b: Double, rel: Double = 1e-12, abs absTol: Double = 0) -> Bool {
    if a == b { return true }
    return Swift.abs(a - b) <= rel * max(Swift.abs(a), Swift.abs(b)) + absTol
}
