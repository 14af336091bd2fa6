/// The built-in models, as YAML embedded in the code: the binary needs no resource bundle, so
/// it works when copied on its own (a SwiftPM `.copy` resource on Linux is a directory next to
/// the executable that `Bundle.module` must find at run time). Each text is exactly what a user
/// file would contain; `docs/device-models.md` lists their registers and where the values come
/// from.
extension DeviceModel {
    /// The built-in models in a fixed order: generic, nvme, nic, e1000e, gicv2.
    /// The built-in models that stand for a real device (QEMU's NVMe controller, its e1000e), in
    /// the order they are tried when a capture names a device by its PCI IDs.
    static let realDevices = ["nvme", "e1000e"]

    /// The built-in model of the real device with these PCI IDs (vendor and device), if there
    /// is one: what a capture's device gets when its side file names no model.
    public static func builtIn(vendorID: UInt16, deviceID: UInt16) -> DeviceModel? {
        realDevices.lazy.compactMap { builtIn(named: $0) }.first { $0.pci?.vendorID == vendorID && $0.pci?.deviceID == deviceID }
    }

    /// The model name that asks for a model learned from the trace's own recorded accesses
    /// (the ModelLearning module): what a captured device with no built-in model gets. The
    /// learned model of device `D` is named `learned-D`.
    public static let learnedName = "learned"

    /// The name of the model learned for the device named `device`.
    public static func learnedName(of device: String) -> String { "learned-" + device }

