/// A proportion with its Wilson score interval (95%): the interval for rates estimated from a
/// random sample of fault sites.
public struct Proportion: Hashable, Sendable, Codable {
    public var successes: Int
    public var trials: Int
    public var rate: Double
    public var low: Double
    public var high: Double

    /// `successes` out of `trials`, with the Wilson score interval at z = 1.96.
    public init(_ successes: Int, of trials: Int, z: Double = 1.959_963_984_540_054) {
        self.successes = successes
        self.trials = trials
        guard trials > 0 else {
            rate = 0; low = 0; high = 1
            return
        }
        let n = Double(trials), p = Double(successes) / n
        let denominator = 1 + z * z / n
        let centre = (p + z * z / (2 * n)) / denominator
        let half = z * (p * (1 - p) / n + z * z / (4 * n * n)).squareRoot() / denominator
        rate = p
        low = max(0, centre - half)
        high = min(1, centre + half)
    }
}
