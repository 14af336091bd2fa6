import MMIOTrace
import DeviceModels
import PCIeTransport

/// The TLPs the root complex sends for a transaction (PCIeTransport does the splitting and
/// the byte counting; the engine only needs masks, sizes and kinds).
extension Simulation {
    /// The requester ID of CPU-originated requests: the root port (00:00.0).
    static let rootPortID = PCIAddress(bus: 0, device: 0, function: 0)

    /// The requester ID of a device (its BDF; 00:00.0 for a platform device).
    func deviceID(_ device: DeviceID) -> PCIAddress {
        setup.topology.devices[Int(device)].bdf ?? PCIAddress(routingID: 0)
    }

    /// Takes the next request tag.
    mutating func takeTag() -> UInt16 {
        defer { nextTag = (nextTag + 1) & 0xff }
        return nextTag
    }

    /// The request TLP of a non-posted transaction, for observers.
    func requestTLP(_ t: Transaction, tag: UInt16) -> TLP {
        switch t.kind {
        case .read, .speculativeRead:
            var request = TLP.memoryRead(address: t.address & ~3, length: 1, firstByteEnables: 0xf, lastByteEnables: 0,
                                         requester: Self.rootPortID, tag: tag)
            MemoryReadSplitter.split(address: t.address, byteCount: Int(t.size), requester: Self.rootPortID, nextTag: { tag }) { (tlp: TLP) in
                request = tlp
            }
            return request
        case .configRead:
            return .configRead(target: deviceID(t.device), register: UInt16(t.address >> 2), firstByteEnables: Self.byteEnables(t), requester: Self.rootPortID, tag: tag)
        case .flr:
            let offset = DeviceState.deviceControlOffset
            return .configWrite(target: deviceID(t.device), register: UInt16(offset >> 2), firstByteEnables: 0x3 << UInt8(offset & 3),
                                value: 0x8000 << UInt32((offset & 3) * 8), requester: Self.rootPortID, tag: tag)
        default:
            return .configWrite(target: deviceID(t.device), register: UInt16(t.address >> 2), firstByteEnables: Self.byteEnables(t),
                                value: UInt32(truncatingIfNeeded: t.data[0]) << UInt32((t.address & 3) * 8), requester: Self.rootPortID, tag: tag)
        }
    }

    /// The byte enables of a configuration access within its DW.
    static func byteEnables(_ t: Transaction) -> UInt8 {
        UInt8(truncatingIfNeeded: ((1 << UInt32(t.size)) - 1) << UInt32(t.address & 3)) & 0xf
    }

    /// The MRd TLP of a read: its kind and bytes on the wire.
    func readRequestTLP(address: UInt64) -> (TLPName, Int) {
        let header = address >> 32 == 0 ? 12 : 16
        return (header == 12 ? .MRd32 : .MRd64, header + setup.timing.framingBytesPerTLP)
    }
}