    public static let builtIns: [DeviceModel] = [
        ("generic", genericYAML), ("nvme", nvmeYAML), ("nic", nicYAML), ("e1000e", e1000eYAML), ("gicv2", gicv2YAML),
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
    /// them (`traces/captures`). Wrong-size accesses get CA (docs/domain.md §7 scenario 1);
    /// offsets with no register read 0 and ignore writes, as QEMU's controller answers its whole
    /// register block (reserved registers read 0 in the NVMe specification).
    static let nvmeYAML = """
        name: nvme
        summary: "NVMe controller (QEMU 1b36:0010): BAR0 16 KiB, doorbells from 0x1000; CA for wrong-size accesses"
        pci: {vendor-id: 0x1b36, device-id: 0x0010, class: 0x010802, revision: 0x02}
        unsupported: ca
        unmapped: zero
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

    /// Intel 82574L (e1000e) as QEMU 7.2 emulates it and Linux 6.1's e1000e driver drives it: the
    /// registers of BAR0 the driver uses (offsets as in its register header) and the MSI-X table
    /// of BAR3; reset values as first read in traces/captures. docs/device-models.md lists them.
    /// Every other offset of a BAR reads 0 and ignores writes: QEMU's e1000e answers its whole
    /// BAR so (an unknown register is logged, never refused), and so does the 82574L.
    static let e1000eYAML = """
        name: e1000e
        summary: "Intel 82574L (8086:10d3) as in QEMU: BAR0 128 KiB registers, BAR3 MSI-X (5 vectors); other offsets read 0"
        pci: {vendor-id: 0x8086, device-id: 0x10d3, class: 0x020000}
        unsupported: ur
        unmapped: zero
        bars:
          0:
            size: 0x20000
            registers:
              - name: CTRL
                offset: 0x0
                reset: 0x00140241
                side-effects:
                  - {when-written-bit: 26, clears: {register: CTRL, bit: 26}}     # RST self-clears
              - {name: STATUS, offset: 0x8, access: ro, reset: 0x00080283}
              - {name: EECD, offset: 0x10, reset: 0x300}
              - name: EERD
                offset: 0x14
                side-effects:
                  - {when-written-bit: 0, sets: {register: EERD, bit: 1}}         # START -> DONE
              - {name: CTRL_EXT, offset: 0x18}
              - name: MDIC
                offset: 0x20
                side-effects:
                  - {when-written-bit: 26, sets: {register: MDIC, bit: 28}}       # write op -> Ready
                  - {when-written-bit: 27, sets: {register: MDIC, bit: 28}}       # read op -> Ready
              - {name: FCAL, offset: 0x28}
              - {name: FCAH, offset: 0x2c}
              - {name: FCT, offset: 0x30}
              - {name: VET, offset: 0x38}
              - {name: ICR, offset: 0xc0, access: rc}
              - {name: ITR, offset: 0xc4}
              - {name: ICS, offset: 0xc8, access: wo}
              - {name: IMS, offset: 0xd0}
              - {name: IMC, offset: 0xd8, access: wo}
              - {name: EIAC, offset: 0xdc}
              - {name: IAM, offset: 0xe0}
              - {name: IVAR, offset: 0xe4}
              - {name: EITR, offset: 0xe8, count: 5, stride: 4}
              - {name: RCTL, offset: 0x100}
              - {name: FCTTV, offset: 0x170}
              - {name: TCTL, offset: 0x400}
              - {name: TIPG, offset: 0x410}
              - {name: AIT, offset: 0x458}
              - {name: LEDCTL, offset: 0xe00, reset: 0x00068302}
              - {name: EXTCNF_CTRL, offset: 0xf00, reset: 0x8}
              - {name: EXTCNF_SIZE, offset: 0xf08}
              - {name: PBA, offset: 0x1000}
              - {name: PBS, offset: 0x1008}
              - {name: FCRTL, offset: 0x2160}
              - {name: FCRTH, offset: 0x2168}
              - {name: RDBAL, offset: 0x2800, count: 2, stride: 0x100}
              - {name: RDBAH, offset: 0x2804, count: 2, stride: 0x100}
              - {name: RDLEN, offset: 0x2808, count: 2, stride: 0x100}
              - {name: RDH, offset: 0x2810, count: 2, stride: 0x100}
              - {name: RDT, offset: 0x2818, count: 2, stride: 0x100, access: doorbell}
              - {name: RDTR, offset: 0x2820}
              - {name: RXDCTL, offset: 0x2828, count: 2, stride: 0x100}
              - {name: RADV, offset: 0x282c}
              - {name: TDBAL, offset: 0x3800, count: 2, stride: 0x100}
              - {name: TDBAH, offset: 0x3804, count: 2, stride: 0x100}
              - {name: TDLEN, offset: 0x3808, count: 2, stride: 0x100}
              - {name: TDH, offset: 0x3810, count: 2, stride: 0x100}
              - {name: TDT, offset: 0x3818, count: 2, stride: 0x100, access: doorbell}
              - {name: TIDV, offset: 0x3820}
              - {name: TXDCTL, offset: 0x3828, count: 2, stride: 0x100}
              - {name: TADV, offset: 0x382c}
              - {name: TARC, offset: 0x3840, count: 2, stride: 0x100, reset: 0x403}
              - {name: STAT, offset: 0x4000, count: 74, access: rc}   # statistics, clear on read
              - {name: RXCSUM, offset: 0x5000, reset: 0x300}
              - {name: RFCTL, offset: 0x5008}
              - {name: MTA, offset: 0x5200, count: 128, stride: 4}
              - {name: RAL0, offset: 0x5400, reset: 0x12005452}    # the MAC address QEMU assigned
              - {name: RAH0, offset: 0x5404, reset: 0x80005634}
              - {name: RA, offset: 0x5408, count: 30, stride: 4}
              - {name: VFTA, offset: 0x5600, count: 128, stride: 4}
              - {name: WUC, offset: 0x5800}
              - {name: WUFC, offset: 0x5808}
              - {name: WUS, offset: 0x5810}
              - {name: MRQC, offset: 0x5818}
              - {name: MANC, offset: 0x5820, reset: 0x10000000}
              - {name: GCR, offset: 0x5b00, reset: 0x06800200}
              - {name: SWSM, offset: 0x5b50, reset: 0x1}
              - {name: FWSM, offset: 0x5b54, access: ro}
              - {name: GCR2, offset: 0x5b64}
              - {name: RETA, offset: 0x5c00, count: 32, stride: 4}
              - {name: RSSRK, offset: 0x5c80, count: 10, stride: 4}
              - {name: SYSTIML, offset: 0xb600, access: ro}
              - {name: SYSTIMH, offset: 0xb604, access: ro}
              - {name: TIMINCA, offset: 0xb608}
              - {name: TSYNCTXCTL, offset: 0xb614}
              - {name: TXSTMPL, offset: 0xb618, access: ro}
              - {name: TXSTMPH, offset: 0xb61c, access: ro}
              - {name: TSYNCRXCTL, offset: 0xb620}
              - {name: RXSTMPL, offset: 0xb624, access: ro}
              - {name: RXSTMPH, offset: 0xb628, access: ro}
              - {name: RXSATRL, offset: 0xb62c, access: ro}
              - {name: RXSATRH, offset: 0xb630, access: ro}
              - {name: RXCFGL, offset: 0xb634}
              - {name: RXUDP, offset: 0xb638}
          3:
            size: 0x4000
            registers:
              - {name: MSIX_ADDR_LO, offset: 0x0, count: 5, stride: 16}
              - {name: MSIX_ADDR_HI, offset: 0x4, count: 5, stride: 16}
              - {name: MSIX_DATA, offset: 0x8, count: 5, stride: 16}
              - {name: MSIX_VECTOR_CTRL, offset: 0xc, count: 5, stride: 16, reset: 0x1}   # masked
              - {name: MSIX_PBA, offset: 0x2000, access: ro}
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
