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
    /// What this process appends to, opened at the first mark.
    private let state = Mutex<Appending?>(nil)
    /// The journal is rewritten with only what is running once this much was appended since.
    private static let compactionBytes = 1 << 20

    private struct Appending {
        var fd: Int32
        /// Started and not done: what the file says, kept so that it can be rewritten short.
        var running: Set<String>
        var appended = 0
    }

    init(databasePath: String) {
        path = databasePath + "-inflight"
    }

    deinit {
        state.withLock { if let fd = $0?.fd { close(fd) } }
    }

    /// Appends `ids` as started, or as done, one write for all of them. Once a megabyte has been
    /// appended, the file is replaced (written aside, then renamed over it: never half written)
    /// by one listing only what is running, so that it stays small however long the campaign.
    func append(_ ids: [String], done: Bool = false) throws {
        guard !ids.isEmpty else { return }
        try state.withLock { state in
            var appending = try state ?? Appending(fd: openForAppending(path), running: running())
            defer { state = appending }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(ids.count * (done ? 22 : 17))
            for id in ids {
                if done {
                    bytes += "done ".utf8
                    appending.running.remove(id)
                } else {
                    appending.running.insert(id)
                }
                bytes += id.utf8
                bytes.append(UInt8(ascii: "\n"))
            }
            try writeAll(bytes, to: appending.fd)
            appending.appended += bytes.count
            if appending.appended >= Self.compactionBytes { try compact(&appending) }
        }
    }

    private func compact(_ state: inout Appending) throws {
        let aside = path + ".new"
        let fd = try openForAppending(aside, truncating: true)
        do {
            try writeAll(Array(state.running.sorted().map { $0 + "\n" }.joined().utf8), to: fd)
        } catch {
            close(fd)
            throw error
        }
        guard rename(aside, path) == 0 else {
            close(fd)
            throw StoreError("\(path): cannot replace: \(String(cString: strerror(errno)))")
        }
        close(state.fd)
        state.fd = fd
        state.appended = 0
    }

    private func openForAppending(_ file: String, truncating: Bool = false) throws -> Int32 {
        let fd = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncating ? O_TRUNC : 0), 0o644)
        guard fd >= 0 else { throw StoreError("\(file): cannot record experiments in flight: \(String(cString: strerror(errno)))") }
        return fd
    }

    private func writeAll(_ bytes: [UInt8], to fd: Int32) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw StoreError("\(path): cannot record experiments in flight: \(String(cString: strerror(errno)))") }
            offset += n
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
        try state.withLock { state in
            if let fd = state?.fd { close(fd) }
            state = nil
            guard unlink(path) == 0 || errno == ENOENT else {
                throw StoreError("\(path): cannot remove: \(String(cString: strerror(errno)))")
            }
        }
    }
}
