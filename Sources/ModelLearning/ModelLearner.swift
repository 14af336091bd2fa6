import ArmMemory
import DeviceModels
import Diagnostics
import MMIOTrace
import PCIeTransport

/// Learns a device model from what a trace recorded of a device: every register offset it
/// accessed, with the sizes used and the value first read, written as device-model YAML
/// (docs/device-models.md) that the replay loads like any model and a user can edit.
///
/// For devices with no built-in model (their model is ``DeviceModel/learnedName``), so that a
/// fault-free replay of a capture answers every access the real device answered instead of UR.
/// A learned register is `rw`: reads return its first recorded value until written; a status
/// register whose value changed by itself shows up as read divergences, not as errors.
public struct ModelLearner {
    /// What was seen of one naturally aligned 8-byte unit of a BAR.
    struct Unit {
        /// Bytes accessed (bit i: byte i of the unit).
        var touched: UInt8 = 0
        /// Bytes whose first access was a read with a recorded value, and those values.
        var known: UInt8 = 0
        var value: UInt64 = 0
        /// Bytes written before being read (their reset value is unknown: 0).
        var written: UInt8 = 0
        /// Whether an 8-byte access was made: the unit is one 8-byte register.
        var quad = false
    }

    /// What was seen of one device.
    struct Seen {
        /// Per BAR index: the units by offset (a multiple of 8).
        var units: [UInt8: [UInt64: Unit]] = [:]
        /// Per BAR index: byte ranges accessed by misaligned or larger-than-8-byte accesses.
        var ranges: [UInt8: [Range<UInt64>]] = [:]
        /// Per BAR index: the end of the furthest access, to size the BAR.
        var barEnds: [UInt8: UInt64] = [:]
        var vendorID: UInt16?
        var deviceID: UInt16?
        var classCode: UInt32?
        var revision: UInt8?
    }

    public let topology: Topology
    /// ``Topology/barIndices()``, computed once.
    private let bars: [UInt8]
    /// The devices being learned, by device ID.
    private var seen: [DeviceID: Seen]

    /// Learns the devices of `topology` whose model is ``DeviceModel/learnedName``.
    public init(topology: Topology) {
        self.topology = topology
        bars = topology.barIndices()
        seen = [:]
        for (index, device) in topology.devices.enumerated() where device.model == DeviceModel.learnedName {
            seen[DeviceID(index)] = Seen()
        }
        for (index, region) in topology.regions.enumerated() where seen[region.device] != nil && region.kind != .config {
            let bar = bars[index]
            seen[region.device]!.barEnds[bar] = max(seen[region.device]!.barEnds[bar] ?? 0, region.size)
        }
    }

    /// Learns from every remaining event of `source`.
    public static func learning(from source: some TraceEventSource) throws -> ModelLearner {
        var learner = ModelLearner(topology: source.topology)
        if learner.isEmpty { return learner }
        while let event = try source.next() { learner.observe(event) }
        return learner
    }

    /// Learns from `events` of a trace with this topology.
    public static func learning(topology: Topology, events: some Sequence<TraceEvent>) -> ModelLearner {
        var learner = ModelLearner(topology: topology)
        if learner.isEmpty { return learner }
        for event in events { learner.observe(event) }
        return learner
    }

    /// Whether any device needs learning.
    public var isEmpty: Bool { seen.isEmpty }

    /// Takes in one event of the trace, in trace order.
    public mutating func observe(_ event: TraceEvent) {
        switch event.kind {
        case .read(let access): memoryAccess(access, read: true)
        case .write(let access): memoryAccess(access, read: false)
        case .configRead(let access) where access.hasValue && seen[access.device] != nil:
            identity(device: access.device, offset: UInt64(access.offset), size: access.size, value: UInt64(access.value))
        default: break
        }
    }

    private mutating func memoryAccess(_ access: MemoryAccess, read: Bool) {
        guard let region = access.region, Int(region) < topology.regions.count else { return }
        let r = topology.regions[Int(region)]
        guard seen[r.device] != nil, access.address >= r.base else { return }
        let offset = access.address - r.base
        let size = UInt64(access.size)
        if r.kind == .config {
            if read, access.hasValue { identity(device: r.device, offset: offset, size: access.size, value: access.value.low64) }
            return
        }
        let bar = bars[Int(region)]
        seen[r.device]!.barEnds[bar] = max(seen[r.device]!.barEnds[bar] ?? 0, offset &+ size)
        guard size <= 8, offset % size == 0 else {
            seen[r.device]!.ranges[bar, default: []].append(offset..<(offset &+ size))
            return
        }
        let base = offset & ~7
        let shift = offset - base
        var unit = seen[r.device]!.units[bar]?[base] ?? Unit()
        let bytes = UInt8(truncatingIfNeeded: (1 << size) - 1) << UInt8(shift)
        if size == 8 { unit.quad = true }
        let fresh = bytes & ~unit.touched
        if read, access.hasValue {
            unit.known |= fresh
            for i in 0..<Int(size) where fresh & (1 << (Int(shift) + i)) != 0 {
                unit.value |= UInt64(access.value.byte(i)) << UInt64((Int(shift) + i) * 8)
            }
        } else if !read {
            unit.written |= fresh
        }
        unit.touched |= bytes
        seen[r.device]!.units[bar, default: [:]][base] = unit
    }

