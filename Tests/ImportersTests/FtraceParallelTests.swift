import Foundation
import Importers
import MMIOTrace
import SeededRandom
import Testing

/// Reading an ftrace capture on several threads, in chunks, changes nothing a consumer can see:
/// the same topology, thread names, skipped lines, events, lines, warnings and first error as one
/// thread line by line, wherever the chunks split the capture. The hard parts: time going back
/// across a chunk boundary, an unmap of several regions whose events follow the line's first
/// in the next call, and thread names met by one thread but not the other.
@Suite struct FtraceParallelTests {
    /// Side-file regions with host addresses, for `kvm_unmap_hva_range` lines to hit one or both.
    private static let settings = CaptureSettings(
        agents: ["qemu-system-x86": "vm1.vmm", "worker-7": "vm1.vcpu2"],
        regions: [
            CaptureRegion(name: "nic-bar0", device: "nic", base: 0xc000_4000, size: 0x1000, hva: 0x7f12_3400_0000),
            CaptureRegion(name: "nic-bar2", device: "nic", base: 0xc000_8000, size: 0x1000, hva: 0x7f12_3400_1000),
        ])

    private func drain(_ open: () throws -> FtraceReader) -> CaptureDrain {
        CaptureDrain(open) { "\($0.skippedEvents) lines of other events" }
    }

    private func difference(_ a: CaptureDrain, _ b: CaptureDrain) -> String? { a.difference(from: b) }

    /// A capture of `lines` lines: `kvm_mmio` accesses from threads whose names hold spaces and
    /// dashes, with and without a TGID and irq flags, on pages spread over several runs and in
    /// the side file's regions; times that now and then go back; other events, headers, stack
    /// lines and blank lines; unmaps of no, one and both side-file regions. One malformed line
    /// at `malformedAt`, if given.
    private func captureText(lines: Int, seed: UInt64, malformedAt: Int? = nil, unterminated: Bool = false) -> String {
        var random = SplitMix64(seed: seed)
        var text = "# tracer: nop\n#\n"
        var time: UInt64 = 14_915_000_000
        let threads = ["CPU 0/KVM-1234", "CPU 1/KVM-1235", "qemu-system-x86-1200    (   1200)", "worker-7-77", "my thread-name-4242", "kvm-5664"]
        func stamp() -> String {
            if random.oneIn(7) { time -= min(time, random.next(below: 40)) } else { time += random.next(below: 20) }
            return "\(time / 1_000_000).\(String(repeating: "0", count: 6 - String(time % 1_000_000).count))\(time % 1_000_000)"
        }
        func prefix() -> String {
            let flags = ["", "d..1. ", "d..1 ", "..... "][Int(random.next(below: 4))]
            return "   \(threads[Int(random.next(below: UInt64(threads.count)))])  [00\(random.next(below: 4))] \(flags)\(stamp()):"
        }
        for i in 0..<lines {
            if i == malformedAt {
                text += [
                    "\(prefix()) kvm_mmio: mmio write len 3 gpa 0xc0004000 val 0x1\n", "garbage line\n",
                    "\(prefix()) kvm_unmap_hva_range: mmu notifier unmap range: 0x0 - 0x1\n",
                ][Int(seed % 3)]
                continue
            }
            switch random.next(below: 24) {
            case 0: text += "\(prefix()) kvm_exit: reason EPT_MISCONFIG rip 0xffffffff81234567 info 0 0\n"
            case 1: text += ["# comment\n", "CPU 3 is empty\n", "CPU:2 [LOST 12 EVENTS]\n", " => kvm_mmu_notifier_invalidate_range_start\n", "\n"][Int(random.next(below: 5))]
            case 2:
                let start = [0x7f12_3400_0000, 0x7f12_3400_0800, 0x7f55_0000_0000][Int(random.next(below: 3))]
                let length = [0x800, 0x1000, 0x2000][Int(random.next(below: 3))]
                text += "\(prefix()) kvm_unmap_hva_range: mmu notifier unmap range: 0x\(String(start, radix: 16)) -- 0x\(String(start + length, radix: 16))\n"
            default:
                let size = [1, 2, 4, 8][Int(random.next(below: 4))]
                let page = [0xc000_4000, 0xc000_8000, 0xc000_c000, 0xc000_d000, 0xfee0_0000, 0x1_0000_0000 + random.next(below: 8) * 0x1000][Int(random.next(below: 6))]
                let gpa = UInt64(page) + random.next(below: 0x1000 / UInt64(size)) * UInt64(size)
                let value = random.next() >> (64 - UInt64(size) * 8)
                let kind = ["write", "read", "unsatisfied-read"][Int(random.next(below: 3))]
                text += "\(prefix()) kvm_mmio: mmio \(kind) len \(size) gpa 0x\(String(gpa, radix: 16)) val 0x\(String(value, radix: 16))\n"
            }
        }
        return unterminated && text.hasSuffix("\n") ? String(text.dropLast()) : text
    }

