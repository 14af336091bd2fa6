#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// The ids of experiments handed to workers, appended to the file `<database>-inflight` before
/// they start, and again (`done ID`) once their results reach the writer (docs/campaigns.md,
/// Failed experiments). Those started and not done are what a process that stopped was running.
///
/// A plain append, not an SQLite transaction: marking costs a `write(2)` and never waits for the
/// database, whose transactions of results can then be as large as the writer needs. What is
/// written survives the process being killed (the kernel has it); a power loss may lose it, which
/// only loses track of which experiment was running (it is run again with the others). A run
/// that completes removes the file. Lines are `ID` or `done ID`; anything else (a line cut short)
/// is ignored when read.
final class InFlightJournal: Sendable {
    let path: String
    /// The descriptor appended to, opened at the first mark.
    private let descriptor = Mutex<Int32?>(nil)

    init(databasePath: String) {
        path = databasePath + "-inflight"
    }

    deinit {
        descriptor.withLock { if let fd = $0 { close(fd) } }
    }

    /// Appends `ids` as started, or as done, one write for all of them.
    func append(_ ids: [String], done: Bool = false) throws {
        guard !ids.isEmpty else { return }
        try descriptor.withLock { fd in
            if fd == nil {
                let opened = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
                guard opened >= 0 else { throw StoreError("\(path): cannot record experiments in flight: \(String(cString: strerror(errno)))") }
                fd = opened
            }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(ids.count * (done ? 22 : 17))
            for id in ids {
                if done { bytes += "done ".utf8 }
                bytes += id.utf8
                bytes.append(UInt8(ascii: "\n"))
            }
            var offset = 0
            while offset < bytes.count {
                let n = bytes.withUnsafeBytes { write(fd!, $0.baseAddress! + offset, $0.count - offset) }
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { throw StoreError("\(path): cannot record experiments in flight: \(String(cString: strerror(errno)))") }
                offset += n
            }
        }
    }

    /// The ids recorded as started and not as done; none when there is no file.
    func running() -> Set<String> {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        var started = Set<String>()
        for line in data.split(separator: UInt8(ascii: "\n")) {
            let done = line.starts(with: "done ".utf8)
            let id = done ? line.dropFirst(5) : line
            guard id.count == 16, id.allSatisfy(Self.isLowerHex) else { continue }
            if done { started.remove(String(decoding: id, as: UTF8.self)) } else { started.insert(String(decoding: id, as: UTF8.self)) }
        }
        return started
    }

    private static func isLowerHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }

    /// Removes the file: nothing is in flight any more.
    func remove() throws {
        try descriptor.withLock { fd in
            if let open = fd { close(open) }
            fd = nil
            guard unlink(path) == 0 || errno == ENOENT else {
                throw StoreError("\(path): cannot remove: \(String(cString: strerror(errno)))")
            }
        }
    }
}
