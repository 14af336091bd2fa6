#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Diagnostics
import MMIOTrace
import PCIeTransport

/// The trace events the importer reads itself (device-model events go through
/// ``QEMULogMapping``).
enum QEMULogEvent: String, CaseIterable {
    case vfioRegionRead = "vfio_region_read"
    case vfioRegionWrite = "vfio_region_write"
    case vfioReadConfig = "vfio_pci_read_config"
    case vfioWriteConfig = "vfio_pci_write_config"
    case vfioReset = "vfio_pci_reset"
    case vfioResetFLR = "vfio_pci_reset_flr"
    case vfioHotReset = "vfio_pci_hot_reset"
    case vfioRegionUnmap = "vfio_region_unmap"
    case opsRead = "memory_region_ops_read"
    case opsWrite = "memory_region_ops_write"
    case cfgRead = "pci_cfg_read"
    case cfgWrite = "pci_cfg_write"
    case mappingsAdd = "pci_update_mappings_add"
    case mappingsDel = "pci_update_mappings_del"
    case msixWriteConfig = "msix_write_config"

    private static let spellings: [(QEMULogEvent, [UInt8])] = allCases.map { ($0, Array($0.rawValue.utf8)) }

    /// The event named by the bytes `name` of a line, if the importer reads it itself.
    init?(_ scanner: QEMULogScanner, _ name: Range<Int>) {
        for (event, spelling) in Self.spellings where spelling.count == name.count {
            if spelling.withUnsafeBufferPointer({ memcmpEqual($0, scanner.bytes, name.lowerBound) }) {
                self = event
                return
            }
        }
        return nil
    }
}

@inline(__always) private func memcmpEqual(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>, _ offset: Int) -> Bool {
    memcmp(a.baseAddress!, b.baseAddress! + offset, a.count) == 0
}

/// `memory_region_ops_read/write`: an access to a QEMU MemoryRegion.
struct MemoryRegionAccess {
    /// The address QEMU prints: absolute (the region's offset plus its containers' bases) since
    /// QEMU 2.x, an offset in the region before.
    var address: UInt64
    /// The value, truncated to the access size as the CPU sees it (QEMU prints the device's
    /// answer, e.g. 0xffffffff for a 2-byte read of an absent function).
    var value: UInt64
    var size: UInt8
    /// The `name '...'` field's text (without quotes), absent in older QEMU.
    var name: Range<Int>?
    /// The vCPU that made the access; nil for `cpu -1`: no vCPU (QEMU's main loop, an I/O
    /// thread, a device model acting on its own).
    var cpu: UInt64?
}

/// `vfio_region_read/write`: an access through a vfio region of an assigned device.
struct VFIORegionAccess {
    var host: PCIAddress
    /// 0–5 BARs, 6 ROM, 7 config, 8 VGA.
    var index: UInt64
    var offset: UInt64
    var value: UInt64?
    var size: UInt8
}

/// `pci_cfg_read/write`: a configuration access QEMU's PCI core performed.
struct PCIConfigRecord {
    var name: Range<Int>
    /// The function; the bus is 0 in the older form, which lacks it.
    var address: PCIAddress
    var hasBus: Bool
    var offset: UInt64
    var value: UInt64
}

/// `pci_update_mappings_add/del`: a BAR mapped or unmapped by the guest.
struct BARMappingRecord {
    /// The device name; nil in the older `d=0x...` form.
    var name: Range<Int>?
    var address: PCIAddress
    var bar: UInt8
    var base: UInt64
    var size: UInt64
}

extension QEMULogScanner {
    private mutating func valueFitting(_ value: UInt64, size: UInt8, at start: Int) throws(InputError) -> UInt64 {
        guard size >= 8 || value >> (UInt64(size) * 8) == 0 else {
            throw error(at: start, "value 0x\(String(value, radix: 16)) does not fit in \(size) byte\(size == 1 ? "" : "s")")
        }
        return value
    }

