import Diagnostics
import MMIOTrace
import PCIeTransport

extension Fault {
    /// Reads a fault in the fault grammar (`docs/faults.md`):
    /// `KIND at SITE [REQUEST] [OCCURRENCE] [for DURATION]`, e.g. `CA at bar0+0x44 read`.
    ///
    /// - Parameters:
    ///   - text: The fault's text (a `--fault` argument, the rest of a trace's `fault` directive).
    ///   - location: Where `text` starts; an error at byte offset `k` of `text` is reported at
    ///     column `location.column + k` of `location.line`.
    /// - Returns: The fault, with `location` as its location.
    /// - Throws: ``InputError`` saying what was expected and what was found, with a
    ///   did-you-mean for misspelt kinds and keywords.
    public static func parse(_ text: String, location: SourceLocation) throws(InputError) -> Fault {
        var words = FaultWords(text, location: location)
        let kind = try FaultGrammar.kind(words.next(), end: words.end)
        let at = words.next()
        guard let at, at.lowered == "at" else {
            throw InputError(at?.location ?? words.end, expected: "'at'", found: at?.text ?? "", choices: ["at"])
        }
        let site = try FaultGrammar.site(&words, kind: kind)
        guard case .tlp(let target) = site else {
            let duration = try FaultGrammar.trailer(&words, kind: kind, target: nil).duration
            return Fault(kind: kind, site: site.faultSite(request: nil, occurrence: .first), duration: duration, location: location)
        }
        let trailer = try FaultGrammar.trailer(&words, kind: kind, target: target)
        return Fault(kind: kind, site: .tlp(TLPMatch(target, request: trailer.request), trailer.occurrence ?? .first),
                     duration: trailer.duration, location: location)
    }
}

/// One blank-separated word of fault text and where it starts.
struct FaultWord {
    var text: String
    var location: SourceLocation
    /// The text in lower case, for keywords.
    var lowered: String { text.lowercased() }
}

/// The words of a fault text, read one at a time.
struct FaultWords {
    private var words: [FaultWord] = []
    private var index = 0
    /// Where the text ends: the place of a missing word.
    let end: SourceLocation

    /// Splits `text` at spaces and tabs; `location` is where `text` starts.
    init(_ text: String, location: SourceLocation) {
        let bytes = Array(text.utf8)
        var start: Int?
        for i in 0...bytes.count {
            let blank = i == bytes.count || bytes[i] == 0x20 || bytes[i] == 0x09
            if blank, let s = start {
                var at = location
                at.column += s
                words.append(FaultWord(text: String(decoding: bytes[s..<i], as: UTF8.self), location: at))
                start = nil
            } else if !blank, start == nil {
                start = i
            }
        }
        var end = location
        end.column += bytes.count
        self.end = end
    }

    /// The next word, or nil at the end.
    mutating func next() -> FaultWord? {
        guard index < words.count else { return nil }
        defer { index += 1 }
        return words[index]
    }

    /// The next word, left unread.
    func peek() -> FaultWord? { index < words.count ? words[index] : nil }
}

/// The pieces of the fault grammar, shared by ``Fault/parse(_:location:)`` and the mapping form
/// of fault files.
enum FaultGrammar {
    /// A site as written, before the request and occurrence that complete a TLP site.
    enum SiteValue {
        case event(Int)
        case time(UInt64)
        case tlp(TLPMatch.Target)

        func faultSite(request: RequestKind?, occurrence: Occurrence) -> FaultSite {
            switch self {
            case .event(let n): .event(n)
            case .time(let ns): .time(nanoseconds: ns)
            case .tlp(let target): .tlp(TLPMatch(target, request: request), occurrence)
            }
        }
    }

    /// What follows a site.
    struct Trailer {
        var request: RequestKind?
        var occurrence: Occurrence?
        var duration: UInt64?
    }

    static let kindChoices = FaultKind.allCases.map(\.spelling)
    static let occurrenceText = "an occurrence (first, every, every N, #N)"

