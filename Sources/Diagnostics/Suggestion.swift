/// "Did you mean" suggestions for misspelled keywords.
public enum Suggestion {
    /// The choice closest to `word` by edit distance (case-insensitive), if it is close enough to
    /// be a plausible typo: at most one edit for short words, two for words of five or more.
    public static func closest(to word: String, among choices: [String]) -> String? {
        let lowered = Array(word.lowercased().utf8)
        guard !lowered.isEmpty, lowered.count <= 64 else { return nil }
        let limit = lowered.count >= 5 ? 2 : 1
        var best: (choice: String, distance: Int)?
        for choice in choices {
            let d = distance(lowered, Array(choice.lowercased().utf8))
            if d <= limit, d < (best?.distance ?? .max) { best = (choice, d) }
        }
        return best?.choice
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and
    /// transpositions of adjacent characters each cost one.
    static func distance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev2 = [Int](repeating: 0, count: b.count + 1)
        var prev = Array(0...b.count)
        var cur = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            cur[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    cur[j] = min(cur[j], prev2[j - 2] + 1)
                }
            }
            (prev2, prev, cur) = (prev, cur, prev2)
        }
        return prev[b.count]
    }
}