    @Test func inMemoryCapturesSplitAnywhereGiveTheSameAsOneThread() throws {
        for seed in UInt64(1)...40 {
            var random = SplitMix64(seed: seed &* 7919)
            let count = Int(random.next(below: seed % 4 == 0 ? 2000 : 300))
            let malformed = seed % 3 == 0 && count > 0 ? Int(random.next(below: UInt64(count))) : nil
            let text = captureText(lines: count, seed: seed, malformedAt: malformed, unterminated: seed % 5 == 0)
            let settings = seed % 2 == 0 ? Self.settings : CaptureSettings()
            let serial = drain { try FtraceReader(text: text, fileName: "c.ftrace", settings: settings) }
            #expect((serial.error != nil) == (malformed != nil), "seed \(seed)")
            for threads in [2, 3] {
                let chunkSize = 1 + Int(random.next(below: 400))
                let parallel = drain { try FtraceReader(text: text, fileName: "c.ftrace", settings: settings, parsingThreads: threads, chunkSize: chunkSize) }
                #expect(difference(parallel, serial) == nil, "seed \(seed), \(threads) threads, chunks of \(chunkSize) bytes")
            }
        }
    }

    /// A file larger than the line reader's buffer, so that chunks come from the descriptor too;
    /// thousands of warnings, beyond the limit.
    @Test func aLargeFileGivesTheSameAsOneThread() throws {
        for (seed, malformed) in [(UInt64(2), nil), (3, 70_000)] as [(UInt64, Int?)] {
            let path = try temporaryFile(captureText(lines: 80_000, seed: seed, malformedAt: malformed), suffix: ".ftrace")
            defer { try? FileManager.default.removeItem(atPath: path) }
            let serial = drain { try FtraceReader(path: path, settings: Self.settings, parsingThreads: 1) }
            #expect((serial.error != nil) == (malformed != nil), "\(serial.error ?? "")")
            if malformed == nil {
                #expect(serial.warnings.last?.hasSuffix("more warnings not shown") == true)
                #expect(serial.events.contains { if case .unmap(region: 1, _) = $0.kind { true } else { false } })
            }
            for chunkSize in [4096, 1 << 19] {
                let parallel = drain { try FtraceReader(path: path, settings: Self.settings, parsingThreads: 2, chunkSize: chunkSize) }
                #expect(difference(parallel, serial) == nil, "chunks of \(chunkSize)")
            }
        }
    }

    /// An unmap of both side-file regions gives two events, in region order, on its own line,
    /// whichever chunk the line and the events around it fall in.
    @Test func anUnmapOfTwoRegionsGivesTwoEventsAtAnyChunkBoundary() throws {
        let access = "  CPU 0/KVM-1 [000] 2.000000: kvm_mmio: mmio write len 4 gpa 0xc0004000 val 0x1\n"
        let unmap = " qemu-system-x86-1200 [001] 3.000000: kvm_unmap_hva_range: mmu notifier unmap range: 0x7f1234000000 -- 0x7f1234002000\n"
        let text = access + unmap + unmap + access
        let serial = drain { try FtraceReader(text: text, settings: Self.settings) }
        #expect(serial.events.map(\.kind) == [
            serial.events[0].kind, .unmap(region: 0, vm: 1), .unmap(region: 1, vm: 1), .unmap(region: 0, vm: 1), .unmap(region: 1, vm: 1),
            serial.events[0].kind,
        ])
        #expect(serial.lines == [1, 2, 2, 3, 3, 4])
        for chunkSize in [1, 80, 100, 200] {
            #expect(difference(drain { try FtraceReader(text: text, settings: Self.settings, parsingThreads: 2, chunkSize: chunkSize) }, serial) == nil,
                    "chunks of \(chunkSize)")
        }
    }
}
