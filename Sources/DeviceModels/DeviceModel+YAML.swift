import Diagnostics
import PCIeTransport
import YAMLInput
import Yams

/// Device models from YAML (schema in `docs/device-models.md`).
extension DeviceModel {
    /// The keys of a model file, of a BAR, of a register, of a side effect and its target, of
    /// `pci`, `flr` and `aer`.
    static let modelKeys = ["name", "summary", "pci", "unsupported", "unmapped", "bars", "flr", "aer"]
    static let barKeys = ["size", "prefetchable", "shared", "memory", "registers"]
    static let memoryKeys = ["offset", "size"]
    static let registerKeys = ["name", "offset", "sizes", "access", "reset", "count", "stride", "side-effects"]
    static let sideEffectKeys = ["when-written-bit", "value", "sets", "clears"]
    static let targetKeys = ["register", "bit", "after-ns"]
    static let pciKeys = ["vendor-id", "device-id", "class", "revision"]
    static let flrKeys = ["ready-after-ns", "discard-posted", "non-posted"]
    static let aerKeys = ["masked", "fatal"]

    /// Reads a model from YAML text.
    ///
    /// - Parameters:
    ///   - yaml: The file's text.
    ///   - file: The file name to put in error locations and in ``source``.
    ///   - source: What ``source`` says; `file <file>` when nil.
    /// - Throws: ``InputError`` at the offending node: YAML syntax, unknown keys and keywords
    ///   (with did-you-mean), missing required keys, numbers out of range, registers and memory
    ///   ranges outside their BAR, misaligned or overlapping, duplicate register names, side
    ///   effects on registers that ignore writes or aimed at unknown registers or bits.
    public static func load(yaml: String, file: String, source: String? = nil) throws(InputError) -> DeviceModel {
        try ModelYAMLReader(yaml: yaml, file: file).model(source: source ?? "file \(file)")
    }
}

/// Turns a composed YAML document into a ``DeviceModel``, locating every error.
private struct ModelYAMLReader: YAMLReading {
    let yaml: String
    let file: String

    /// A side effect whose target is still a name.
    struct UnresolvedEffect {
        var triggerBit: UInt8
        var triggerValue: Bool
        var target: Node
        var targetBit: Node
        var targetValue: Bool
        var delayNs: UInt64
    }

    /// A register as read, before side-effect targets are resolved.
    struct RegisterEntry {
        var register: Register
        var node: Node
        var effects: [UnresolvedEffect]
    }

    func model(source: String) throws(InputError) -> DeviceModel {
        let root = try self.source.compose(expected: "a mapping of model keys")
        let fields = try mapping(root, keys: DeviceModel.modelKeys, what: "a model key", expected: "a mapping of model keys")
        guard let nameNode = fields["name"] else {
            throw InputError(location(root.mark), "expected key 'name' (the model's name), found none")
        }
        let name = try scalar(nameNode, expected: "a model name")
        guard !name.isEmpty else { throw error(nameNode, expected: "a model name") }
        let summary = try fields["summary"].map { node throws(InputError) in try scalar(node, expected: "a one-line summary") }
        let pci = try fields["pci"].map { node throws(InputError) in try pciIdentity(node) }
        let unsupported = try fields["unsupported"].map { node throws(InputError) in try errorResponse(node) } ?? .ur
        let unmapped = try fields["unmapped"].map { node throws(InputError) in try unmappedResponse(node) }
        let flr = try fields["flr"].map { node throws(InputError) in try flrBehaviour(node) } ?? FLRBehaviour()
        let aer = try fields["aer"].map { node throws(InputError) in try aerRegisters(node) } ?? AERRegisters()
        guard let barsNode = fields["bars"] else {
            throw InputError(location(root.mark), "expected key 'bars' (the BARs by number), found none")
        }
        let bars = try self.bars(barsNode)
        return DeviceModel(name: name, summary: summary ?? "user model from \(file)", source: source, pci: pci,
                           unsupported: unsupported, unmapped: unmapped, bars: bars, flr: flr, aer: aer)
    }

    // MARK: BARs and registers