    /// A fault kind, in any case.
    static func kind(_ word: FaultWord?, end: SourceLocation) throws(InputError) -> FaultKind {
        guard let word, let kind = FaultKind(spelling: word.text) else {
            throw InputError(word?.location ?? end, expected: "a fault kind (\(kindChoices.joined(separator: ", ")))",
                             found: word?.text ?? "", choices: kindChoices)
        }
        return kind
    }

    /// A site: `event N`, a time, `cfg DEVICE[+OFFSETS]`, a PCI address, `NAME+OFFSETS` or `NAME`.
    static func site(_ words: inout FaultWords, kind: FaultKind) throws(InputError) -> SiteValue {
        let expected = "a site (REGION+0xOFFSET, REGION+0xLOW..0xHIGH, REGION or DEVICE, cfg DEVICE, a PCI address like 0000:01:00.0, "
            + (kind.isLinkEvent ? "event N, or a time like 5us)" : "or event N)")
        guard let word = words.next() else { throw InputError(words.end, expected: expected, found: "") }
        let value: SiteValue
        switch word.lowered {
        case "event":
            value = .event(try count(words.next(), end: words.end, what: "an event number"))
        case "cfg":
            guard let device = words.next() else {
                throw InputError(words.end, expected: "a device name after 'cfg'", found: "")
            }
            let (name, offsets) = try nameAndOffsets(device, what: "a device name", limit: 0xfff)
            value = .tlp(.config(device: name, offsets: offsets))
        default:
            if word.text.contains(":") {
                guard let address = PCIAddress(parsing: word.text) else {
                    throw InputError(word.location, expected: "a PCI address like 0000:01:00.0 (device below 0x20, function below 8)",
                                     found: word.text)
                }
                value = .tlp(.address(address))
            } else if let first = word.text.utf8.first, first &- 0x30 < 10 {
                guard kind.isLinkEvent else {
                    throw InputError(word.location, expected: "a TLP or event site for \(kind) (only link-down and DPC take a time)",
                                     found: word.text)
                }
                value = .time(try time(word, what: "a time"))
            } else {
                let (name, offsets) = try nameAndOffsets(word, what: expected, limit: .max, choices: ["event", "cfg"])
                // A near-miss of `event` or `cfg` is a name too; it is a typo when what follows cannot follow a site.
                if offsets == nil, Suggestion.closest(to: name, among: ["event", "cfg"]) != nil, let after = words.peek(), !canFollowSite(after) {
                    throw InputError(word.location, expected: expected, found: word.text, choices: ["event", "cfg"])
                }
                value = .tlp(offsets.map { .region(name, offsets: $0) } ?? .named(name))
            }
        }
        if case .tlp(let target) = value, allowedRequests(kind: kind, target: target).isEmpty {
            let applicable = RequestKind.allCases.filter(kind.applies(to:)).map(\.spelling)
            throw InputError(word.location, expected: "a site for \(kind) (it applies to \(applicable.joined(separator: ", ")) only)",
                             found: Fault.targetText(target))
        }
        return value
    }

    /// Whether `word` can start what follows a site: a request, an occurrence, `for` or a comment.
    private static func canFollowSite(_ word: FaultWord) -> Bool {
        RequestKind(spelling: word.text) != nil || ["first", "every", "for"].contains(word.lowered) || word.text.hasPrefix("#")
    }

