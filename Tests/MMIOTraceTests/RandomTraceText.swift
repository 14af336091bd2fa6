import SeededRandom

/// A trace of `count` events of varied kinds and line shapes (blank lines, comments, CRLF,
/// spaces), chosen by `seed`; a malformed line before event `malformedAt` if given (after the
/// last event when it is `count`), and no newline after the last line when `unterminated`.
func randomTraceText(events count: Int, seed: UInt64, malformedAt: Int? = nil, unterminated: Bool = false) -> String {
    var random = SplitMix64(seed: seed)
    var text = "mtrace 1\ndevice nvme0 bdf=0000:01:00.0 model=nvme\n"
        + "region bar0 device=nvme0 kind=bar base=0xfe400000 size=0x4000 bar=0\n"
        + "region bar2 device=nvme0 kind=bar base=0xfe500000 size=0x4000 bar=2\nmap vm0 bar0 device-ngnre\n\n"
    for i in 0..<count {
        let time = 100 * i
        let end = random.next(below: 5) == 0 ? "\r\n" : "\n"
        if i == malformedAt {
            text += ["\(time) vcpu0 write bar0+0x0 4 0x123456789", "\(time) vcpu0 wrte bar0+0x0 4 0x1", "region late base=0x0",
                     "\(time) vcpu0 read nowhere+0x0 4"][Int(seed % 4)] + end
        }
        switch random.next(below: 7) {
        case 0: text += "\(time) vcpu\(random.next(below: 3)) write bar\(2 * random.next(below: 2))+0x\(String(random.next(below: 0x400) * 4, radix: 16)) 8 0x\(String(random.next(), radix: 16))"
        case 1: text += "\(time) vcpu0 read bar2+0x1c 4 -> 0x1"
        case 2: text += "  \(time)\tvcpu1 dmb oshst  "
        case 3: text += "\(time) host mark step \(i)"
        case 4: text += "# a comment\(end)\(end)\(time) vcpu0 dsb sy"
        case 5: text += "\(time) vcpu0 write 0xfe400010 4 0x\(i)"
        default: text += "\(time) vmm cfg-read nvme0 0x0 4 -> 0x101b36"
        }
        if i < count - 1 || !unterminated { text += end }
    }
    if malformedAt == count { text += "\(100 * count) vcpu0 write bar0+0x0 4 0x123456789\n" }
    return text
}
