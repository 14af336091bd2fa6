/// How `ResultStore.export` writes experiments.
///
/// - `csv`: a header line, then one line per experiment; fields quoted per RFC 4180 when they
///   hold a comma, a double quote or a line break; lines end with `\n`.
/// - `json`: an array with one object per line, keys sorted, the evidence embedded as JSON.
public enum ExportFormat: String, CaseIterable, Sendable {
    /// Comma-separated values with a header line.
    case csv
    /// A JSON array, one object per line.
    case json
}

/// The text of one experiment in each export format.
public enum ExportText {
    static let csvHeader =
        "id,golden,trace,policy,platform,schedule,seed,fault,kind,verdict,contained,weight,tlps,link_bytes,simulated_ns,steps,stopped_early,chain"

    static func csvLine(_ e: ExperimentRecord) -> String {
        let fields = [
            e.id, e.golden, e.trace, e.policy, e.platform, e.schedule, e.seed.map(String.init) ?? "", e.fault, e.kind,
            e.verdict.name, String(e.contained), String(e.weight), String(e.tlps), String(e.linkBytes),
            String(e.simulatedNs), String(e.steps), String(e.stoppedEarly), e.chain,
        ]
        return fields.map(csvField).joined(separator: ",")
    }

    /// `field`, quoted with its quotes doubled when it holds a comma, a quote, CR or LF.
    public static func csvField(_ field: String) -> String {
        guard field.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D })
        else { return field }
        return "\"" + field.replacing("\"", with: "\"\"") + "\""
    }

    /// One JSON object on one line, keys in byte order; `evidence` is the JSON array of
    /// `e.evidence`'s ``EvidenceStep/jsonObject``s.
    static func jsonObject(_ e: ExperimentRecord, evidence: String) -> String {
        let members = [
            ("chain", jsonString(e.chain)),
            ("contained", String(e.contained)),
            ("evidence", evidence),
            ("fault", jsonString(e.fault)),
            ("golden", jsonString(e.golden)),
            ("id", jsonString(e.id)),
            ("kind", jsonString(e.kind)),
            ("linkBytes", String(e.linkBytes)),
            ("platform", jsonString(e.platform)),
            ("policy", jsonString(e.policy)),
            ("schedule", jsonString(e.schedule)),
            ("seed", e.seed.map(String.init) ?? "null"),
            ("simulatedNs", String(e.simulatedNs)),
            ("steps", String(e.steps)),
            ("stoppedEarly", String(e.stoppedEarly)),
            ("tlps", String(e.tlps)),
            ("trace", jsonString(e.trace)),
            ("verdict", jsonString(e.verdict.name)),
            ("weight", String(e.weight)),
        ]
        return "{" + members.map { "\"\($0)\":\($1)" }.joined(separator: ",") + "}"
    }

    /// `text` as a JSON string literal: quote, backslash and control characters escaped,
    /// everything else as is.
    public static func jsonString(_ text: String) -> String {
        var literal = ""
        appendJSONString(text, to: &literal)
        return literal
    }

    /// Appends `text` as a JSON string literal (``jsonString(_:)``) without an intermediate string.
    public static func appendJSONString(_ text: String, to literal: inout String) {
        literal.append("\"")
        let plain = text.utf8.withContiguousStorageIfAvailable { bytes in
            !bytes.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
        } ?? false
        guard !plain else {
            literal.append(text)
            literal.append("\"")
            return
        }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": literal += "\\\""
            case "\\": literal += "\\\\"
            case "\n": literal += "\\n"
            case "\r": literal += "\\r"
            case "\t": literal += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                literal += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: literal.unicodeScalars.append(scalar)
            }
        }
        literal.append("\"")
    }
}