    /// `cpu %d mr %p addr 0x%x value 0x%x size %u[ name '%s']`.
    mutating func memoryRegionAccess() throws(InputError) -> MemoryRegionAccess {
        skipSpaces()
        try expect("cpu ")
        var cpu: UInt64?
        if position + 1 < bytes.count, bytes[position] == UInt8(ascii: "-"), bytes[position + 1] == UInt8(ascii: "1") {
            position += 2
        } else {
            cpu = try decimal("a cpu index (or -1: no vCPU)")
        }
        try expect(" mr ")
        _ = try word("a MemoryRegion pointer")
        try expect(" addr ")
        let address = try hex("an address")
        try expect(" value ")
        var value = try hex("a value")
        try expect(" size ")
        let size = try size()
        if size < 8 { value &= (1 << (UInt64(size) * 8)) - 1 }
        var name: Range<Int>?
        skipSpaces()
        if !atEnd {
            try expect("name '")
            var close = bytes.count
            while close > position, bytes[close - 1] != UInt8(ascii: "'") { close -= 1 }
            guard close > position else { throw error(at: bytes.count, expected: "a closing quote after the region name") }
            name = position..<(close - 1)
            position = close
            try expectEnd()
        }
        return MemoryRegionAccess(address: address, value: value, size: size, name: name, cpu: cpu)
    }

    /// `(%s:region%d+0x%x, 0x%x, %d)` (write) or `(%s:region%d+0x%x, %d) = 0x%x` (read).
    mutating func vfioRegionAccess(write: Bool) throws(InputError) -> VFIORegionAccess {
        skipSpaces()
        try expect("(")
        let host = try pciAddress("a host PCI address like 0000:03:00.0")
        try expect(":region")
        let index = try decimal("a region index (0-8)", maximum: 8)
        try expect("+")
        let offsetStart = position
        let offset = try hex("an offset")
        guard offset < Region.addressLimit else {
            throw error(at: offsetStart, expected: "an offset below 2^52 (Arm's largest physical address space)", found: "0x\(String(offset, radix: 16))")
        }
        try expect(",")
        skipSpaces()
        if write {
            let valueStart = position
            let value = try hex("a value")
            try expect(", ")
            let size = try size()
            try expect(")")
            try expectEnd()
            return VFIORegionAccess(host: host, index: index, offset: offset, value: try valueFitting(value, size: size, at: valueStart), size: size)
        }
        let size = try size()
        try expect(") = ")
        let valueStart = position
        let value = try hex("the value read")
        try expectEnd()
        return VFIORegionAccess(host: host, index: index, offset: offset, value: try valueFitting(value, size: size, at: valueStart), size: size)
    }

    /// `(%s, @0x%x, len=0x%x) 0x%x` (read) or `(%s, @0x%x, 0x%x, len=0x%x)` (write).
    mutating func vfioConfigAccess(write: Bool) throws(InputError) -> (host: PCIAddress, offset: UInt64, value: UInt64, size: UInt8) {
        skipSpaces()
        try expect("(")
        let host = try pciAddress("a host PCI address like 0000:03:00.0")
        try expect(", @")
        let offset = try configOffset()
        try expect(", ")
        var value: UInt64 = 0
        if write {
            value = try hex("a value")
            try expect(", ")
        }
        try expect("len=")
        let size = try configSize()
        try expect(")")
        if !write {
            skipSpaces()
            value = try hex("the value read")
        }
        try expectEnd()
        return (host, offset, value, size)
    }

    private mutating func configOffset() throws(InputError) -> UInt64 {
        let start = position
        let offset = try hex("a configuration-space offset")
        guard offset <= 0xfff else { throw error(at: start, "configuration-space offset 0x\(String(offset, radix: 16)) is beyond 0xfff") }
        return offset
    }

    private mutating func configSize() throws(InputError) -> UInt8 {
        let start = position
        let size = try hex("a length")
        guard size == 1 || size == 2 || size == 4 else { throw error(at: start, "configuration access length \(size) is not 1, 2 or 4") }
        return UInt8(size)
    }

    /// ` (%s)`, `%s FLR/VFIO_DEVICE_RESET` or ` (%s) %s`: the host device of a vfio reset.
    mutating func vfioResetDevice(_ event: QEMULogEvent) throws(InputError) -> PCIAddress {
        skipSpaces()
        if event == .vfioResetFLR {
            let host = try pciAddress("a host PCI address like 0000:03:00.0")
            try expect(" FLR/VFIO_DEVICE_RESET")
            try expectEnd()
            return host
        }
        try expect("(")
        let host = try pciAddress("a host PCI address like 0000:03:00.0")
        try expect(")")
        if event == .vfioHotReset {
            try expect(" ")
            _ = try word("'one' or 'multi'")
        }
        try expectEnd()
        return host
    }