    /// The optional request, occurrence and `for DURATION` after a site, in that order, then
    /// the end of the text or a `#` comment. A nil `target` (an event or time site) takes no
    /// request or occurrence.
    static func trailer(_ words: inout FaultWords, kind: FaultKind, target: TLPMatch.Target?) throws(InputError) -> Trailer {
        enum Stage: Int, Comparable {
            case request, occurrence, duration, end
            static func < (a: Stage, b: Stage) -> Bool { a.rawValue < b.rawValue }
        }
        var trailer = Trailer()
        var stage = target == nil ? Stage.duration : .request
        while let word = words.next(), word.text != "#" {
            if stage <= .request, let target, let request = RequestKind(spelling: word.text) {
                trailer.request = try self.request(request, at: word, kind: kind, target: target)
                stage = .occurrence
            } else if stage <= .occurrence, let occurrence = try occurrence(word, &words) {
                trailer.occurrence = occurrence
                stage = .duration
            } else if stage <= .duration, kind.isLinkEvent, word.lowered == "for" {
                trailer.duration = try duration(words.next(), end: words.end)
                stage = .end
            } else {
                var parts: [String] = []
                var choices: [String] = []
                if stage <= .request, let target {
                    let requests = allowedRequests(kind: kind, target: target).map(\.spelling)
                    parts.append("a request (\(requests.joined(separator: ", ")))")
                    choices += requests
                }
                if stage <= .occurrence {
                    parts.append(occurrenceText)
                    choices += ["first", "every"]
                }
                if stage <= .duration, kind.isLinkEvent {
                    parts.append("'for DURATION'")
                    choices.append("for")
                }
                var expected = parts.isEmpty ? "end of line" : parts.joined(separator: ", ") + " or end of line"
                if word.lowered == "for", !kind.isLinkEvent { expected += " (only link-down and DPC take a duration)" }
                throw InputError(word.location, expected: expected, found: word.text, choices: choices)
            }
        }
        return trailer
    }

    /// The requests a fault of `kind` at `target` can fire on.
    static func allowedRequests(kind: FaultKind, target: TLPMatch.Target) -> [RequestKind] {
        RequestKind.allCases.filter { request in
            guard kind.applies(to: request) else { return false }
            if case .config = target { return request.isConfig }
            return true
        }
    }

    /// `request`, checked against the kind and the target.
    static func request(_ request: RequestKind, at word: FaultWord, kind: FaultKind,
                        target: TLPMatch.Target) throws(InputError) -> RequestKind {
        let allowed = allowedRequests(kind: kind, target: target)
        guard allowed.contains(request) else {
            throw InputError(word.location, expected: "a request for \(kind) at \(Fault.targetText(target)) "
                                 + "(\(allowed.map(\.spelling).joined(separator: ", ")))", found: word.text)
        }
        return request
    }

    /// A request filter in any case, checked against the kind and the target.
    static func request(_ word: FaultWord, kind: FaultKind, target: TLPMatch.Target) throws(InputError) -> RequestKind {
        guard let request = RequestKind(spelling: word.text) else {
            let choices = RequestKind.allCases.map(\.spelling)
            throw InputError(word.location, expected: "a request (\(choices.joined(separator: ", ")))", found: word.text, choices: choices)
        }
        return try self.request(request, at: word, kind: kind, target: target)
    }

    /// The occurrence starting at `word` (`first`, `every`, `every N`, `#N`), reading `N` from
    /// `words`; nil if `word` starts no occurrence.
    static func occurrence(_ word: FaultWord, _ words: inout FaultWords) throws(InputError) -> Occurrence? {
        switch word.lowered {
        case "first": return .first
        case "every":
            guard let next = words.peek(), let first = next.text.utf8.first, first &- 0x30 < 10 else { return .every }
            return .everyNth(try count(words.next(), end: words.end, what: "a match interval"))
        default:
            guard word.text.hasPrefix("#") else { return nil }
            var number = word
            number.text.removeFirst()
            number.location.column += 1
            return .nth(try count(number, end: number.location, what: "a match number after '#'"))
        }
    }

    /// A positive duration: `for DURATION`.
    static func duration(_ word: FaultWord?, end: SourceLocation) throws(InputError) -> UInt64 {
        guard let word else { throw InputError(end, expected: "a duration like 2ms (an integer and ns, us, ms or s)", found: "") }
        let ns = try time(word, what: "a duration")
        guard ns > 0 else { throw InputError(word.location, expected: "a positive duration", found: word.text) }
        return ns
    }

