/// The Pareto front of a set of points: the points that no other point beats on both axes.
///
/// A point is *dominated* when another point is at least as good on x and on y and strictly better on
/// one of them. "Better" is larger by default (both axes maximised, as for target improvement and
/// backward transfer); pass `maximizeX: false` or `maximizeY: false` for axes where smaller is better.
/// Points with a NaN or infinite coordinate are never on the front.
public enum ParetoFront {
    /// The indices of the non-dominated points, ordered by increasing x (ties by increasing y).
    /// Duplicate points are all kept (none dominates the other). O(n²), fine for leaderboards.
    public static func indices(xs: [Double], ys: [Double], maximizeX: Bool = true, maximizeY: Bool = true) -> [Int] {
        precondition(xs.count == ys.count, "xs and ys must have the same length")
        let candidates = xs.indices.filter { xs[$0].isFinite && ys[$0].isFinite }
        let sx: Double = maximizeX ? 1 : -1, sy: Double = maximizeY ? 1 : -1
        let front = candidates.filter { i in
            !candidates.contains { j in
                let (dx, dy) = (sx * (xs[j] - xs[i]), sy * (ys[j] - ys[i]))
                return dx >= 0 && dy >= 0 && (dx > 0 || dy > 0)
            }
        }
        return front.sorted { (xs[$0], ys[$0], $0) < (xs[$1], ys[$1], $1) }
    }
}
