import PCIeTransport
/// The config space of a PCIe function: a minimal Type-0 header, the PCI Express capability at
/// ``ConfigSpace/expressCapability`` and the AER extended capability at
/// ``ConfigSpace/aerCapability``, laid out as in `docs/device-models.md`. Offsets the layout
/// does not name read 0 and ignore writes.
struct ConfigSpace: Hashable, Sendable {
    /// Where the PCI Express capability lives (0x80, as in QEMU's NVMe controller).
    static let expressCapability = 0x80
    /// Where the AER extended capability lives (the first extended capability).
    static let aerCapability = 0x100

    /// Command register (stored; only Memory Space Enable is interpreted, see `memoryDecodeOff`).
    var command: UInt16 = 0
    /// Whether software cleared Memory Space Enable (Command bit 1): the function then answers
    /// every memory request with UR. [decision] A trace starts with it set (vfio-pci enables the
    /// device before the guest runs) and only a recorded Command write changes it; an FLR does
    /// not clear it, since vfio-pci saves and restores the config space around the resets it
    /// performs.
    var memoryDecodeOff = false
    /// BAR address bits as software last wrote them.
    var barAddresses = SIMD8<UInt32>()
    /// Device Control without Initiate FLR (bit 15 always reads 0).
    var deviceControl: UInt16 = 0
    /// Device Status: bit 1 non-fatal, bit 2 fatal, bit 3 unsupported request detected (RW1C).
    var deviceStatus: UInt16 = 0

    /// Sets the Device Status "error detected" bits for an error (whatever AER masks).
    mutating func noteError(_ report: AERReport) {
        deviceStatus |= report.severity == .fatal ? 0b0100 : 0b0010
        if report.error == .unsupportedRequest { deviceStatus |= 0b1000 }
    }
}

extension DeviceState {
    /// A config read (CfgRd) of `size` bytes (1, 2 or 4, naturally aligned) at `offset`.
    ///
    /// - Returns: `sc` and the value; `crs` while an FLR is in progress; `ur` for a model
    ///   without PCI identity, an offset past 4 KiB or a misaligned access.
    public mutating func configRead(offset: Int, size: Int, at time: UInt64) -> ConfigCompletion {
        guard model.pci != nil, Self.isConfigAccess(offset: offset, size: size) else { return ConfigCompletion(status: .unsupportedRequest) }
        if flrInProgress(at: time) { return ConfigCompletion(status: .configurationRetry) }
        let dword = configDword(offset & ~3)
        let shift = UInt32((offset & 3) * 8)
        return ConfigCompletion(status: .successful, value: size == 4 ? dword : (dword >> shift) & ((1 << UInt32(size * 8)) - 1))
    }

    /// A config write (CfgWr) of `size` bytes at `offset`.
    ///
    /// Writing 1 to Initiate FLR (Device Control bit 15, at the PCI Express capability + 8)
    /// starts a Function Level Reset at `time` (``initiateFLR(at:)``).
    ///
    /// - Returns: As ``configRead(offset:size:at:)``; the write is not applied unless `sc`.
    public mutating func configWrite(offset: Int, size: Int, value: UInt32, at time: UInt64) -> CompletionStatus {
        guard model.pci != nil, Self.isConfigAccess(offset: offset, size: size) else { return .unsupportedRequest }
        if flrInProgress(at: time) { return .configurationRetry }
        let shift = UInt32((offset & 3) * 8)
        let mask: UInt32 = (size == 4 ? .max : (1 << UInt32(size * 8)) - 1) << shift
        let written = (value << shift) & mask
        let dwordOffset = offset & ~3
        switch dwordOffset {
        case 0x04:
            config.command = UInt16(truncatingIfNeeded: (UInt32(config.command) & ~mask) | written)
            if mask & 0xff != 0 { config.memoryDecodeOff = config.command & 0x2 == 0 }
        case 0x10..<0x28:
            let index = (dwordOffset - 0x10) / 4
            guard let bar = model.bar(UInt8(index)) else { break }
            let merged = (config.barAddresses[index] & ~mask) | written
            config.barAddresses[index] = merged & ~UInt32(truncatingIfNeeded: bar.size - 1) & ~0xf
        case Self.deviceControlOffset:
            config.deviceControl = UInt16(truncatingIfNeeded: (UInt32(config.deviceControl) & ~mask) | written) & 0x7fff
            config.deviceStatus &= ~UInt16(truncatingIfNeeded: written >> 16) | ~0xf
            if written & 0x8000 != 0 { initiateFLR(at: time) }
        case ConfigSpace.aerCapability + 0x04:
            aer.status &= ~written
        case ConfigSpace.aerCapability + 0x08:
            aer.mask = (aer.mask & ~mask) | (written & UncorrectableError.definedBits)
        case ConfigSpace.aerCapability + 0x0c:
            aer.severity = (aer.severity & ~mask) | (written & UncorrectableError.definedBits)
        default: break
        }
        return .successful
    }

