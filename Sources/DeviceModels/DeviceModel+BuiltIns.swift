/// The built-in models, as YAML embedded in the code: the binary needs no resource bundle, so
/// it works when copied on its own (a SwiftPM `.copy` resource on Linux is a directory next to
/// the executable that `Bundle.module` must find at run time). Each text is exactly what a user
/// file would contain; `docs/device-models.md` lists their registers and where the values come
/// from.
extension DeviceModel {
    /// The built-in models in a fixed order: generic, nvme, nic, gicv2.
    public static let builtIns: [DeviceModel] = [
        ("generic", genericYAML), ("nvme", nvmeYAML), ("nic", nicYAML), ("gicv2", gicv2YAML),
    ].map { name, yaml in
        do {
            return try load(yaml: yaml, file: "built-in \(name)", source: "built-in")
        } catch {
            fatalError("built-in device model \(name) does not load: \(error)")
        }
    }

    /// The built-in model with this name (case-insensitive), if there is one.
    public static func builtIn(named name: String) -> DeviceModel? {
        let lowered = name.lowercased()
        return builtIns.first { $0.name == lowered }
    }

    /// A register file: 64 read-write 4-byte registers, UR for anything else.
    static let genericYAML = """
        name: generic
        summary: "register file: 64 RW 4-byte registers at 0x0-0xfc, sizes 1, 2, 4; UR otherwise"
        pci: {vendor-id: 0x1b36, device-id: 0x0005, class: 0xff0000}   # QEMU's pci-testdev ID, class unassigned
        unsupported: ur
        bars:
          0:
            size: 0x1000
            registers:
              - {name: REG, offset: 0x0, count: 64, sizes: [1, 2, 4], access: rw}
        """

    /// An NVMe controller as QEMU 7.2 models it (`1b36:0010`), reset values as Linux 6.1 read
    /// them (`/work/shared/samples`). Wrong-size accesses get CA (DOMAIN.md §7 scenario 1).
    static let nvmeYAML = """
        name: nvme
        summary: "NVMe controller (QEMU 1b36:0010): BAR0 16 KiB, doorbells from 0x1000; CA for unsupported accesses"
        pci: {vendor-id: 0x1b36, device-id: 0x0010, class: 0x010802, revision: 0x02}
        unsupported: ca
        flr: {ready-after-ns: 100000000, discard-posted: true, non-posted: ur}
        bars:
          0:
            size: 0x4000
            memory:
              - {offset: 0x2000, size: 0x2000}              # MSI-X table and PBA
            registers:
              - {name: CAP, offset: 0x0, sizes: [4, 8], access: ro, reset: 0x004018200f0107ff}
              - {name: VS, offset: 0x8, access: ro, reset: 0x00010400}
              - {name: INTMS, offset: 0xc}
              - {name: INTMC, offset: 0x10}
              - name: CC
                offset: 0x14
                side-effects:
                  - {when-written-bit: 0, sets: {register: CSTS, bit: 0, after-ns: 1000}}               # EN=1: RDY
                  - {when-written-bit: 0, value: 0, clears: {register: CSTS, bit: 0, after-ns: 1000}}   # EN=0: not RDY
                  - {when-written-bit: 14, sets: {register: CSTS, bit: 3, after-ns: 1000}}              # SHN=01: SHST=10
                  - {when-written-bit: 14, value: 0, clears: {register: CSTS, bit: 3, after-ns: 1000}}
              - {name: CSTS, offset: 0x1c, access: ro}
              - {name: AQA, offset: 0x24}
              - {name: ASQ, offset: 0x28, sizes: [4, 8]}
              - {name: ACQ, offset: 0x30, sizes: [4, 8]}
              - {name: CMBLOC, offset: 0x38, access: ro}
              - {name: CMBSZ, offset: 0x3c, access: ro}
              - {name: SQTDBL, offset: 0x1000, count: 65, stride: 8, access: doorbell}   # admin + 64 I/O queues
              - {name: CQHDBL, offset: 0x1004, count: 65, stride: 8, access: doorbell}
        """

    /// An e1000e-like NIC (`8086:10d3`): BAR0 registers of the transmit path, reset values as
    /// Linux 6.1 first read them from QEMU 7.2; BAR2 a prefetchable write-combining page.
    static let nicYAML = """
        name: nic
        summary: "e1000e-like NIC (8086:10d3): BAR0 128 KiB transmit-path registers, BAR2 64 KiB write-combining page; UR"
        pci: {vendor-id: 0x8086, device-id: 0x10d3, class: 0x020000}
        unsupported: ur
        bars:
          0:
            size: 0x20000
            registers:
              - {name: CTRL, offset: 0x0, reset: 0x00140241}
              - {name: STATUS, offset: 0x8, access: ro, reset: 0x00080283}
              - {name: ICR, offset: 0xc0, access: rc}
              - {name: IMS, offset: 0xd0}
              - {name: IMC, offset: 0xd8, access: wo}
              - {name: TCTL, offset: 0x400}
              - {name: TDBAL, offset: 0x3800, count: 2, stride: 0x100}
              - {name: TDBAH, offset: 0x3804, count: 2, stride: 0x100}
              - {name: TDLEN, offset: 0x3808, count: 2, stride: 0x100}
              - {name: TDH, offset: 0x3810, count: 2, stride: 0x100}
              - {name: TDT, offset: 0x3818, count: 2, stride: 0x100, access: doorbell}
              - {name: TXDCTL, offset: 0x3828, count: 2, stride: 0x100}
              - {name: STAT, offset: 0x4000, count: 74, access: rc}   # statistics, clear on read
          2:
            size: 0x10000
            prefetchable: true
            memory:
              - {offset: 0x0, size: 0x10000}                # descriptor page for 64-byte pushes
        """

    /// The GICv2 virtual CPU interface (GICV_*, GICv2 architecture; IIDR as on GIC-400). Not a
    /// PCIe function: one region as BAR 0, no config space, state shared with the host.
    static let gicv2YAML = """
        name: gicv2
        summary: "GICv2 virtual CPU interface (GICV_*): 8 KiB, 4-byte accesses only, state shared with the host"
        unsupported: ur
        bars:
          0:
            size: 0x2000
            shared: true
            registers:
              - {name: GICV_CTLR, offset: 0x0}
              - {name: GICV_PMR, offset: 0x4}
              - {name: GICV_BPR, offset: 0x8, reset: 0x2}
              - {name: GICV_IAR, offset: 0xc, access: rc, reset: 0x3ff}     # a read acknowledges
              - {name: GICV_EOIR, offset: 0x10, access: wo}
              - {name: GICV_RPR, offset: 0x14, access: ro, reset: 0xff}
              - {name: GICV_HPPIR, offset: 0x18, access: ro, reset: 0x3ff}
              - {name: GICV_APR0, offset: 0xd0}
              - {name: GICV_IIDR, offset: 0xfc, access: ro, reset: 0x0202143b}
              - {name: GICV_DIR, offset: 0x1000, access: wo}
        """
}
