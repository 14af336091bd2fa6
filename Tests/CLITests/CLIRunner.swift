import Foundation
import Testing
import TestSupport

/// Runs the built `mmio-replay` binary from the package root, as a user would.
enum CLI {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The binary next to the test bundle (the test target depends on the executable).
    static let binary: URL = {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("mmio-replay").path), dir.path != "/" {
            dir.deleteLastPathComponent()
        }
        return dir.appendingPathComponent("mmio-replay")
    }()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// - Parameter timeout: Seconds after which coreutils' `timeout` stops the command (status 124).
    static func run(_ arguments: [String], stdin: String? = nil, timeout: Int? = nil) throws -> Result {
        let process = Process()
        if let timeout {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
            process.arguments = ["\(timeout)", binary.path] + arguments
        } else {
            process.executableURL = binary
            process.arguments = arguments
        }
        process.currentDirectoryURL = packageRoot
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Runs the command and compares `$ command`, its exit status, standard output and standard
    /// error with a golden file; `RECORD_SNAPSHOTS=1` re-records it.
    static func expectGolden(_ name: String, _ arguments: [String], status: Int32 = 0, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try run(arguments)
        let transcript = "$ mmio-replay \(arguments.joined(separator: " "))\n[exit \(result.status)]\n--- stdout\n\(result.stdout)--- stderr\n\(result.stderr)"
        #expect(result.status == status, "\(arguments)", sourceLocation: sourceLocation)
        try Golden.expect(transcript, matches: fixtures.appendingPathComponent(name + ".golden").path, sourceLocation: sourceLocation)
    }
}