    /// Starts a Function Level Reset at `time`: every register back to its reset value, memory
    /// ranges zero, pending side effects dropped, the header and Device Control/Status cleared;
    /// AER registers (sticky) and doorbell counts kept. In progress until ``DeviceModel/flr``'s
    /// ready time has passed.
    public mutating func initiateFLR(at time: UInt64) {
        for index in values.indices { values[index] = model.registers[index].reset }
        memory.zero()
        for index in pendingDue.indices { pendingDue[index] = .max }
        nextDue = .max
        config = ConfigSpace()
        flrStartedAt = time
        flrReadyAt = time &+ model.flr.readyAfterNs &* 1000
    }

    /// Offset of Device Control (low half) and Device Status (high half).
    /// Where the Device Control register is (the PCI Express capability + 8): FLR is bit 15.
    public static let deviceControlOffset = ConfigSpace.expressCapability + 8

    static func isConfigAccess(offset: Int, size: Int) -> Bool {
        (size == 1 || size == 2 || size == 4) && offset >= 0 && offset + size <= 0x1000 && offset % size == 0
    }

    /// The config dword at a 4-aligned offset.
    func configDword(_ offset: Int) -> UInt32 {
        guard let pci = model.pci else { return 0 }
        let express = ConfigSpace.expressCapability
        switch offset {
        case 0x00: return UInt32(pci.deviceID) << 16 | UInt32(pci.vendorID)
        case 0x04: return 0x0010 << 16 | UInt32(config.command)  // status: capabilities list
        case 0x08: return pci.classCode << 8 | UInt32(pci.revision)
        case 0x10..<0x28:
            let index = (offset - 0x10) / 4
            guard let bar = model.bar(UInt8(index)) else { return 0 }
            return config.barAddresses[index] | (bar.prefetchable ? 0x8 : 0)
        case 0x34: return UInt32(express)
        case express: return 0x0002 << 16 | 0x10  // PCIe capability version 2, endpoint; ID 0x10, last
        case express + 4: return 1 << 28 | 1 << 15  // Device Capabilities: FLR capable, role-based error reporting
        case express + 8: return UInt32(config.deviceStatus) << 16 | UInt32(config.deviceControl)
        case ConfigSpace.aerCapability: return 0x0002_0001  // AER, version 2, last
        case ConfigSpace.aerCapability + 0x04: return aer.status
        case ConfigSpace.aerCapability + 0x08: return aer.mask
        case ConfigSpace.aerCapability + 0x0c: return aer.severity
        default: return 0
        }
    }
}

/// The completion of a config read.
public struct ConfigCompletion: Hashable, Sendable {
    public var status: CompletionStatus
    /// The bytes read, right-aligned; 0 unless the status is `sc`.
    public var value: UInt32

    public init(status: CompletionStatus, value: UInt32 = 0) {
        self.status = status
        self.value = value
    }
}
