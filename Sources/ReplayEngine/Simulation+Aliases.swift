import ArmMemory
import MMIOTrace
import Verdicts

/// The side of an alias: the guest's mapping (stage 1 and stage 2), or the VMM's or host's own.
enum AliasSide {
    static let guest: UInt8 = 1
    static let host: UInt8 = 2
}

extension Simulation {
    /// Mismatched aliases (seed claim S9, docs/domain.md §7): a guest access and a VMM or host
    /// access to the same bytes of a region through mappings of different types. Arm ARM B2.8
    /// (mismatched memory attributes) gives no ordering between accesses through such aliases,
    /// so while the earlier one has not reached the device (gathered in a write buffer, or on its
    /// path) the later one may pass it. One hazard per agent and region; nothing is looked for
    /// until both sides have touched the region.
    mutating func checkAliases(agent a: Int32, region: RegionID, address: UInt64, size: Int, type: MemoryType) {
        let side = agents[Int(a)].agent.role == .vcpu ? AliasSide.guest : AliasSide.host
        let sides = regionSides[Int(region)] | side
        regionSides[Int(region)] = sides
        guard sides == AliasSide.guest | AliasSide.host, agents[Int(a)].hazardChecks[Int(region)] & HazardCheck.alias == 0 else { return }
        let end = address + UInt64(size)
        // [decision] A mismatch that matters: the types differ and one of them gathers (G: Device-GRE
        // or Normal), merging or splitting what the other side sees; two non-gathering Device types
        // differ only in early acknowledgement.
        func mismatched(_ other: MemoryType) -> Bool { other != type && max(other, type) >= .deviceGRE }
        func otherSide(_ agent: Int32) -> Bool { (agents[Int(agent)].agent.role == .vcpu) != (side == AliasSide.guest) }
        var pending: (agent: Int32, type: MemoryType, what: String)?
        for id in transactions.ids {
            let t = transactions[id]
            guard t.region == region, !t.delivered, t.kind == .read || t.kind == .write, mismatched(t.type), otherSide(t.agent),
                  t.address < end, address < t.address + UInt64(t.size) else { continue }
            pending = (t.agent, t.type, "\(t.kind == .write ? "write" : "read") of the same bytes is still on its way to the device")
            break
        }
        func gathered(_ lines: ContiguousArray<BufferLine>) -> MemoryType? {
            lines.first { line in
                guard line.region == region, mismatched(line.type), line.lineAddress < end, address < line.lineAddress + BufferLine.lineSize else { return false }
                let lo = max(address, line.lineAddress) - line.lineAddress, hi = min(end, line.lineAddress + BufferLine.lineSize) - line.lineAddress
                let bytes: UInt64 = hi - lo == 64 ? ~0 : ((1 << (hi - lo)) - 1) << lo
                return line.mask & bytes != 0
            }?.type
        }
        for other in agents.indices where pending == nil && otherSide(Int32(other)) {
            if let otherType = gathered(agents[other].buffer) ?? gathered(agents[other].cache) {
                pending = (Int32(other), otherType, "write of the same bytes is still gathered in its write buffer")
            }
        }
        guard let (b, otherType, what) = pending else { return }
        agents[Int(a)].hazardChecks[Int(region)] |= HazardCheck.alias
        let r = setup.regions[Int(region)]
        hazard(.mismatchedAlias, agent: a, device: r.device, region: region, offset: address - r.base,
               "\(type.displayName) access through the \(side == AliasSide.guest ? "guest's" : "\(agents[Int(a)].agent)'s own") mapping while "
                   + "\(agents[Int(b)].agent)'s \(otherType.displayName) \(what): "
                   + "nothing orders accesses through mismatched aliases (Arm ARM B2.8), either may reach the device first")
    }
}