    private func bars(_ node: Node) throws(InputError) -> [DeviceModel.BAR] {
        guard case .mapping(let mapping) = node else { throw error(node, expected: "a mapping from BAR number (0-5) to BAR") }
        var read: [(bar: DeviceModel.BAR, entries: [RegisterEntry])] = []
        for (key, value) in mapping {
            let index = try number(key, expected: "a BAR number (0-5)", range: 0...5)
            if read.contains(where: { $0.bar.index == UInt8(index) }) {
                throw InputError(location(key.mark), "expected each BAR once, found BAR \(index) more than once")
            }
            read.append(try bar(value, index: UInt8(index)))
        }
        read.sort { $0.bar.index < $1.bar.index }
        // Registers are numbered BAR by BAR in file order, as DeviceModel numbers them.
        let entries = read.flatMap(\.entries)
        var indexByName: [String: Int] = [:]
        for (index, entry) in entries.enumerated() {
            if indexByName[entry.register.name] != nil {
                throw InputError(location(entry.node.mark), "expected register names to be unique, found '\(entry.register.name)' again")
            }
            indexByName[entry.register.name] = index
        }
        return try read.map { item throws(InputError) in
            var bar = item.bar
            bar.registers = try item.entries.map { entry throws(InputError) in
                var register = entry.register
                register.sideEffects = try entry.effects.map { effect throws(InputError) in
                    try resolve(effect, in: entries, indexByName: indexByName)
                }
                return register
            }
            return bar
        }
    }

    private func resolve(_ effect: UnresolvedEffect, in entries: [RegisterEntry], indexByName: [String: Int]) throws(InputError) -> SideEffect {
        let name = try scalar(effect.target, expected: "a register name")
        guard let target = indexByName[name] else {
            throw error(effect.target, expected: "a register of this model", choices: entries.map(\.register.name))
        }
        let width = entries[target].register.sizes.width
        let bit = try number(effect.targetBit, expected: "a bit of \(name) (0-\(width * 8 - 1))", range: 0...UInt64(width * 8 - 1))
        return SideEffect(triggerBit: effect.triggerBit, triggerValue: effect.triggerValue, targetRegister: target,
                          targetBit: UInt8(bit), targetValue: effect.targetValue, delayNs: effect.delayNs)
    }

    private func bar(_ node: Node, index: UInt8) throws(InputError) -> (bar: DeviceModel.BAR, entries: [RegisterEntry]) {
        let fields = try mapping(node, keys: DeviceModel.barKeys, what: "a BAR key", expected: "a mapping of BAR keys")
        guard let sizeNode = fields["size"] else {
            throw InputError(location(node.mark), "expected key 'size' (the BAR's size in bytes), found none")
        }
        let size = try number(sizeNode, expected: "a BAR size (a power of two, at least 16)", range: 16...(1 << 62))
        guard size & (size - 1) == 0 else { throw error(sizeNode, expected: "a BAR size (a power of two, at least 16)") }
        let prefetchable = try fields["prefetchable"].map { node throws(InputError) in try bool(node) } ?? false
        let shared = try fields["shared"].map { node throws(InputError) in try bool(node) } ?? false

        // Every register and memory range, with the node to blame for an overlap.
        var spans: [(start: UInt64, end: UInt64, what: String, node: Node)] = []
        var memory: [DeviceModel.MemoryRange] = []
        if let memoryNode = fields["memory"] {
            for item in try sequence(memoryNode, expected: "a list of memory ranges") {
                let range = try memoryRange(item, barSize: size)
                memory.append(range)
                spans.append((range.offset, range.offset + range.size, "memory range at \(hex(range.offset))", item))
            }
        }
        var entries: [RegisterEntry] = []
        if let registersNode = fields["registers"] {
            for item in try sequence(registersNode, expected: "a list of registers") {
                for entry in try registers(item, barSize: size) {
                    entries.append(entry)
                    let r = entry.register
                    spans.append((r.offset, r.offset + UInt64(r.sizes.width), "register \(r.name) at \(hex(r.offset))", entry.node))
                }
            }
        }
        let sorted = spans.enumerated().sorted { ($0.element.start, $0.offset) < ($1.element.start, $1.offset) }.map(\.element)
        for (earlier, later) in zip(sorted, sorted.dropFirst()) where later.start < earlier.end {
            throw InputError(location(later.node.mark), "expected registers and memory ranges not to overlap, found "
                + "\(later.what) inside \(earlier.what) of BAR \(index)")
        }
        let bar = DeviceModel.BAR(index: index, size: size, prefetchable: prefetchable, shared: shared, memory: memory, registers: [])
        return (bar, entries)
    }

