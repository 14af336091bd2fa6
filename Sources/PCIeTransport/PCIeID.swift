/// A PCIe function's routing ID (bus, device, function), as carried in Requester ID, Completer ID
/// and configuration-request target fields (PCIe Base Spec, "Transaction Descriptor").
///
/// The raw value is the 16-bit field as it appears on the wire: bus in bits 15:8, device in
/// bits 7:3, function in bits 2:0.
public struct PCIeID: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt16

    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// The ID of `bus:device.function`; `device` must be below 32 and `function` below 8.
    public init(bus: UInt8, device: UInt8, function: UInt8) {
        precondition(device < 32 && function < 8, "device must be below 32 and function below 8")
        rawValue = UInt16(bus) << 8 | UInt16(device) << 3 | UInt16(function)
    }

    public var bus: UInt8 { UInt8(truncatingIfNeeded: rawValue >> 8) }
    public var device: UInt8 { UInt8(truncatingIfNeeded: rawValue >> 3) & 0x1f }
    public var function: UInt8 { UInt8(truncatingIfNeeded: rawValue) & 0x7 }
}

extension PCIeID: CustomStringConvertible {
    /// The lspci spelling, e.g. `01:00.0`.
    public var description: String {
        func hex(_ value: UInt8) -> String {
            let digits = String(value, radix: 16)
            return digits.count < 2 ? "0" + digits : digits
        }
        return "\(hex(bus)):\(hex(device)).\(function)"
    }
}
