import ArmMemory
import Diagnostics
import MMIOTrace
import PCIeTransport

/// What the first pass learns: devices, BARs and which event streams the log has. Its size
/// grows with the number of devices and BARs, never with the file.
struct QEMULogSurvey {
    /// PCI functions in order of first appearance, with the first name the log gives each.
    var functions: [PCIAddress] = []
    var functionsSeen = Set<PCIAddress>()
    var functionNames: [PCIAddress: String] = [:]
    /// Functions named only by the older `pci_cfg_*` form (`slot:function`, no bus).
    var busless: [BuslessKey] = []
    var buslessSeen = Set<BuslessKey>()
    /// BARs in order of first mapping, with their first base and size.
    var bars: [BARKey] = []
    var firstMapping: [BARKey: (base: UInt64, size: UInt64)] = [:]
    /// Assigned (vfio) devices by host address, in order of first appearance, and the extent
    /// of each BAR region their events touch.
    var vfioDevices: [PCIAddress] = []
    var vfioBars: [BARKey] = []
    var vfioExtent: [BARKey: UInt64] = [:]
    var sawMemoryRegionOps = false
    /// The thread (or process) ids of the prefixes, in order of appearance.
    var threads: [UInt64] = []
    var sawDecodedConfig = false
    var sawPCIConfig = false
    var sawVFIORegion = false
    /// The first timestamp of the log: event times are made relative to it (QEMU stamps lines
    /// with wall-clock time, nanoseconds since the Unix epoch, which a replay cannot count in
    /// picoseconds).
    var firstTime: UInt64?
    /// Whether some access was made by no vCPU (`cpu -1`).
    var sawAccessWithoutCPU = false

    mutating func function(_ address: PCIAddress, name: String?) {
        if functionNames[address] == nil {
            if functionsSeen.insert(address).inserted { functions.append(address) }
            if let name { functionNames[address] = name }
        }
    }

    /// A BAR mapped at `base`: the first mapping of each BAR declares it.
    mutating func mapped(_ key: BARKey, base: UInt64, size: UInt64) {
        if firstMapping[key] == nil {
            bars.append(key)
            firstMapping[key] = (base, size)
        }
    }

    mutating func vfio(_ host: PCIAddress) {
        if !vfioDevices.contains(host) { vfioDevices.append(host) }
    }

    mutating func vfioTouch(_ host: PCIAddress, bar: UInt64, end: UInt64) {
        vfio(host)
        guard bar <= 5 else { return }
        let key = BARKey(function: host, bar: UInt8(bar))
        if let extent = vfioExtent[key] {
            vfioExtent[key] = max(extent, end)
        } else {
            vfioBars.append(key)
            vfioExtent[key] = end
        }
    }
}

struct BARKey: Hashable {
    var function: PCIAddress
    var bar: UInt8
}

struct BuslessKey: Hashable {
    var name: String
    var device: UInt8
    var function: UInt8
}

extension QEMULogSurvey {
    /// Learns what one line of the log says (its prefix, and the arguments of the events that
    /// declare devices and BARs).
    /// - Throws: ``InputError`` for a malformed line.
    mutating func add(_ bytes: UnsafeBufferPointer<UInt8>, file: CaptureFileName, line: Int) throws {
        var s = QEMULogScanner(bytes, file: file, line: line)
        guard case .event(let key, let time, let name) = try s.classify() else { return }
        if let key, !threads.contains(key) { threads.append(key) }
        if firstTime == nil { firstTime = time }
        guard let event = QEMULogEvent(s, name) else { return }
        switch event {
        case .opsRead, .opsWrite:
            sawMemoryRegionOps = true
            let access = try s.memoryRegionAccess()
            if access.cpu == nil { sawAccessWithoutCPU = true }
            if let name = access.name,
               name.count == 15 && s.matches("pcie-mmcfg-mmio", at: name.lowerBound) || name.count == 13 && s.matches("pci-conf-data", at: name.lowerBound) {
                sawDecodedConfig = true
            }
        case .cfgRead, .cfgWrite:
            sawPCIConfig = true
            let record = try s.pciConfig(write: event == .cfgWrite)
            let name = s.text(record.name)
            if record.hasBus {
                function(record.address, name: name)
            } else {
                let key = BuslessKey(name: name, device: record.address.device, function: record.address.function)
                if buslessSeen.insert(key).inserted { busless.append(key) }
            }
        case .mappingsAdd:
            let record = try s.barMapping()
            function(record.address, name: record.name.map(s.text))
            guard record.bar <= 5 else { return }
            mapped(BARKey(function: record.address, bar: record.bar), base: record.base, size: record.size)
        case .mappingsDel:
            let record = try s.barMapping()
            function(record.address, name: record.name.map(s.text))
        case .vfioRegionRead, .vfioRegionWrite:
            sawVFIORegion = true
            let access = try s.vfioRegionAccess(write: event == .vfioRegionWrite)
            vfioTouch(access.host, bar: access.index, end: access.offset + UInt64(access.size))
        case .vfioReadConfig, .vfioWriteConfig:
            vfio(try s.vfioConfigAccess(write: event == .vfioWriteConfig).host)
        case .vfioReset, .vfioResetFLR, .vfioHotReset:
            vfio(try s.vfioResetDevice(event))
        case .vfioRegionUnmap:
            let unmap = try s.vfioUnmap()
            if let (host, bar) = QEMULogReader.vfioBAR(named: unmap.name, in: s) {
                vfioTouch(host, bar: bar, end: unmap.last &+ 1)
            }
        case .msixWriteConfig:
            return
        }
    }

