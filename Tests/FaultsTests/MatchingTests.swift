import Diagnostics
import Faults
import MMIOTrace
import PCIeTransport
import Testing

@Suite struct MatchingTests {
    static let nvme = PCIAddress(bus: 1, device: 0, function: 0)

    /// A TLP as the engine describes it.
    struct TLP {
        var region: String?
        var offset: UInt64
        var device = "nvme0"
        var bdf: PCIAddress? = MatchingTests.nvme
        var request: RequestKind
    }

    static func matches(_ spec: String, _ tlp: TLP) throws -> Bool {
        let fault = try Fault.parse(spec, location: cli)
        return fault.counts(tlpRegion: tlp.region, offset: tlp.offset, device: tlp.device, bdf: tlp.bdf, request: tlp.request)
    }

    @Test func targets() throws {
        let read44 = TLP(region: "bar0", offset: 0x44, request: .memoryRead)
        #expect(try Self.matches("CA at bar0+0x44 read", read44))
        #expect(try !Self.matches("CA at bar0+0x44 write", read44))
        #expect(try !Self.matches("CA at bar0+0x40 read", read44))
        #expect(try Self.matches("CA at bar0+0x40..0x4f", read44))
        #expect(try !Self.matches("CA at bar0+0x45..0x4f", read44))
        #expect(try !Self.matches("CA at bar2+0x44", read44))
        #expect(try Self.matches("CA at bar0", read44))
        #expect(try Self.matches("CA at nvme0", read44))
        #expect(try !Self.matches("CA at nic0", read44))
        #expect(try Self.matches("CA at 0000:01:00.0", read44))
        #expect(try !Self.matches("CA at 0000:02:00.0", read44))
        #expect(try !Self.matches("CA at cfg nvme0", read44))

        let cfgRead4 = TLP(region: nil, offset: 0x4, request: .configRead)
        #expect(try Self.matches("CA at cfg nvme0 cfg-read", cfgRead4))
        #expect(try Self.matches("CA at cfg nvme0+0x4", cfgRead4))
        #expect(try !Self.matches("CA at cfg nvme0+0x8", cfgRead4))
        #expect(try !Self.matches("CA at cfg nvme0 cfg-write", cfgRead4))
        #expect(try !Self.matches("CA at cfg nic0", cfgRead4))
        #expect(try Self.matches("CA at nvme0", cfgRead4))

        let platform = TLP(region: "regs", offset: 0, device: "uart", bdf: nil, request: .memoryWrite)
        #expect(try Self.matches("UR at uart", platform))
        #expect(try !Self.matches("UR at 0000:00:00.0", platform))
    }

    /// A kind counts only the TLPs it applies to; event and time sites count no TLP.
    @Test func kindsApply() throws {
        let write = TLP(region: "bar0", offset: 0, request: .memoryWrite)
        let read = TLP(region: "bar0", offset: 0, request: .memoryRead)
        #expect(try !Self.matches("poisoned-completion at bar0", write))
        #expect(try Self.matches("poisoned-completion at bar0", read))
        #expect(try Self.matches("poisoned-write at bar0", write))
        #expect(try !Self.matches("completion-timeout at nvme0", write))
        #expect(try Self.matches("poisoned at nvme0", write))
        #expect(try !Self.matches("UR at event 3", read))
        #expect(try !Self.matches("link-down at 5us", read))
        #expect(FaultKind.poisoned.effective(for: .memoryWrite) == .poisonedWrite)
        #expect(FaultKind.poisoned.effective(for: .configRead) == .poisonedCompletion)
        #expect(FaultKind.ur.effective(for: .memoryWrite) == .ur)
        #expect(FaultKind.allCases.filter(\.isLinkEvent) == [.linkDown, .dpc])
    }

    /// Which of the first twelve matches fire.
    @Test(arguments: [
        (Occurrence.first, [1]),
        (.every, Array(1...12)),
        (.nth(3), [3]),
        (.everyNth(4), [4, 8, 12]),
        (.everyNth(1), Array(1...12)),
    ])
    func occurrences(occurrence: Occurrence, firing: [Int]) {
        var counter = OccurrenceCounter(occurrence)
        let fired = (1...12).filter { _ in counter.fires() }
        #expect(fired == firing)
        #expect(counter.matches == 12)
        #expect(counter.isExhausted == (occurrence == .first || occurrence == .nth(3)))
    }

    @Test func counterIsExhaustedOnlyAfterItsMatch() {
        var counter = OccurrenceCounter(.nth(2))
        #expect(!counter.isExhausted)
        let first = counter.fires()
        #expect(!first && !counter.isExhausted)
        let second = counter.fires()
        #expect(second && counter.isExhausted)
    }

    @Test func kindAndRequestSpellings() {
        for kind in FaultKind.allCases {
            #expect(FaultKind(spelling: kind.spelling.uppercased()) == kind)
            #expect(FaultKind(spelling: kind.spelling.lowercased()) == kind)
        }
        #expect(FaultKind(spelling: "poisoned_write") == nil)
        #expect(RequestKind(spelling: "CFG-Read") == .configRead)
        #expect(RequestKind(spelling: "any") == nil)
    }

    /// Equality ignores where a fault came from.
    @Test func locationIsProvenanceOnly() throws {
        let a = try Fault.parse("UR at bar0", location: cli)
        let b = try Fault.parse("UR at bar0", location: SourceLocation(file: "t.mtrace", line: 4, column: 7))
        #expect(a == b)
        #expect(Set([a, b]).count == 1)
        #expect(b.location.description == "t.mtrace:4:7")
    }
}
