import Diagnostics
import MMIOTrace
import PCIeTransport

/// One `kvm_mmio` or `kvm_unmap_hva_range` line of ftrace or `trace-cmd report` text, read from
/// its bytes alone: the grammar both passes of ``FtraceReader`` share, so that any thread can
/// read any line.
struct FtraceLine {
    /// What a line says, beside its prefix.
    enum Kind {
        case access(isWrite: Bool, hasValue: Bool, gpa: UInt64, size: UInt64, value: UInt64)
        case unmapHVA(start: UInt64, end: UInt64)
    }

    /// What reading a line found.
    enum Reading {
        /// A header, comment or blank line.
        case nothing
        /// Another event's line (`kvm_exit`, …), skipped.
        case otherEvent
        case line(FtraceLine)
    }

    var kind: Kind
    /// The thread's name (`comm`).
    var comm: Range<Int>
    /// The thread's name and pid as spelt (`comm-pid`): the thread's key.
    var thread: Range<Int>
    var pid: UInt64
    var time: UInt64
    /// Where the timestamp starts, for a warning about it.
    var timeAt: Int

    /// Reads a line; throws at the first thing that is not ftrace.
    static func read(_ s: inout CaptureScanner) throws(InputError) -> Reading {
        s.skipSpaces()
        guard !s.atEnd, !isHeader(s) else { return .nothing }
        guard let (comm, pid, pidEnd, cpuEnd) = prefix(s) else {
            throw s.expected("an ftrace line (COMM-PID [CPU] secs.usecs: event: …)", s.position..<s.bytes.count)
        }
        s.position = cpuEnd
        var field = s.token()
        if !field.isEmpty, s.bytes[field.lowerBound] &- 0x30 >= 10 {
            guard (4...5).contains(field.count) else { throw s.expected("irq flags (4 or 5 characters, as d..1.) or a timestamp", field) }
            field = s.token()
        }
        guard field.count > 1, s.bytes[field.upperBound - 1] == UInt8(ascii: ":"), let time = s.timestamp(field.lowerBound..<(field.upperBound - 1)) else {
            throw s.expected("a timestamp (secs.usecs:)", field)
        }
        s.skipSpaces()
        let nameStart = s.position
        while !s.atEnd, s.bytes[s.position] != UInt8(ascii: ":"), !CaptureScanner.isSpace(s.bytes[s.position]) { s.position += 1 }
        let name = nameStart..<s.position
        s.skipSpaces()
        guard !name.isEmpty, !s.atEnd, s.bytes[s.position] == UInt8(ascii: ":") else { throw s.expected("an event name and ':'", name) }
        s.position += 1
        let kind: Kind
        if s.matches(name, "kvm_mmio") {
            kind = try mmio(&s)
        } else if s.matches(name, "kvm_unmap_hva_range") {
            kind = try unmapHVA(&s)
        } else {
            return .otherEvent
        }
        return .line(FtraceLine(kind: kind, comm: comm, thread: comm.lowerBound..<pidEnd, pid: pid, time: time, timeAt: field.lowerBound))
    }

    /// `mmio write|read|unsatisfied-read len N gpa 0x… val 0x…`.
    private static func mmio(_ s: inout CaptureScanner) throws(InputError) -> Kind {
        let mmio = s.token()
        guard s.matches(mmio, "mmio") else { throw s.expected("'mmio'", mmio) }
        let kind = s.token()
        let k: Int
        if s.matches(kind, "write") {
            k = 0
        } else if s.matches(kind, "read") {
            k = 1
        } else if s.matches(kind, "unsatisfied-read") {
            k = 2
        } else {
            throw s.expected("write, read or unsatisfied-read", kind, choices: ["write", "read", "unsatisfied-read"])
        }
        try keyword(&s, "len")
        let (size, _) = try s.field("an access length (1, 2, 4 or 8)") { s, r in s.decimal(r).flatMap { [1, 2, 4, 8].contains($0) ? $0 : nil } }
        try keyword(&s, "gpa")
        let (gpa, gpaRange) = try s.hexField("a guest physical address (0x…)")
        guard Region.fits(base: gpa, size: size) else {
            throw InputError(s.location(gpaRange.lowerBound), expected: "a guest physical address below 2^52 (Arm's largest intermediate physical address space)",
                             found: s.text(gpaRange))
        }
        try keyword(&s, "val")
        let (value, valueRange) = try s.hexField("a value (0x…)")
        guard size == 8 || value >> (size * 8) == 0 else {
            throw InputError(s.location(valueRange.lowerBound), "expected a value of at most \(size) bytes, found \(InputError.quote(s.text(valueRange)))")
        }
        try s.expectEnd()
        return .access(isWrite: k == 0, hasValue: k != 2, gpa: gpa, size: size, value: value)
    }

    /// `mmu notifier unmap range: 0x… -- 0x…`.
    private static func unmapHVA(_ s: inout CaptureScanner) throws(InputError) -> Kind {
        for word: StaticString in ["mmu", "notifier", "unmap", "range:"] { try keyword(&s, word) }
        let (start, _) = try s.hexField("a start address (0x…)")
        try keyword(&s, "--")
        let (end, _) = try s.hexField("an end address (0x…)")
        try s.expectEnd()
        return .unmapHVA(start: start, end: end)
    }

