#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import ArmMemory
import PCIeTransport

/// Writes a trace in the canonical `.mtrace` text form (docs/trace-format.md): the header, then
/// one event per line, formatted straight into a byte buffer that is flushed in large blocks.
///
/// Reading canonical text and writing it back gives the same bytes.
public final class MTraceWriter {
    private static let flushThreshold = 1 << 20

    public let topology: Topology
    private let fd: Int32
    private let ownsDescriptor: Bool
    private let path: String
    private var buffer: [UInt8] = []
    private var regionNames: [[UInt8]]
    private var deviceNames: [[UInt8]]

    /// Writes to the file at `path` (created or truncated; `-` for standard output).
    ///
    /// - Parameter comment: A line written as a `#` comment before the header (e.g. how the
    ///   trace was made); canonical text has none.
    public convenience init(path: String, topology: Topology, comment: String? = nil) throws(InputUnavailableError) {
        if path == "-" {
            self.init(fd: 1, owns: false, path: path, topology: topology, comment: comment)
        } else {
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard fd >= 0 else { throw InputUnavailableError(path: path, reason: String(cString: strerror(errno))) }
            self.init(fd: fd, owns: true, path: path, topology: topology, comment: comment)
        }
    }

    /// Writes into memory; read the result with ``text``.
    public convenience init(topology: Topology, comment: String? = nil) {
        self.init(fd: -1, owns: false, path: "<memory>", topology: topology, comment: comment)
    }

    private init(fd: Int32, owns: Bool, path: String, topology: Topology, comment: String?) {
        self.fd = fd
        self.ownsDescriptor = owns
        self.path = path
        self.topology = topology
        regionNames = topology.regions.map { Array($0.name.utf8) }
        deviceNames = topology.devices.map { Array($0.name.utf8) }
        buffer.reserveCapacity(Self.flushThreshold + 4096)
        if let comment {
            for line in comment.split(separator: "\n", omittingEmptySubsequences: false) { append("# \(line)\n") }
        }
        append(Self.header(topology))
    }

    deinit {
        if ownsDescriptor { close(fd) }
    }

    /// The text written so far, for a writer created without a file.
    public var text: String { String(decoding: buffer, as: UTF8.self) }

    /// The canonical header of a topology: `mtrace 1`, devices, regions, mappings, then the
    /// directives kept for higher layers (`fault`).
    public static func header(_ topology: Topology) -> String {
        var out = "mtrace \(MTraceReader.formatVersion)\n"
        for device in topology.devices {
            out += "device \(device.name)"
            if let bdf = device.bdf { out += " bdf=\(bdf)" }
            out += " model=\(device.model)\n"
        }
        for region in topology.regions {
            out += "region \(region.name) device=\(topology.devices[Int(region.device)].name) kind=\(region.kind.rawValue)"
            out += " base=0x\(String(region.base, radix: 16)) size=0x\(String(region.size, radix: 16))"
            if region.prefetchable { out += " prefetchable=yes" }
            if let bar = region.barIndex { out += " bar=\(bar)" }
            if let mapping = region.hostMapping { out += " vma=\(mapping)" }
            out += "\n"
        }
        for mapping in topology.mappings {
            out += "map \(mapping.addressSpace) \(topology.regions[Int(mapping.region)].name) \(mapping.type.name)\n"
        }
        for directive in topology.directives { out += "\(directive.keyword) \(directive.text)\n" }
        return out
    }