    /// `Region %s unmap [0x%lx - 0x%lx]`: the region name's range and the unmapped range.
    mutating func vfioUnmap() throws(InputError) -> (name: Range<Int>, first: UInt64, last: UInt64) {
        skipSpaces()
        try expect("Region ")
        let nameStart = position
        let marker: StaticString = " unmap ["
        var p = bytes.count - marker.utf8CodeUnitCount
        while p > nameStart, !matches(marker, at: p) { p -= 1 }
        guard p > nameStart else { throw error(at: nameStart, expected: "a region name, ' unmap [' and a range") }
        let name = nameStart..<p
        position = p + marker.utf8CodeUnitCount
        let first = try hex("the first offset")
        try expect(" - ")
        let lastStart = position
        let last = try hex("the last offset")
        guard last < Region.addressLimit, first <= last else {
            throw error(at: lastStart, expected: "a last offset at or after the first and below 2^52", found: "0x\(String(last, radix: 16))")
        }
        try expect("]")
        try expectEnd()
        return (name, first, last)
    }

    /// `%s %02x:%02x.%x @0x%x -> 0x%x` (`<-` for writes), or the older `%s %02x:%x @0x%x -> 0x%x`.
    mutating func pciConfig(write: Bool) throws(InputError) -> PCIConfigRecord {
        skipSpaces()
        let name = try word("a device name")
        try expect(" ")
        let addressStart = position
        let first = try hexDigits("a PCI address like 01:00.0")
        try expect(":")
        let second = try hexDigits("a PCI address like 01:00.0")
        var address: PCIAddress
        var hasBus = true
        if skip(".") {
            let function = try hexDigits("a PCI function")
            guard first < 256, second < 32, function < 8 else { throw error(at: addressStart, expected: "a PCI address like 01:00.0") }
            address = PCIAddress(bus: UInt8(first), device: UInt8(second), function: UInt8(function))
        } else {
            guard first < 32, second < 8 else { throw error(at: addressStart, expected: "a PCI address like 01:00.0") }
            address = PCIAddress(bus: 0, device: UInt8(first), function: UInt8(second))
            hasBus = false
        }
        try expect(" @")
        let offset = try configOffset()
        if write { try expect(" <- ") } else { try expect(" -> ") }
        let valueStart = position
        let value = try hex("a value")
        guard value <= UInt32.max else { throw error(at: valueStart, "value 0x\(String(value, radix: 16)) does not fit in 4 bytes") }
        try expectEnd()
        return PCIConfigRecord(name: name, address: address, hasBus: hasBus, offset: offset, value: value)
    }

    /// `%s %02x:%02x.%x %d,0x%x+0x%x`, or the older `d=%p %02x:%02x.%x %d,0x%x+0x%x`.
    mutating func barMapping() throws(InputError) -> BARMappingRecord {
        skipSpaces()
        let first = try word("a device name or d=pointer")
        let name: Range<Int>? = skipPrefix("d=", of: first) ? nil : first
        try expect(" ")
        let address = try pciAddress("a PCI address like 01:00.0")
        try expect(" ")
        let bar = try decimal("a BAR number (0-6)", maximum: 6)
        try expect(",")
        let base = try hex("a base address")
        try expect("+")
        let sizeStart = position
        let size = try hex("a size")
        guard size > 0 else { throw error(at: sizeStart, "BAR size 0x0 is empty") }
        guard Region.fits(base: base, size: size) else {
            let (expected, found) = Region.addressLimitExpectation(base: base, size: size)
            throw error(at: sizeStart, expected: expected, found: found)
        }
        try expectEnd()
        return BARMappingRecord(name: name, address: address, bar: UInt8(bar), base: base, size: size)
    }

    /// `dev %s enabled %d masked %d`.
    mutating func msixWriteConfig() throws(InputError) {
        skipSpaces()
        try expect("dev ")
        _ = try word("a device name")
        try expect(" enabled ")
        _ = try decimal("0 or 1", maximum: 1)
        try expect(" masked ")
        _ = try decimal("0 or 1", maximum: 1)
        try expectEnd()
    }

    private func skipPrefix(_ prefix: StaticString, of range: Range<Int>) -> Bool {
        range.count >= prefix.utf8CodeUnitCount && matches(prefix, at: range.lowerBound)
    }

    /// Whether the bytes at `p` are `literal`.
    func matches(_ literal: StaticString, at p: Int) -> Bool {
        guard p >= 0, bytes.count - p >= literal.utf8CodeUnitCount else { return false }
        return bytes.matches(p..<(p + literal.utf8CodeUnitCount), literal)
    }
}
