/// The Attr[1:0] bits of a TLP header, byte 2 bits 5:4 (PCIe Base Spec, "Attributes Field").
///
/// Attr[2] (ID-Based Ordering) is not modelled: the ordering rules here are those of one traffic
/// class without ID-based ordering, and a decoded header with it set is rejected.
public struct TLPAttributes: OptionSet, Hashable, Sendable {
    public var rawValue: UInt8

    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Attr[0], No Snoop: the completer need not snoop processor caches.
    public static let noSnoop = TLPAttributes(rawValue: 0b01)
    /// Attr[1], Relaxed Ordering: this TLP may pass earlier posted requests where the ordering
    /// table allows it (rows A2b and D2b).
    public static let relaxedOrdering = TLPAttributes(rawValue: 0b10)
}
