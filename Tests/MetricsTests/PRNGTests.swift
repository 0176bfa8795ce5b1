import Harness
import Testing
@testable import Metrics

@Suite struct PRNGTests {
    @Test func splitMix64MatchesPublishedVector() {
        // Rosetta Code, "Pseudo-random numbers/Splitmix64", seed 1234567.
        var g = SplitMix64(seed: 1234567)
        let expected: [UInt64] = [6457827717110365317, 3203168211198807973, 9817491932198370423,
                                  4593380528125082431, 16408922859458223821]
        #expect((0..<5).map { _ in g.next() } == expected)
    }

    @Test func xoshiroMatchesReferenceCodeFromState1234() throws {
        var g = try #require(Xoshiro256StarStar(rawState: [1, 2, 3, 4]))
        let expected: [UInt64] = [11520, 0, 1509978240, 1215971899390074240, 1216172134540287360,
                                  607988272756665600, 16172922978634559625, 8476171486693032832,
                                  10595114339597558777, 2904607092377533576]
        #expect((0..<10).map { _ in g.next() } == expected)
    }

    @Test func rawStateRejectsZeroAndWrongLength() {
        #expect(Xoshiro256StarStar(rawState: [0, 0, 0, 0]) == nil)
        #expect(Xoshiro256StarStar(rawState: [1, 2, 3]) == nil)
    }

    @Test func seededStreamsMatchPythonReplay() throws {
        for ref in try ReferenceFixture.shared().prng.xoshiroSeeded {
            var g = Xoshiro256StarStar(seed: UInt64(ref.seed)!)
            #expect((0..<ref.outputs.count).map { _ in String(g.next()) } == ref.outputs, "seed \(ref.seed)")
        }
    }

    @Test func boundedIntegersMatchPythonReplay() throws {
        for ref in try ReferenceFixture.shared().prng.bounded {
            var g = Xoshiro256StarStar(seed: UInt64(ref.seed)!)
            let bound = UInt64(ref.bound)!
            let got = (0..<ref.outputs.count).map { _ in String(g.nextInt(below: bound)) }
            #expect(got == ref.outputs, "seed \(ref.seed) bound \(ref.bound)")
        }
    }

    @Test func doublesMatchPythonReplay() throws {
        let ref = try ReferenceFixture.shared().prng.doubles
        var g = Xoshiro256StarStar(seed: UInt64(ref.seed)!)
        for expected in ref.outputs {
            let d = g.nextDouble()
            #expect(d == expected)
            #expect(d >= 0 && d < 1)
        }
    }

    @Test func boundedIntegersAreRoughlyUniform() {
        var g = Xoshiro256StarStar(seed: 2024)
        var counts = [Int](repeating: 0, count: 6)
        let n = 60_000
        for _ in 0..<n { counts[g.nextInt(below: 6)] += 1 }
        // Each count ~ Binomial(60000, 1/6): sd ≈ 91; allow 5 sd.
        for c in counts { #expect(abs(c - n / 6) < 460, "\(counts)") }
    }

    @Test func stateIsCodableAndResumesTheStream() throws {
        var a = Xoshiro256StarStar(seed: 5)
        _ = a.next()
        var b = Xoshiro256StarStar(rawState: a.state)!
        #expect(a.next() == b.next())
    }
}
