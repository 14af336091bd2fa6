/// A PCI function's address, `domain:bus:device.function`: the one bus/device/function type of
/// the project. Traces name devices by it; TLPs carry its 16-bit routing ID (bus in bits 15:8,
/// device in 7:3, function in 2:0) as Requester, Completer and configuration target IDs (PCIe
/// Base Spec, "Transaction Descriptor"); the domain (segment) is not on the wire.
public struct PCIAddress: Hashable, Sendable {
    public var domain: UInt16
    public var bus: UInt8
    /// 0 to 31.
    public var device: UInt8
    /// 0 to 7.
    public var function: UInt8

    /// The function `domain:bus:device.function`; `device` must be below 32 and `function` below 8.
    public init(domain: UInt16 = 0, bus: UInt8, device: UInt8, function: UInt8) {
        precondition(device < 32 && function < 8, "device must be below 32 and function below 8")
        self.domain = domain
        self.bus = bus
        self.device = device
        self.function = function
    }

    /// The function whose routing ID is `routingID`, in domain 0 (as a TLP names it).
    public init(routingID: UInt16) {
        self.init(bus: UInt8(truncatingIfNeeded: routingID >> 8), device: UInt8(truncatingIfNeeded: routingID >> 3) & 0x1f,
                  function: UInt8(truncatingIfNeeded: routingID) & 0x7)
    }

    /// The 16-bit requester/completer ID (bus << 8 | device << 3 | function).
    public var routingID: UInt16 { UInt16(bus) << 8 | UInt16(device) << 3 | UInt16(function) }

    /// The lspci spelling without the domain, e.g. `01:00.0`.
    public var shortDescription: String { "\(Self.hex(bus, 2)):\(Self.hex(device, 2)).\(function)" }

    static func hex(_ value: some BinaryInteger, _ width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

extension PCIAddress: CustomStringConvertible {
    /// `0000:01:00.0`.
    public var description: String { "\(Self.hex(domain, 4)):\(shortDescription)" }
}