    private func memoryRange(_ node: Node, barSize: UInt64) throws(InputError) -> DeviceModel.MemoryRange {
        let fields = try mapping(node, keys: DeviceModel.memoryKeys, what: "a memory range key", expected: "a mapping with offset and size")
        let offset = try required(fields, "offset", of: node, meaning: "the range's offset in the BAR")
        let size = try required(fields, "size", of: node, meaning: "the range's size in bytes")
        let start = try number(offset, expected: "an offset inside the BAR (below \(hex(barSize)))", range: 0...(barSize - 1))
        let length = try number(size, expected: "a size that fits in the BAR (1-\(hex(barSize - start)))", range: 1...(barSize - start))
        return DeviceModel.MemoryRange(offset: start, size: length)
    }

    /// One register entry, expanded to `count` registers named `<name>0`, `<name>1`, … when
    /// `count` is given.
    private func registers(_ node: Node, barSize: UInt64) throws(InputError) -> [RegisterEntry] {
        let fields = try mapping(node, keys: DeviceModel.registerKeys, what: "a register key", expected: "a mapping of register keys")
        let nameNode = try required(fields, "name", of: node, meaning: "the register's name")
        let name = try scalar(nameNode, expected: "a register name")
        guard !name.isEmpty else { throw error(nameNode, expected: "a register name") }
        let sizes = try fields["sizes"].map { node throws(InputError) in try accessSizes(node) } ?? .four
        let width = UInt64(sizes.width)
        let access = try fields["access"].map { node throws(InputError) in try registerAccess(node) } ?? .rw
        let resetMax: UInt64 = width == 8 ? .max : (1 << (width * 8)) - 1
        let reset = try fields["reset"].map { node throws(InputError) in
            try number(node, expected: "a reset value that fits in \(width) bytes", range: 0...resetMax)
        } ?? 0
        let count = try fields["count"].map { node throws(InputError) in try number(node, expected: "a register count (1-4096)", range: 1...4096) }
        let stride = try fields["stride"].map { node throws(InputError) in
            try number(node, expected: "a stride of at least the register's width (\(width))", range: width...barSize)
        } ?? width
        let effects = try fields["side-effects"].map { node throws(InputError) in try sideEffects(node, width: width) } ?? []
        if !effects.isEmpty, !access.storesWrites {
            throw InputError(location(fields["side-effects"]?.mark), "expected side effects only on a register that stores writes "
                + "(rw, wo, w1c, doorbell), found them on \(access.rawValue) register \(name)")
        }
        let offsetNode = try required(fields, "offset", of: node, meaning: "the register's offset in the BAR")
        let offset = try number(offsetNode, expected: "an offset inside the BAR (below \(hex(barSize)))", range: 0...(barSize - 1))
        guard offset % width == 0 else {
            throw InputError(location(offsetNode.mark), "expected an offset aligned to the register's width (\(width) bytes), found \(hex(offset))")
        }
        let copies = count ?? 1
        if stride % width != 0 {
            throw InputError(location(fields["stride"]?.mark), "expected a stride that is a multiple of the register's width (\(width)), found \(stride)")
        }
        let (spread, overflow) = (copies - 1).multipliedReportingOverflow(by: stride)
        let last = offset &+ spread
        guard !overflow, spread <= barSize - width - offset else {
            let what = count == nil ? "register \(name)" : "the last of \(copies) \(name) registers (at \(hex(last)))"
            throw InputError(location(node.mark), "expected \(what) to fit in the BAR of \(hex(barSize)) bytes")
        }
        return (0..<copies).map { i in
            let register = Register(name: count == nil ? name : "\(name)\(i)", offset: offset + i * stride, sizes: sizes,
                                    access: access, reset: reset, sideEffects: [])
            return RegisterEntry(register: register, node: node, effects: effects)
        }
    }

