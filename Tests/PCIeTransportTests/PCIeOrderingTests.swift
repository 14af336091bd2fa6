import Testing
import PCIeTransport

@Suite struct PCIeOrderingTests {
    /// Every cell of the table, without and with RO on the later TLP: (later, earlier, without
    /// RO, with RO).
    @Test(arguments: [
        (TLPCategory.posted, TLPCategory.posted, false, true),  // A2a / A2b
        (.posted, .nonPosted, true, true),  // A3, A4
        (.posted, .completion, true, true),  // A5
        (.nonPosted, .posted, false, false),  // B2a, C2a: RO does not let a read pass a write
        (.nonPosted, .nonPosted, true, true),  // B3, B4, C3, C4
        (.nonPosted, .completion, true, true),  // B5, C5
        (.completion, .posted, false, true),  // D2a / D2b
        (.completion, .nonPosted, true, true),  // D3, D4
        (.completion, .completion, true, true),  // D5a
    ])
    func table(later: TLPCategory, earlier: TLPCategory, plain: Bool, relaxed: Bool) {
        #expect(PCIeOrdering.mayPass(later, earlier, relaxedOrdering: false) == plain)
        #expect(PCIeOrdering.mayPass(later, earlier, relaxedOrdering: true) == relaxed)
    }

    @Test func completionsOfOneTransactionStayInOrder() {
        let requester = PCIAddress(bus: 0, device: 0, function: 0)
        let completer = PCIAddress(bus: 1, device: 0, function: 0)
        let first = TLP.completionWithData(
            completer: completer, requester: requester, tag: 7, byteCount: 128, lowerAddress: 0, payload: TLPPayload(dword: 1)
        )
        var second = first
        second.byteCount = 64
        #expect(!PCIeOrdering.mayPass(second, first))  // D5b
        second.tag = 8
        #expect(PCIeOrdering.mayPass(second, first))  // D5a
    }
}
