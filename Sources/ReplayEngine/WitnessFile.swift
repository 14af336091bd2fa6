import Diagnostics

/// A witness schedule file: the choices of one execution the explorer found, which
/// `replay --schedule witness:FILE` replays deterministically (docs/explore.md).
///
/// Text, one `key: value` per line, `#` comments: `choices:` (required; ``ChoiceVector/spelling``)
/// and, for the reader's information, `trace:`, `policy:`, `platform:`, `outcome:`.
public enum WitnessFile {
    /// The file for `witness`, found exploring `trace` under `policy` and `platform`.
    public static func render(_ witness: Witness, trace: String, policy: String, platform: String) -> String {
        let place = [witness.region.map { name in witness.offset.map { "\(name)+0x\(String($0, radix: 16))" } ?? name }].compactMap { $0 }
        return """
            # mmio-replay witness: one execution the explorer found that gives '\(witness.outcome)'
            # (\(([witness.agent] + place).joined(separator: " ")); \(witness.deviations) choice(s) different from the \(witness.baseline) execution).
            # Replay it: mmio-replay replay \(trace) --policy \(policy) --platform \(platform) --schedule witness:THIS-FILE
            trace: \(trace)
            policy: \(policy)
            platform: \(platform)
            outcome: \(witness.outcome)
            choices: \(witness.choices.spelling)

            """
    }

    /// The choices of a witness file.
    /// - Throws: ``InputError`` at the offending line when `choices:` is missing or malformed.
    public static func parse(_ text: String, file: String) throws(InputError) -> ChoiceVector {
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            guard line.hasPrefix("choices:") else { continue }
            let value = line.dropFirst("choices:".count).drop { $0 == " " }
            guard let vector = ChoiceVector(spelling: value.trimmingSuffix { $0 == " " || $0 == "\r" }) else {
                throw InputError(SourceLocation(file: file, line: lineNumber, column: line.count - value.count + 1),
                                 expected: "choices as 0s and 1s, then optionally /0 or /1 and @FROM-TO", found: String(value))
            }
            return vector
        }
        throw InputError(SourceLocation(file: file, line: max(lineNumber, 1), column: 1), expected: "a 'choices:' line", found: "none")
    }
}

extension Substring {
    fileprivate func trimmingSuffix(while predicate: (Character) -> Bool) -> Substring {
        var end = endIndex
        while end > startIndex, predicate(self[index(before: end)]) { end = index(before: end) }
        return self[startIndex..<end]
    }
}