    private func sideEffects(_ node: Node, width: UInt64) throws(InputError) -> [UnresolvedEffect] {
        try sequence(node, expected: "a list of side effects").map { item throws(InputError) in
            let fields = try mapping(item, keys: DeviceModel.sideEffectKeys, what: "a side-effect key", expected: "a mapping of side-effect keys")
            let bitNode = try required(fields, "when-written-bit", of: item, meaning: "the bit of this register that triggers it")
            let bit = try number(bitNode, expected: "a bit of this register (0-\(width * 8 - 1))", range: 0...(width * 8 - 1))
            let value = try fields["value"].map { node throws(InputError) in try number(node, expected: "0 or 1", range: 0...1) } ?? 1
            let action: (node: Node, sets: Bool)
            switch (fields["sets"], fields["clears"]) {
            case (let target?, nil): action = (target, true)
            case (nil, let target?): action = (target, false)
            default:
                throw InputError(location(item.mark), "expected exactly one of 'sets' and 'clears' (the target bit), found "
                    + (fields["sets"] == nil ? "neither" : "both"))
            }
            let target = try mapping(action.node, keys: DeviceModel.targetKeys, what: "a target key", expected: "a mapping with register, bit and after-ns")
            let register = try required(target, "register", of: action.node, meaning: "the register whose bit changes")
            let targetBit = try required(target, "bit", of: action.node, meaning: "the bit that changes")
            let delay = try target["after-ns"].map { node throws(InputError) in try number(node, expected: "a delay in nanoseconds", range: 0...(UInt64.max / 1000)) } ?? 0
            return UnresolvedEffect(triggerBit: UInt8(bit), triggerValue: value == 1, target: register, targetBit: targetBit,
                                    targetValue: action.sets, delayNs: delay)
        }
    }

    private func accessSizes(_ node: Node) throws(InputError) -> AccessSizes {
        let expected = "access sizes from 1, 2, 4, 8 (e.g. [4] or [4, 8])"
        var sizes = AccessSizes()
        for item in try sequence(node, expected: expected) {
            let size = try number(item, expected: "an access size (1, 2, 4 or 8)", range: 1...8)
            guard size & (size - 1) == 0 else { throw error(item, expected: "an access size (1, 2, 4 or 8)") }
            sizes.insert(AccessSizes(rawValue: UInt8(size)))
        }
        guard !sizes.isEmpty else { throw error(node, expected: expected) }
        return sizes
    }

    private func registerAccess(_ node: Node) throws(InputError) -> RegisterAccess {
        let names = RegisterAccess.allCases.map(\.rawValue) + ["fifo"]
        let expected = "a register access (\(names.joined(separator: ", ")))"
        let text = try scalar(node, expected: expected)
        if text == "fifo" { return .doorbell }
        guard let access = RegisterAccess(rawValue: text) else { throw error(node, expected: expected, choices: names) }
        return access
    }

    // MARK: PCI identity, FLR, AER

    private func pciIdentity(_ node: Node) throws(InputError) -> PCIIdentity {
        let fields = try mapping(node, keys: DeviceModel.pciKeys, what: "a pci key", expected: "a mapping of pci keys")
        let vendor = try number(try required(fields, "vendor-id", of: node, meaning: "the PCI vendor ID"), expected: "a 16-bit vendor ID", range: 0...0xffff)
        let device = try number(try required(fields, "device-id", of: node, meaning: "the PCI device ID"), expected: "a 16-bit device ID", range: 0...0xffff)
        let classCode = try fields["class"].map { node throws(InputError) in try number(node, expected: "a 24-bit class code", range: 0...0xff_ffff) } ?? 0
        let revision = try fields["revision"].map { node throws(InputError) in try number(node, expected: "an 8-bit revision ID", range: 0...0xff) } ?? 0
        return PCIIdentity(vendorID: UInt16(vendor), deviceID: UInt16(device), classCode: UInt32(classCode), revision: UInt8(revision))
    }

    private func flrBehaviour(_ node: Node) throws(InputError) -> FLRBehaviour {
        let fields = try mapping(node, keys: DeviceModel.flrKeys, what: "an flr key", expected: "a mapping of flr keys")
        var flr = FLRBehaviour()
        if let ready = fields["ready-after-ns"] { flr.readyAfterNs = try number(ready, expected: "a time in nanoseconds", range: 0...(UInt64.max / 1000)) }
        if let discard = fields["discard-posted"] { flr.discardPosted = try bool(discard) }
        if let nonPosted = fields["non-posted"] { flr.nonPosted = try errorResponse(nonPosted) }
        return flr
    }