    private mutating func identity(device: DeviceID, offset: UInt64, size: UInt8, value: UInt64) {
        for i in 0..<UInt64(size) {
            let byte = UInt8(truncatingIfNeeded: value >> (i * 8))
            switch offset + i {
            case 0: seen[device]!.vendorID = (seen[device]!.vendorID ?? 0) & 0xff00 | UInt16(byte)
            case 1: seen[device]!.vendorID = (seen[device]!.vendorID ?? 0) & 0x00ff | UInt16(byte) << 8
            case 2: seen[device]!.deviceID = (seen[device]!.deviceID ?? 0) & 0xff00 | UInt16(byte)
            case 3: seen[device]!.deviceID = (seen[device]!.deviceID ?? 0) & 0x00ff | UInt16(byte) << 8
            case 8: seen[device]!.revision = byte
            case 9, 10, 11:
                let shift = UInt32((offset + i - 9) * 8)
                seen[device]!.classCode = (seen[device]!.classCode ?? 0) & ~(0xff << shift) | UInt32(byte) << shift
            default: break
            }
        }
    }

    /// The model files, by device name, in device order.
    /// - Parameter source: What the trace is, for the file's header comment.
    public func yamlFiles(source: String) -> [(device: String, yaml: String)] {
        seen.keys.sorted().map { id in (topology.devices[Int(id)].name, yaml(for: id, source: source)) }
    }

    /// The models, loaded from the YAML they are written as (so that a saved file replays the
    /// same), by device name.
    public func models(source: String) throws(InputError) -> [DeviceModel] {
        try yamlFiles(source: source).map { file throws(InputError) in
            try DeviceModel.load(yaml: file.yaml, file: "learned model of \(file.device)")
        }
    }

    private func yaml(for id: DeviceID, source: String) -> String {
        let device = topology.devices[Int(id)]
        let seen = self.seen[id]!
        var out = """
            # Learned by mmio-replay from \(source): the registers device '\(device.name)' showed in it,
            # each `rw` with the value first read as its reset value (0 where written first).
            # Edit freely (access types, side effects, what an unknown access gets) and pass the
            # file with --device-model; docs/device-models.md describes every key.
            name: \(DeviceModel.learnedName(of: device.name))
            summary: "learned from \(source.replacingOccurrences(of: "\"", with: "'")): \(device.name)"

            """
        if device.bdf != nil {
            out += "pci: {vendor-id: 0x\(hex(UInt64(seen.vendorID ?? 0xffff), 4)), device-id: 0x\(hex(UInt64(seen.deviceID ?? 0xffff), 4))"
            out += ", class: 0x\(hex(UInt64(seen.classCode ?? 0), 6)), revision: 0x\(hex(UInt64(seen.revision ?? 0), 2))}"
            out += seen.vendorID == nil ? "   # not read in the capture\n" : "\n"
        }
        out += "unsupported: ur                   # what the capture never showed\nbars:" + (seen.barEnds.isEmpty ? " {}\n" : "\n")
        for bar in seen.barEnds.keys.sorted() {
            let end = seen.barEnds[bar]!
            var size: UInt64 = 16
            while size < end, size < 1 << 62 { size <<= 1 }
            out += "  \(bar):\n    size: 0x\(hex(size, 1))\n"
            let ranges = Self.merged(seen.ranges[bar] ?? [])
            let units = (seen.units[bar] ?? [:]).sorted { $0.key < $1.key }.filter { unit in
                !ranges.contains { $0.overlaps(unit.key..<(unit.key + 8)) }
            }
            if !ranges.isEmpty {
                out += "    memory:                       # misaligned or wide accesses: plain memory\n"
                for range in ranges {
                    out += "      - {offset: 0x\(hex(range.lowerBound, 1)), size: 0x\(hex(UInt64(range.count), 1))}\n"
                }
            }
            if !units.isEmpty { out += "    registers:\n" }
            for (offset, unit) in units {
                if unit.quad {
                    out += register(bar: bar, offset: offset, value: unit.value & Self.mask(unit.known), sizes: "[1, 2, 4, 8]")
                    continue
                }
                for half in [UInt64(0), 4] where unit.touched >> UInt8(half) & 0xf != 0 {
                    let known = Self.mask(unit.known) >> (half * 8) & 0xffff_ffff
                    out += register(bar: bar, offset: offset + half, value: unit.value >> (half * 8) & known, sizes: "[1, 2, 4]")
                }
            }
        }
        return out
    }

    private func register(bar: UInt8, offset: UInt64, value: UInt64, sizes: String) -> String {
        "      - {name: bar\(bar)_\(hex(offset, 5)), offset: 0x\(hex(offset, 1)), sizes: \(sizes), access: rw, reset: 0x\(hex(value, 1))}\n"
    }

    /// The bit mask of the bytes set in `bytes`.
    private static func mask(_ bytes: UInt8) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { bytes & (1 << $1) != 0 ? $0 | 0xff << UInt64($1 * 8) : $0 }
    }

    /// Overlapping or adjacent ranges joined, widened to whole 8-byte units so that they never
    /// split a register.
    static func merged(_ ranges: [Range<UInt64>]) -> [Range<UInt64>] {
        var result: [Range<UInt64>] = []
        for range in ranges.map({ ($0.lowerBound & ~7)..<(($0.upperBound &+ 7) & ~7) }).sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = result.last, range.lowerBound <= last.upperBound {
                result[result.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
            } else {
                result.append(range)
            }
        }
        return result
    }

    private func hex(_ value: UInt64, _ digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