    private static func keyword(_ s: inout CaptureScanner, _ word: StaticString) throws(InputError) {
        let range = s.token()
        guard s.matches(range, word) else { throw s.expected("'\(word)'", range) }
    }

    /// Header and continuation lines of ftrace and trace-cmd: `#` comments, `version = 6`,
    /// `cpus=4`, `CPU 3 is empty`, `CPU:2 [LOST 12 EVENTS]`, and `=>` stack lines. Compared as
    /// bytes: most lines are events, and only a few first bytes can start a header.
    private static func isHeader(_ s: CaptureScanner) -> Bool {
        let line = UnsafeBufferPointer(rebasing: s.bytes[s.position...])
        var end = line.count
        while end > 0, CaptureScanner.isSpace(line[end - 1]) { end -= 1 }
        let rest = UnsafeBufferPointer(rebasing: line[..<end])
        func starts(_ literal: StaticString) -> Bool { rest.count >= literal.utf8CodeUnitCount && rest.matches(0..<literal.utf8CodeUnitCount, literal) }
        switch rest.first {
        case UInt8(ascii: "#"): return true
        case UInt8(ascii: "="): return starts("=>")
        case UInt8(ascii: "v"): return starts("version = ")
        case UInt8(ascii: "c"): return starts("cpus=")
        case UInt8(ascii: "C"):
            if starts("CPU ") {
                let suffix: StaticString = " is empty"
                return rest.count >= suffix.utf8CodeUnitCount && rest.matches((rest.count - suffix.utf8CodeUnitCount)..<rest.count, suffix)
            }
            return starts("CPU:") && rest.firstRange(of: Array("[LOST ".utf8)) != nil
        default: return false
        }
    }

    /// Finds `COMM-PID [(TGID)] [CPU]`, anchored on the first `-PID` followed by an optional
    /// `(TGID)` and `[CPU]`, so that thread names may contain spaces and dashes. Returns the
    /// name's range (leading blanks skipped), the pid, where its digits end, and where the CPU
    /// field ends.
    private static func prefix(_ s: CaptureScanner) -> (comm: Range<Int>, pid: UInt64, pidEnd: Int, cpuEnd: Int)? {
        let b = s.bytes
        var dash = s.position + 1
        while dash < b.count {
            defer { dash += 1 }
            guard b[dash] == UInt8(ascii: "-") else { continue }
            var p = dash + 1
            while p < b.count, b[p] &- 0x30 < 10 { p += 1 }
            guard p > dash + 1, let pid = s.decimal((dash + 1)..<p) else { continue }
            let pidEnd = p
            while p < b.count, CaptureScanner.isSpace(b[p]) { p += 1 }
            if p < b.count, b[p] == UInt8(ascii: "(") {
                while p < b.count, b[p] != UInt8(ascii: ")") { p += 1 }
                p += 1
                while p < b.count, CaptureScanner.isSpace(b[p]) { p += 1 }
            }
            guard p < b.count, b[p] == UInt8(ascii: "[") else { continue }
            var q = p + 1
            while q < b.count, b[q] &- 0x30 < 10 { q += 1 }
            guard q > p + 1, q < b.count, b[q] == UInt8(ascii: "]") else { continue }
            return (s.position..<dash, pid, pidEnd, q + 1)
        }
        return nil
    }
}

/// The agents of a capture's threads: the side file's `comm-pid`, then `comm` entry, then
/// `CPU N/KVM` → `vcpuN`, then the default agent. Each thread is resolved once, from the bytes
/// of its `comm-pid`; later lines find it without building a `String`.
struct FtraceThreads {
    private let agents: [String: Agent]
    private let fallbackAgent: Agent
    private var threads = NameMemo<Agent>()

    init(agents: [String: Agent], fallbackAgent: Agent) {
        self.agents = agents
        self.fallbackAgent = fallbackAgent
    }

    /// The agent of the line's thread.
    mutating func agent(_ line: FtraceLine, _ s: CaptureScanner) -> Agent {
        threads.value(of: UnsafeBufferPointer(rebasing: s.bytes[line.thread])) {
            Self.agent(comm: s.text(line.comm), pid: line.pid, agents: agents, fallbackAgent: fallbackAgent)
        }
    }

    /// The agent of thread `comm` (with `pid`, when known).
    static func agent(comm: String, pid: UInt64?, agents: [String: Agent], fallbackAgent: Agent) -> Agent {
        if let pid, let agent = agents["\(comm)-\(pid)"] { return agent }
        if comm.hasPrefix("CPU "), comm.hasSuffix("/KVM"),
           case let digits = comm.dropFirst(4).dropLast(4), digits.allSatisfy({ $0.isASCII && $0.isNumber }), let n = UInt16(digits) {
            return agents[comm] ?? .vcpu(n)
        }
        return agents[comm] ?? fallbackAgent
    }
}