    private func aerRegisters(_ node: Node) throws(InputError) -> AERRegisters {
        let fields = try mapping(node, keys: DeviceModel.aerKeys, what: "an aer key", expected: "a mapping of aer keys")
        var aer = AERRegisters()
        if let masked = fields["masked"] { aer.mask = try errorBits(masked) }
        if let fatal = fields["fatal"] { aer.severity = try errorBits(fatal) }
        return aer
    }

    private func errorBits(_ node: Node) throws(InputError) -> UInt32 {
        let names = UncorrectableError.allCases.map(\.name)
        let expected = "an uncorrectable error (\(names.joined(separator: ", ")))"
        var bits: UInt32 = 0
        for item in try sequence(node, expected: "a list of uncorrectable errors") {
            let text = try scalar(item, expected: expected)
            guard let error = UncorrectableError.allCases.first(where: { $0.name == text }) else {
                throw self.error(item, expected: expected, choices: names)
            }
            bits |= error.bit
        }
        return bits
    }

    private func errorResponse(_ node: Node) throws(InputError) -> ErrorResponse {
        let names = ErrorResponse.allCases.map(\.rawValue)
        let expected = "an error response (ur, ca)"
        guard let response = ErrorResponse(rawValue: try scalar(node, expected: expected)) else {
            throw error(node, expected: expected, choices: names)
        }
        return response
    }

    private func unmappedResponse(_ node: Node) throws(InputError) -> UnmappedResponse {
        let choices = ErrorResponse.allCases.map(\.rawValue) + ["zero"]
        let expected = "what an offset with no register gets (ur, ca, zero)"
        let text = try scalar(node, expected: expected)
        if text == "zero" { return .zero }
        guard let response = ErrorResponse(rawValue: text) else { throw error(node, expected: expected, choices: choices) }
        return .error(response)
    }

    // MARK: Nodes

    /// A mapping's values by key, every key checked against `keys` (did-you-mean on a miss).
    private func mapping(_ node: Node, keys: [String], what: String, expected: String) throws(InputError) -> [String: Node] {
        guard case .mapping(let mapping) = node else { throw error(node, expected: expected) }
        let keyList = "\(what) (\(keys.joined(separator: ", ")))"
        var fields: [String: Node] = [:]
        for (key, value) in mapping {
            let text = try scalar(key, expected: keyList)
            guard keys.contains(text) else { throw error(key, expected: keyList, choices: keys) }
            fields[text] = value
        }
        return fields
    }

    private func required(_ fields: [String: Node], _ key: String, of node: Node, meaning: String) throws(InputError) -> Node {
        guard let value = fields[key] else {
            throw InputError(location(node.mark), "expected key '\(key)' (\(meaning)), found none")
        }
        return value
    }

    private func sequence(_ node: Node, expected: String) throws(InputError) -> [Node] {
        guard case .sequence(let sequence) = node else { throw error(node, expected: expected) }
        return Array(sequence)
    }

    private func bool(_ node: Node) throws(InputError) -> Bool {
        guard let value = node.bool else { throw error(node, expected: "true or false") }
        return value
    }

    /// An unsigned integer in decimal, `0x` hex or `0b` binary, `_` separators allowed, within
    /// `range`.
    private func number(_ node: Node, expected: String, range: ClosedRange<UInt64>) throws(InputError) -> UInt64 {
        let text = try scalar(node, expected: expected)
        let digits = text.lowercased().filter { $0 != "_" }
        let value: UInt64? =
            if digits.hasPrefix("0x") { UInt64(digits.dropFirst(2), radix: 16) }
            else if digits.hasPrefix("0b") { UInt64(digits.dropFirst(2), radix: 2) }
            else { UInt64(digits, radix: 10) }
        guard let value, range.contains(value) else { throw error(node, expected: expected) }
        return value
    }

    private func hex(_ value: UInt64) -> String { "0x" + String(value, radix: 16) }
}