    /// An integer and a unit (`ns`, `us`, `ms`, `s`, any case), in nanoseconds.
    static func time(_ word: FaultWord, what: String) throws(InputError) -> UInt64 {
        let digits = word.text.prefix { $0.isASCII && $0.isNumber }
        let unit = word.text.dropFirst(digits.count).lowercased()
        guard !digits.isEmpty, let scale = Fault.timeUnits.first(where: { $0.unit == unit })?.scale else {
            throw InputError(word.location, expected: "\(what) like \(what == "a time" ? "5us" : "2ms") (an integer and ns, us, ms or s)",
                             found: word.text, choices: digits.isEmpty || unit.isEmpty ? [] : Fault.timeUnits.map { digits + $0.unit })
        }
        guard let value = UInt64(digits), case let (ns, overflow) = value.multipliedReportingOverflow(by: scale), !overflow else {
            throw InputError(word.location, expected: "\(what) of at most \(UInt64.max)ns", found: word.text)
        }
        return ns
    }

    /// A decimal integer from 1 (an event number, a match number or interval).
    static func count(_ word: FaultWord?, end: SourceLocation, what: String) throws(InputError) -> Int {
        guard let word, !word.text.isEmpty, word.text.utf8.allSatisfy({ $0 &- 0x30 < 10 }), let n = Int(word.text), n >= 1 else {
            throw InputError(word?.location ?? end, expected: "\(what) (a decimal integer from 1)", found: word?.text ?? "")
        }
        return n
    }

    /// `NAME` or `NAME+OFFSETS`, where OFFSETS is `0xLOW` or `0xLOW..0xHIGH` with HIGH ≤ `limit`.
    static func nameAndOffsets(_ word: FaultWord, what: String, limit: UInt64,
                               choices: [String] = []) throws(InputError) -> (String, ClosedRange<UInt64>?) {
        let plus = word.text.firstIndex(of: "+")
        let name = plus.map { String(word.text[..<$0]) } ?? word.text
        guard isName(name) else { throw InputError(word.location, expected: what, found: word.text, choices: choices) }
        guard let plus else { return (name, nil) }
        let rangeText = word.text[word.text.index(after: plus)...]
        var at = word.location
        at.column += name.utf8.count + 1
        let bounds = rangeText.split(separator: "..", maxSplits: 1, omittingEmptySubsequences: false)
        let maxText = "0x" + String(limit, radix: 16)
        guard let low = bounds.first.flatMap(hex), let high = bounds.count == 2 ? hex(bounds[1]) : low else {
            let expected = limit == .max ? "an offset like 0x44 or a range like 0x40..0x4f" : "a configuration-space offset 0x0...\(maxText) or a range of them"
            throw InputError(at, expected: expected, found: String(rangeText))
        }
        guard low <= high else { throw InputError(at, expected: "an offset range LOW..HIGH with LOW <= HIGH", found: String(rangeText)) }
        guard high <= limit else { throw InputError(at, expected: "a configuration-space offset 0x0...\(maxText)", found: String(rangeText)) }
        return (name, low...high)
    }

    /// `0x` (any case) and 1 to 16 hex digits.
    private static func hex(_ text: Substring) -> UInt64? {
        let lower = text.lowercased()
        guard lower.hasPrefix("0x"), (3...18).contains(lower.utf8.count) else { return nil }
        let digits = lower.dropFirst(2)
        guard digits.utf8.allSatisfy({ $0 &- 0x30 < 10 || $0 &- 0x61 < 6 }) else { return nil }
        return UInt64(digits, radix: 16)
    }

    /// A region or device name: a letter or `_`, then letters, digits, `_` and `-` (as in `.mtrace`).
    static func isName(_ text: String) -> Bool {
        var first = true
        for byte in text.utf8 {
            let letter = (byte | 0x20) &- 0x61 < 26 || byte == 0x5f
            guard letter || (!first && (byte &- 0x30 < 10 || byte == 0x2d)) else { return false }
            first = false
        }
        return !first
    }
}
