/// The PCIe ordering table for one traffic class without ID-Based Ordering (PCIe Base Spec,
/// "Transaction Ordering", "Ordering Rules Summary").
///
/// Rows are the later TLP, columns the earlier one. "Yes" cells must be allowed (deadlock
/// avoidance), "Y/N" cells are permitted but not required, "No" cells are forbidden; this
/// answers whether passing is *permitted*, so both Yes and Y/N are true, and a scheduler picks.
///
/// | later \ earlier | posted (col 2) | non-posted: read (col 3), NP write (col 4) | completion (col 5) |
/// |---|---|---|---|
/// | posted (row A) | A2a No; A2b Yes with RO | A3, A4 Yes | A5 Y/N |
/// | non-posted (rows B, C) | B2a, C2a No (RO does not help) | B3, B4, C3, C4 Y/N | B5, C5 Y/N |
/// | completion (row D) | D2a No; D2b Yes with RO | D3, D4 Yes | D5a Y/N (D5b: not within one transaction) |
///
/// D5b (completions of one request stay in order) needs the transaction ID, so ``LinkQueue``
/// applies it; D2b's other case (I/O and configuration write completions may pass posted
/// requests) needs the request kind and is not taken: the answer stays No, which is always safe.
public enum PCIeOrdering {
    /// Whether a `later` TLP may be delivered ahead of an `earlier` one in the same direction.
    ///
    /// - Parameter relaxedOrdering: The later TLP's Relaxed Ordering attribute.
    public static func mayPass(_ later: TLPCategory, _ earlier: TLPCategory, relaxedOrdering: Bool) -> Bool {
        switch (later, earlier) {
        case (.posted, .posted): relaxedOrdering  // A2a No; A2b RO Yes
        case (.nonPosted, .posted): false  // B2a, C2a: "a read pushes writes"
        case (.completion, .posted): relaxedOrdering  // D2a No; D2b RO Yes
        case (.posted, .nonPosted), (.posted, .completion): true  // A3, A4 Yes; A5 Y/N
        case (.nonPosted, .nonPosted), (.nonPosted, .completion): true  // B3, B4, C3, C4, B5, C5 Y/N
        case (.completion, .nonPosted), (.completion, .completion): true  // D3, D4 Yes; D5a Y/N
        }
    }

    /// Whether `later` may be delivered ahead of `earlier`: ``mayPass(_:_:relaxedOrdering:)`` for
    /// their categories and `later`'s RO bit, and D5b, completions with the same Requester ID and
    /// Tag (one transaction) never passing each other.
    public static func mayPass(_ later: TLP, _ earlier: TLP) -> Bool {
        if later.category == .completion, earlier.category == .completion,
            later.requesterID == earlier.requesterID, later.tag == earlier.tag
        {
            return false
        }
        return mayPass(later.category, earlier.category, relaxedOrdering: later.isRelaxedOrdered)
    }
}