    /// Adds what the lines right after these taught (each first appearance in its order, the
    /// first name, mapping and time, the largest extents): the same as reading all the lines
    /// into one survey.
    mutating func merge(_ later: QEMULogSurvey) {
        for address in later.functions { function(address, name: later.functionNames[address]) }
        for key in later.busless where buslessSeen.insert(key).inserted { busless.append(key) }
        for key in later.bars {
            if let first = later.firstMapping[key] { mapped(key, base: first.base, size: first.size) }
        }
        for host in later.vfioDevices { vfio(host) }
        for key in later.vfioBars {
            if let end = later.vfioExtent[key] { vfioTouch(key.function, bar: UInt64(key.bar), end: end) }
        }
        for key in later.threads where !threads.contains(key) { threads.append(key) }
        if firstTime == nil { firstTime = later.firstTime }
        sawMemoryRegionOps = sawMemoryRegionOps || later.sawMemoryRegionOps
        sawDecodedConfig = sawDecodedConfig || later.sawDecodedConfig
        sawPCIConfig = sawPCIConfig || later.sawPCIConfig
        sawVFIORegion = sawVFIORegion || later.sawVFIORegion
        sawAccessWithoutCPU = sawAccessWithoutCPU || later.sawAccessWithoutCPU
    }
}

/// The first pass as a ``ChunkedLineParser``: each chunk's survey, which the reader merges in
/// file order. It gives no events.
struct QEMULogSurveyParser: CaptureLineParser {
    var file: CaptureFileName
    var lineNumber = 0
    private var survey = QEMULogSurvey()

    init(fileName: String) { file = CaptureFileName(fileName) }

    mutating func beginChunk() { survey = QEMULogSurvey() }

    mutating func parseLine(_ line: UnsafeBufferPointer<UInt8>, into event: UnsafeMutablePointer<TraceEvent>) throws -> Bool {
        try survey.add(line, file: file, line: lineNumber)
        return false
    }

    mutating func endChunk() -> QEMULogSurvey { survey }
}

extension QEMULogReader {
    /// The first pass: reads prefixes and event names, and the arguments of the events that
    /// declare devices and BARs; on `threads` threads, in chunks of about `chunkSize` bytes.
    static func survey(_ lines: CaptureLineReader, fileName: String, threads: Int, chunkSize: Int) throws -> QEMULogSurvey {
        var survey = QEMULogSurvey()
        var lastLine: Int
        if threads > 1 {
            lastLine = try lines.parseInParallel(QEMULogSurveyParser(fileName: fileName), threads: threads, chunkSize: chunkSize) { later, _ in
                survey.merge(later)
            }
        } else {
            let file = CaptureFileName(fileName)
            while let bytes = try lines.nextLine() { try survey.add(bytes, file: file, line: lines.lineNumber) }
            lastLine = lines.lineNumber
        }
        try Topology.checkCounts(devices: survey.functions.count + survey.busless.count + survey.vfioDevices.count,
                                 regions: survey.bars.count + survey.vfioBars.count,
                                 at: SourceLocation(file: fileName, line: max(lastLine, 1), column: 1),
                                 why: "one per PCI function and BAR the log names")
        return survey
    }

    /// The host function and BAR of a vfio MemoryRegion name, `DDDD:BB:DD.F BAR n[ mmaps[i]]`.
    static func vfioBAR(named name: Range<Int>, in scanner: QEMULogScanner) -> (PCIAddress, UInt64)? {
        var s = scanner
        s.position = name.lowerBound
        guard let host = try? s.pciAddress(""), s.skip(" BAR "), let bar = try? s.decimal("", maximum: 5) else { return nil }
        guard s.position == name.upperBound || s.matches(" mmaps[", at: s.position) else { return nil }
        return (host, bar)
    }

    /// Synthetic bases of vfio BARs start here: vfio events carry offsets, not guest addresses.
    static let vfioWindow: UInt64 = 1 << 40

