/// One step of an experiment's evidence as the store keeps it: the rule's name and the texts it
/// gave (`Verdicts.Evidence`, whose rule names may be newer or older than this build's).
///
/// A results database holds each distinct step once, in the table `evidence_steps`, under its
/// ``id``; an experiment row lists the ids of its steps in order. Campaigns repeat the same few
/// steps in almost every row, so this keeps a row's evidence at a tenth of its JSON size.
public struct EvidenceStep: Hashable, Sendable, Decodable {
    /// The rule applied (its stable name).
    public let rule: String
    /// The facts the rule looked at.
    public let inputs: String
    /// What the rule concluded.
    public let result: String
    /// Where the rule comes from.
    public let source: String
    /// The step's content id: a ``StableHash`` of the four texts, as a signed 64-bit pattern
    /// (SQLite's INTEGER). Equal content gives an equal id on every machine and in every run,
    /// so rows that list steps stay byte-identical however the rows were written.
    public let id: Int64

    /// A step with these texts.
    public init(rule: String, inputs: String, result: String, source: String) {
        self.rule = rule
        self.inputs = inputs
        self.result = result
        self.source = source
        // Field by field: an array of the four texts was an allocation per step.
        var hash = StableHash()
        hash.add(rule)
        hash.add(inputs)
        hash.add(result)
        hash.add(source)
        id = Int64(bitPattern: hash.value)
    }

    private enum CodingKeys: String, CodingKey {
        case inputs, result, rule, source
    }

    /// Reads `{"inputs","result","rule","source"}`, the layout of evidence before schema v4.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(rule: try c.decode(String.self, forKey: .rule), inputs: try c.decode(String.self, forKey: .inputs),
                  result: try c.decode(String.self, forKey: .result), source: try c.decode(String.self, forKey: .source))
    }
}

extension EvidenceStep {
    /// The step as a JSON object, `{"inputs","result","rule","source"}` (keys sorted), minified:
    /// how `export` writes each step of the evidence array.
    public var jsonObject: String {
        var json = "{\"inputs\":"
        ExportText.appendJSONString(inputs, to: &json)
        json.append(",\"result\":")
        ExportText.appendJSONString(result, to: &json)
        json.append(",\"rule\":")
        ExportText.appendJSONString(rule, to: &json)
        json.append(",\"source\":")
        ExportText.appendJSONString(source, to: &json)
        json.append("}")
        return json
    }
}

extension [EvidenceStep] {
    /// The steps' ids as stored in an experiment row: a JSON array of integers, `[12,-40]`.
    /// Written digit by digit, reading each step's id in place (a copied step would retain its
    /// four texts): the writer thread builds one for every row it stores.
    var idList: String {
        withUnsafeBufferPointer { steps in idList(of: steps) }
    }

    private func idList(of steps: UnsafeBufferPointer<EvidenceStep>) -> String {
        // 20 bytes hold any Int64 in decimal with its sign, 1 more its separator.
        String(unsafeUninitializedCapacity: 2 + 21 * steps.count) { text in
            var end = 0
            func put(_ byte: UInt8) {
                text[end] = byte
                end += 1
            }
            put(UInt8(ascii: "["))
            for i in steps.indices {
                if i > 0 { put(UInt8(ascii: ",")) }
                let id = steps[i].id
                if id < 0 { put(UInt8(ascii: "-")) }
                var magnitude = id.magnitude
                let start = end
                repeat {
                    put(UInt8(ascii: "0") + UInt8(magnitude % 10))
                    magnitude /= 10
                } while magnitude > 0
                text[start..<end].reverse()
            }
            put(UInt8(ascii: "]"))
            return end
        }
    }
}
