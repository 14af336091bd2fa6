/// How a message request is routed, the low three bits of its Type field (PCIe Base Spec,
/// "Message Request Rules", r[2:0]).
public enum MessageRouting: UInt8, CaseIterable, Hashable, Sendable {
    /// 000: to the root complex (error messages use this).
    case toRootComplex = 0
    /// 001: by address, bytes 8–15 of the header.
    case byAddress = 1
    /// 010: by ID, bytes 8–9 of the header.
    case byID = 2
    /// 011: broadcast from the root complex.
    case broadcastFromRootComplex = 3
    /// 100: local, terminated at the receiver.
    case local = 4
    /// 101: gathered and routed to the root complex.
    case gatheredToRootComplex = 5
}