    /// Devices (PCI functions named by the log, then busless ones, then vfio devices), their BAR
    /// regions, and a stage-1 mapping of every region for every address space the agents use.
    static func topology(_ survey: QEMULogSurvey, settings: CaptureSettings, agents: [Agent]) -> QEMULogTables {
        var tables = QEMULogTables()
        var topology = Topology()
        var used: Set<String> = []
        func addDevice(_ logName: String, bdf: PCIAddress) -> DeviceID {
            var name = sanitized(logName)
            if used.contains(name) {
                var n = 2
                while used.contains("\(name)-\(n)") { n += 1 }
                name = "\(name)-\(n)"
            }
            used.insert(name)
            // QEMU names a device by its model's type name: its own NVMe controller and e1000e.
            let model: String
            if let chosen = settings.models[name] {
                (model, tables.modelReasons[name]) = (chosen, "from the side file")
            } else if ["nvme", "e1000e"].contains(logName) {
                (model, tables.modelReasons[name]) = (logName, "QEMU device type \(logName)")
            } else {
                (model, tables.modelReasons[name]) = (CaptureSettings.defaultModel, "no built-in model for this device")
            }
            topology.devices.append(Device(name: name, bdf: bdf, model: model))
            let id = DeviceID(topology.devices.count - 1)
            if tables.deviceByLogName[logName] == nil { tables.deviceByLogName[logName] = id }
            return id
        }
        for address in survey.functions {
            let logName = survey.functionNames[address] ?? "pci-\(hex2(address.bus))-\(hex2(address.device))-\(address.function)"
            tables.deviceByFunction[address] = addDevice(logName, bdf: address)
        }
        for key in survey.busless {
            let match = survey.functions.filter {
                survey.functionNames[$0] == key.name && $0.device == key.device && $0.function == key.function
            }
            if match.count == 1, let id = tables.deviceByFunction[match[0]] {
                tables.deviceByBusless[key] = id
            } else {
                let address = PCIAddress(bus: 0, device: key.device, function: key.function)
                let id = tables.deviceByFunction[address] ?? addDevice(key.name, bdf: address)
                tables.deviceByFunction[address] = id
                tables.deviceByBusless[key] = id
            }
        }
        for key in survey.bars {
            guard let device = tables.deviceByFunction[key.function], let mapping = survey.firstMapping[key] else { continue }
            topology.regions.append(Region(name: "\(topology.devices[Int(device)].name)-bar\(key.bar)", device: device, kind: .bar,
                                           base: mapping.base, size: mapping.size, barIndex: key.bar))
            tables.barRegion[BARRegionKey(device: device, bar: key.bar)] = RegionID(topology.regions.count - 1)
        }
        for host in survey.vfioDevices {
            let a = host
            tables.vfioDevice[host] = addDevice("vfio-\(hex4(a.domain))-\(hex2(a.bus))-\(hex2(a.device))-\(a.function)", bdf: host)
        }
        var next = vfioWindow
        for key in survey.vfioBars {
            guard let device = tables.vfioDevice[key.function], let extent = survey.vfioExtent[key] else { continue }
            let size = max(0x1000, extent <= 1 ? 1 : UInt64(1) << (64 - (extent - 1).leadingZeroBitCount))
            next = (next + size - 1) & ~(size - 1)
            topology.regions.append(Region(name: "\(topology.devices[Int(device)].name)-bar\(key.bar)", device: device, kind: .bar,
                                           base: next, size: size, barIndex: key.bar))
            tables.barRegion[BARRegionKey(device: device, bar: key.bar)] = RegionID(topology.regions.count - 1)
            next += size
        }
        let spaces = Set(agents.map(\.addressSpace)).sorted()
        for (index, region) in topology.regions.enumerated() {
            let type = settings.stage1[region.name] ?? CaptureSettings.defaultStage1
            for space in spaces {
                topology.mappings.append(Mapping(addressSpace: space, region: RegionID(index), type: type))
            }
        }
        tables.topology = topology
        tables.deviceByName = Dictionary(topology.devices.enumerated().map { ($1.name, DeviceID($0)) }, uniquingKeysWith: { first, _ in first })
        return tables
    }

    /// A device name valid in the trace model: letters, digits, `_` and `-`, starting with a letter.
    private static func sanitized(_ name: String) -> String {
        var out = String(name.unicodeScalars.map { scalar -> Character in
            let v = scalar.value
            let ok = (0x61...0x7a).contains(v | 0x20) || (0x30...0x39).contains(v) || v == 0x5f || v == 0x2d
            return ok ? Character(scalar) : "-"
        })
        if out.first.map({ !$0.isLetter }) ?? true { out = "d-" + out }
        return out
    }

    private static func hex2(_ v: UInt8) -> String { (v < 16 ? "0" : "") + String(v, radix: 16) }
    private static func hex4(_ v: UInt16) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 4 - s.count) + s
    }
}

struct BARRegionKey: Hashable {
    var device: DeviceID
    var bar: UInt8
}

/// The topology and the lookup tables the second pass resolves names and addresses with.
struct QEMULogTables {
    var topology = Topology()
    var deviceByFunction: [PCIAddress: DeviceID] = [:]
    var deviceByBusless: [BuslessKey: DeviceID] = [:]
    var deviceByLogName: [String: DeviceID] = [:]
    /// Devices by their topology name (the first, should two share one).
    var deviceByName: [String: DeviceID] = [:]
    var vfioDevice: [PCIAddress: DeviceID] = [:]
    var barRegion: [BARRegionKey: RegionID] = [:]
    /// Why each device got its model, by device name.
    var modelReasons: [String: String] = [:]
}
