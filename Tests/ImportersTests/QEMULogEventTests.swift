import Diagnostics
import Foundation
import Importers
import MMIOTrace
import PCIeTransport
import Testing

@Suite struct QEMULogEventTests {
    @Test func vfioEvents() throws {
        let reader = try QEMULogReader(path: qemuFixtures.appendingPathComponent("qemu/vfio.log").path)
        let t = reader.topology
        #expect(t.devices.map(\.name) == ["vfio-0000-03-00-0", "vfio-0000-00-02-0", "vfio-0000-06-01-0"])
        #expect(t.devices.map { $0.bdf?.description } == ["0000:03:00.0", "0000:00:02.0", "0000:06:01.0"])
        #expect(t.regions.map(\.name) == ["vfio-0000-03-00-0-bar2", "vfio-0000-06-01-0-bar0"])
        #expect(t.regions.map(\.base) == [1 << 40, (1 << 40) + 0x40_0000])
        #expect(t.regions.map(\.size) == [0x40_0000, 0x8000])
        let events = try drain(reader)
        #expect(events.map(\.kind) == [
            .write(MemoryAccess(address: (1 << 40) + 0x26_c960, region: 0, size: 4, value: AccessValue(0xa5a5_a5a5))),
            .reset(.flr, device: 1),
            .read(MemoryAccess(address: (1 << 40) + 0x40_0000 + 0x6fb8, region: 1, size: 4, value: AccessValue(0x30000))),
            .configRead(ConfigAccess(device: 0, offset: 4, size: 2, value: 0x407)),
            .configWrite(ConfigAccess(device: 0, offset: 4, size: 2, value: 0x406)),
            .mark("vfio_pci_reset 0000:03:00.0"),
            .reset(.hot, device: 0),
            .unmap(region: 0, vm: 0),
            .mark("vfio_region_unmap Region vfio-display unmap [0x0 - 0xfff]"),
            .configRead(ConfigAccess(device: 0, offset: 0x40, size: 4, value: 1)),
        ])
        // A line without a prefix keeps the previous time.
        #expect(events[1].time == events[0].time)
        #expect(reader.ignored == ["memory_region_ops_* of a vfio BAR (vfio_region_* are authoritative)": 1])
    }

    @Test func pciConfigBothForms() throws {
        let reader = try QEMULogReader(text: """
            pci_cfg_read nvme 01:00.0 @0x0 -> 0x1b36
            pci_cfg_write nvme 01:00.0 @0x4 <- 0x6
            pci_cfg_read e1000 03:0 @0x2 -> 0x100E
            pci_cfg_write  nvme  01:00.0  @0x19  <-  0xFF
            """)
        #expect(reader.topology.devices.map(\.name) == ["nvme", "e1000"])
        #expect(reader.topology.devices.map { $0.bdf?.description } == ["0000:01:00.0", "0000:00:03.0"])
        // Without decoded ECAM/CF8 traffic pci_cfg_* are authoritative; sizes follow the offset's alignment.
        #expect(try drain(reader).map(\.kind) == [
            .configRead(ConfigAccess(device: 0, offset: 0, size: 4, value: 0x1b36)),
            .configWrite(ConfigAccess(device: 0, offset: 4, size: 4, value: 6)),
            .configRead(ConfigAccess(device: 1, offset: 2, size: 2, value: 0x100e)),
            .configWrite(ConfigAccess(device: 0, offset: 0x19, size: 1, value: 0xff)),
        ])
    }

    @Test func memoryRegionOpsWithoutName() throws {
        let reader = try QEMULogReader(text: """
            pci_update_mappings_add d=0x5555 00:04.0 0,0xfebf0000+0x1000
            memory_region_ops_write  cpu 0   mr 0x5555 addr 0xfebf0010 value 0x1 size 4
            memory_region_ops_read cpu 0 mr 0x5555 addr 0xFEBF0014 value 0XAB size 4
            memory_region_ops_read cpu 0 mr 0x5555 addr 0x1000 value 0x0 size 4
            pci_update_mappings_del d=0x5555 00:04.0 0,0xfebf0000+0x1000
            memory_region_ops_read cpu 0 mr 0x5555 addr 0xfebf0014 value 0xab size 4
            """)
        #expect(reader.topology.devices.map(\.name) == ["pci-00-04-0"])
        #expect(reader.topology.regions.map(\.name) == ["pci-00-04-0-bar0"])
        #expect(try drain(reader).map(\.kind) == [
            .write(MemoryAccess(address: 0xfebf_0010, region: 0, size: 4, value: AccessValue(1))),
            .read(MemoryAccess(address: 0xfebf_0014, region: 0, size: 4, value: AccessValue(0xab))),
        ])
        #expect(reader.ignored == ["memory_region_ops_* outside every mapped BAR": 2, "pci_update_mappings_* (topology)": 2])
    }

    @Test func aMovedBARKeepsOffsets() throws {
        let reader = try QEMULogReader(text: """
            pci_update_mappings_add nvme 01:00.0 0,0xfe400000+0x4000
            pci_update_mappings_del nvme 01:00.0 0,0xfe400000+0x4000
            pci_update_mappings_add nvme 01:00.0 0,0xc0000000+0x4000
            memory_region_ops_write cpu 0 mr 0x1 addr 0xc0000014 value 0x1 size 4 name 'nvme'
            """, fileName: "t.log")
        #expect(try drain(reader).map(\.kind) == [.write(MemoryAccess(address: 0xfe40_0014, region: 0, size: 4, value: AccessValue(1)))])
        #expect(reader.warnings.map(\.description) == [
            "t.log:3:1: warning: nvme-bar0 mapped at 0xc0000000, first at 0xfe400000; accesses keep their offsets in the region and use the first base",
        ])
    }

    @Test func deviceModelEventsWithoutMemoryRegionOps() throws {
        let reader = try QEMULogReader(text: """
            pci_update_mappings_add nvme 01:00.0 0,0xfe400000+0x4000
            pci_nvme_mmio_write addr 0x14 data 0x460001 size 4
            pci_nvme_mmio_read addr 0x1C size 4
            pci_nvme_mmio_doorbell_sq sqid 0 new_tail 1
            pci_nvme_pci_reset PCI Function Level Reset
            """)
        #expect(try drain(reader).map(\.kind) == [
            .write(MemoryAccess(address: 0xfe40_0014, region: 0, size: 4, value: AccessValue(0x460001))),
            .read(MemoryAccess(address: 0xfe40_001c, region: 0, size: 4, hasValue: false)),
            .mark("pci_nvme_pci_reset PCI Function Level Reset"),
        ])
        #expect(reader.ignored["pci_nvme_mmio_doorbell_sq"] == 1)
    }

    @Test func aMappingWithCapturedDeviceAndRegion() throws {
        let mapping = try QEMULogMapping.load(yaml: """
            ecam-base: 0xe0000000
            events:
              my_dev_write:
                kind: write
                pattern: "dev {device} bar {region} off 0x{offset} val {value} len {size}"
              my_dev_flr:
                kind: reset-flr
                pattern: "{device}"
            """, file: "m.yaml")
        #expect(mapping.ecamBase == 0xe000_0000)
        let reader = try QEMULogReader(text: """
            pci_update_mappings_add mydev 02:00.0 2,0xfe000000+0x1000
            my_dev_write dev 02:00.0 bar 2 off 0x10 val 0x2A len 2
            my_dev_write dev mydev bar 2 off 0x12 val 7 len 1
            my_dev_flr mydev
            pci_cfg_read mydev 02:00.0 @0x0 -> 0x1234
            memory_region_ops_read cpu 0 mr 0x1 addr 0xe0200000 value 0x5678 size 2 name 'pcie-mmcfg-mmio'
            """, mapping: mapping)
        #expect(try drain(reader).map(\.kind) == [
            .reset(.flr, device: 0),
            .configRead(ConfigAccess(device: 0, offset: 0, size: 2, value: 0x5678)),
        ])
        #expect(reader.ignored["my_dev_write (memory_region_ops_* are authoritative)"] == 2)
    }

    static let malformed: [(String, String)] = [
        ("16635@1795246887.76241:pci_cfg_read nvme 01:00.0 @0x0 -> 0x1", "t.log:1:7: error: expected a timestamp 'seconds.microseconds:' with six microsecond digits, found '1795246887.76241:pci_cfg_read'"),
        ("2025-07-01T25:00:00Z pci_cfg_read nvme 01:00.0 @0x0 -> 0x1", "t.log:1:1: error: expected an ISO-8601 UTC time like 2025-07-01T12:00:00.123456Z and a space, found '2025-07-01T25:00:00Z'"),
        ("16635@1795246887.762411: pci_cfg_read nvme 01:00.0 @0x0 -> 0x1", "t.log:1:25: error: expected an event name (a-z, 0-9, _) after the prefix, found ' pci_cfg_read'"),
        ("memory_region_ops_write cpu 0 mr 0x1 addr 0xzz value 0x0 size 4 name 'nvme'", "t.log:1:43: error: expected an address (0x and hexadecimal digits), found '0xzz'"),
        ("memory_region_ops_write cpu 0 mr 0x1 addr 0x10 value 0x1 size 4 name 'nvme", "t.log:1:75: error: expected a closing quote after the region name, found end of line"),
        ("memory_region_ops_write cpu 0 mr 0x1 addr 0x10 value 0x1 size 0 name 'nvme'", "t.log:1:63: error: access size 0 is not 1 to 64 bytes"),
        ("pci_cfg_read nvme 01:00.0 @0x1000 -> 0x0", "t.log:1:28: error: configuration-space offset 0x1000 is beyond 0xfff"),
        ("pci_cfg_write nvme 01:00.0 @0x4 -> 0x0", "t.log:1:32: error: expected ' <- ', found ' ->'"),
        ("vfio_region_write  (0000:03:00.0:region9+0x0, 0x1, 4)", "t.log:1:40: error: expected a region index (0-8), found '9'"),
        ("vfio_region_read  (0000:03:00.0:region0+0x0, 2) = 0x12345", "t.log:1:51: error: value 0x12345 does not fit in 2 bytes"),
        ("vfio_pci_reset_flr 0000:03:00 FLR/VFIO_DEVICE_RESET", "t.log:1:20: error: expected a host PCI address like 0000:03:00.0, found '0000:03:00'"),
        ("pci_update_mappings_add nvme 01:00.0 0,0xfe400000", "t.log:1:50: error: expected '+', found end of line"),
        ("msix_write_config dev nvme enabled 2 masked 0", "t.log:1:36: error: expected 0 or 1, found '2'"),
        ("pci_nvme_mmio_write addr 0x14 data 0x0", "t.log:1:39: error: expected a space (mapping of 'pci_nvme_mmio_write': \"addr 0x{offset} data 0x{value} size {size}\"), found end of line"),
        ("pci_nvme_mmio_read addr 0x1C size 4", "t.log:1:1: error: 'pci_nvme_mmio_read' names device 'nvme', which the log does not declare (devices: none)"),
        ("pci_update_mappings_add nvme 01:00.0 0,0xfe400000+0x4000\npci_nvme_mmio_write addr 0x14 data 0x1ff size 1", "t.log:2:21: error: value 0x1ff does not fit in 1 byte"),
    ]

    @Test(arguments: malformed) func malformedLines(_ line: String, _ expected: String) {
        #expect(qemuLogError(line) == expected)
    }

    static let badMappings: [(String, String)] = [
        ("events:\n  foo:\n    knd: mark\n", "m.yaml:3:5: error: expected an event mapping key (kind, pattern, device, region), found 'knd'; did you mean 'kind'?"),
        ("events:\n  foo:\n    kind: wirte\n", "m.yaml:3:11: error: expected an event kind (read, write, config-read, config-write, reset-flr, reset-hot, mark, ignore), found 'wirte'; did you mean 'write'?"),
        ("events:\n  foo:\n    pattern: x\n", "m.yaml:3:5: error: expected key 'kind' in the mapping of 'foo', found none"),
        ("events:\n  foo:\n    kind: write\n    pattern: \"addr 0x{ofset} data {value} size {size}\"\n    device: d\n", "m.yaml:4:23: error: expected a field (offset, value, size, device, region, _), found 'ofset'; did you mean 'offset'?"),
        ("events:\n  foo:\n    kind: read\n    pattern: \"addr {offset size {size}\"\n    device: d\n", "m.yaml:4:20: error: expected '}' to close the capture opened here"),
        ("events:\n  foo:\n    kind: write\n    pattern: \"addr {offset} size {size}\"\n    device: d\n", "m.yaml:4:14: error: a 'write' event needs a pattern that captures {value}"),
        ("events:\n  foo:\n    kind: reset-flr\n", "m.yaml:3:5: error: a 'reset-flr' event needs key 'device' or a pattern that captures {device}"),
        ("events:\n  pci_cfg_read:\n    kind: mark\n", "m.yaml:2:3: error: event 'pci_cfg_read' is read by the importer itself; a mapping cannot redefine it"),
        ("events:\n  Foo-Bar:\n    kind: mark\n", "m.yaml:2:3: error: expected an event name (a-z, 0-9, _), found 'Foo-Bar'"),
        ("events:\n  foo:\n    kind: write\n    pattern: \"{offset}{value} {size}\"\n    device: d\n", "m.yaml:4:23: error: expected text or a space between two captures, found '{value}'"),
        ("events:\n  foo:\n    kind: read\n    pattern: \"a {offset} b {size}\"\n    device: d\n    region: 7\n", "m.yaml:6:13: error: expected a BAR index (0-5), found '7'"),
        ("ecam-base: 12\n", "m.yaml:1:12: error: expected an address like 0xb0000000, found '12'"),
        ("evnts: {}\n", "m.yaml:1:1: error: expected a mapping key (ecam-base, events), found 'evnts'; did you mean 'events'?"),
        ("events: [a\n", "m.yaml:2:1: error: expected valid YAML, found a syntax error: did not find expected ',' or ']' (while parsing a flow sequence at 1:9)"),
    ]

    @Test(arguments: badMappings) func badMappingFiles(_ yaml: String, _ expected: String) {
        #expect(throws: InputError.self) { try QEMULogMapping.load(yaml: yaml, file: "m.yaml") }
        do {
            _ = try QEMULogMapping.load(yaml: yaml, file: "m.yaml")
        } catch {
            #expect(error.description == expected)
        }
    }
}