    /// Appends one event line.
    public func write(_ event: TraceEvent) throws(InputUnavailableError) {
        appendDecimal(event.time.nanoseconds)
        buffer.append(0x20)
        appendAgent(event.agent)
        buffer.append(0x20)
        switch event.kind {
        case .read(let access):
            append("read ")
            appendAccess(access)
            if access.hasValue {
                append(" -> ")
                appendValue(access.value)
            }
        case .write(let access):
            append("write ")
            appendAccess(access)
            buffer.append(0x20)
            appendValue(access.value)
        case .barrier(.dmb(let domain, let accesses)):
            append("dmb ")
            append(Barrier.optionSpelling(domain, accesses))
        case .barrier(.dsb(let domain, let accesses)):
            append("dsb ")
            append(Barrier.optionSpelling(domain, accesses))
        case .barrier(.isb):
            append("isb")
        case .guestExit:
            append("exit")
        case .guestEntry:
            append("entry")
        case .teardown(let vm):
            append("teardown vm")
            appendDecimal(UInt64(vm))
        case .unmap(let region, let vm):
            append("unmap ")
            buffer.append(contentsOf: regionNames[Int(region)])
            appendVMSuffix(vm)
        case .tlbi(let tlbi):
            append("tlbi ")
            append(tlbi.operation.rawValue)
            if let address = tlbi.address {
                buffer.append(0x20)
                appendAddress(address, region: tlbi.region)
            }
            appendVMSuffix(tlbi.vm)
        case .configRead(let access):
            append("cfg-read ")
            appendConfig(access)
            if access.hasValue {
                append(" -> 0x")
                appendHex(UInt64(access.value))
            }
        case .configWrite(let access):
            append("cfg-write ")
            appendConfig(access)
            append(" 0x")
            appendHex(UInt64(access.value))
        case .reset(let kind, let device):
            append("reset ")
            append(kind.rawValue)
            buffer.append(0x20)
            buffer.append(contentsOf: deviceNames[Int(device)])
        case .mark(let mark):
            append("mark")
            let text = mark.text
            if !text.isEmpty {
                buffer.append(0x20)
                append(text)
            }
        }
        buffer.append(0x0a)
        if buffer.count >= Self.flushThreshold { try flush() }
    }

    /// Writes buffered text to the file.
    public func flush() throws(InputUnavailableError) {
        guard fd >= 0 else { return }
        var written = 0
        while written < buffer.count {
            let n = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                throw InputUnavailableError(path: path, reason: String(cString: strerror(errno)))
            }
            written += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    // MARK: - Formatting

    @inline(__always) private func append(_ text: String) {
        var text = text
        text.withUTF8 { buffer.append(contentsOf: $0) }
    }

    @inline(__always) private func append(_ text: StaticString) {
        buffer.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    private func appendDecimal(_ value: UInt64) {
        let start = buffer.count
        var v = value
        repeat {
            buffer.append(UInt8(truncatingIfNeeded: 0x30 &+ v % 10))
            v /= 10
        } while v != 0
        buffer[start...].reverse()
    }

    /// Lower-case hex digits without leading zeros (`0` for zero), no prefix.
    private func appendHex(_ value: UInt64, minimumDigits: Int = 1) {
        let digits = max(minimumDigits, (67 - value.leadingZeroBitCount) / 4)
        for i in stride(from: digits - 1, through: 0, by: -1) {
            let nibble = UInt8(truncatingIfNeeded: value >> UInt64(i * 4)) & 0xf
            buffer.append(nibble < 10 ? 0x30 &+ nibble : 0x57 &+ nibble)
        }
    }

    private func appendValue(_ value: AccessValue) {
        append("0x")
        var top = 7
        while top > 0, value.words[top] == 0 { top -= 1 }
        appendHex(value.words[top])
        var w = top - 1
        while w >= 0 {
            appendHex(value.words[w], minimumDigits: 16)
            w -= 1
        }
    }

    private func appendAgent(_ agent: Agent) {
        if agent.role != .host, agent.vm != 0 {
            append("vm")
            appendDecimal(UInt64(agent.vm))
            buffer.append(UInt8(ascii: "."))
        }
        switch agent.role {
        case .host: append("host")
        case .vmm: append("vmm")
        case .vcpu:
            append("vcpu")
            appendDecimal(UInt64(agent.index))
        }
    }

    private func appendVMSuffix(_ vm: UInt16) {
        guard vm != 0 else { return }
        append(" vm")
        appendDecimal(UInt64(vm))
    }

    private func appendAddress(_ address: UInt64, region: RegionID?) {
        if let region {
            buffer.append(contentsOf: regionNames[Int(region)])
            append("+0x")
            appendHex(address &- topology.regions[Int(region)].base)
        } else {
            append("0x")
            appendHex(address)
        }
    }

    private func appendAccess(_ access: MemoryAccess) {
        appendAddress(access.address, region: access.region)
        buffer.append(0x20)
        appendDecimal(UInt64(access.size))
    }

    private func appendConfig(_ access: ConfigAccess) {
        buffer.append(contentsOf: deviceNames[Int(access.device)])
        append(" 0x")
        appendHex(UInt64(access.offset))
        buffer.append(0x20)
        appendDecimal(UInt64(access.size))
    }
}
