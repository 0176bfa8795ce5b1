import Dispatch

/// Data-parallel loops over disjoint slices of raw buffers.
enum Parallel {
    /// Runs `body(i)` for `i` in `0 ..< iterations` on all cores and returns when all are done.
    /// Each iteration must write only memory no other iteration touches.
    static func forEach(_ iterations: Int, _ body: (Int) -> Void) {
        if iterations <= 1 || EngineSettings.threadCount == 1 {
            for i in 0 ..< iterations { body(i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            nonisolated(unsafe) let work = body
            DispatchQueue.concurrentPerform(iterations: iterations) { work($0) }
        }
    }
}
