import Diagnostics
import Faults
import Foundation
import Testing

@Suite struct FaultSetTests {
    @Test func loadsStringsAndMappings() throws {
        let faults = try FaultSet.load(yaml: """
            # faults for the nvme scenario
            faults:
              - CA at bar0+0x44 read
              - "UR at bar0 read #3"
              - 'link-down at 5us for 2ms'
              - kind: link-down
                at: nvme0
                request: WRITE
                occurrence: every 4
                duration: 2ms
              - {kind: poisoned-completion, at: bar0+0x1c, occurrence: "#3"}
              - kind: DPC
                at: event 12
            """, file: "f.yaml")
        #expect(faults.map(\.description) == [
            "CA at bar0+0x44 read",
            "UR at bar0 read #3",
            "link-down at 5us for 2ms",
            "link-down at nvme0 write every 4 for 2ms",
            "poisoned-completion at bar0+0x1c #3",
            "DPC at event 12",
        ])
        #expect(faults.map(\.location.description) == ["f.yaml:3:5", "f.yaml:4:6", "f.yaml:5:6", "f.yaml:6:5", "f.yaml:11:5", "f.yaml:12:5"])
    }

    @Test func emptyListHasNoFaults() throws {
        #expect(try FaultSet.load(yaml: "faults: []\n", file: "f.yaml").isEmpty)
    }

    /// Bad fault files and the exact error each gives.
    @Test(arguments: [
        ("fault:\n  - UR at bar0\n", "f.yaml:1:1: error: expected a fault-file key (faults), found 'fault'; did you mean 'faults'?"),
        ("faults: UR at bar0\n", "f.yaml:1:9: error: expected a sequence of faults, found 'UR at bar0'"),
        ("faults:\n  - UR at bar0 raed\n",
         "f.yaml:2:16: error: expected a request (read, write, cfg-read, cfg-write), an occurrence (first, every, every N, #N) "
            + "or end of line, found 'raed'; did you mean 'read'?"),
        ("faults:\n  - UR at bar0 read #3\n",
         "f.yaml:2:21: error: expected the fault in quotes when it has an occurrence '#N' (YAML reads ' #N' as a comment), found '#3'"),
        ("faults:\n  - [UR, bar0]\n",
         "f.yaml:2:5: error: expected a fault (text like 'CA at bar0+0x44 read', or a mapping of kind, at, request, occurrence, "
            + "duration), found a sequence"),
        ("faults:\n  - kind: UR\n    at: bar0\n    ocurrence: every\n",
         "f.yaml:4:5: error: expected a fault key (kind, at, request, occurrence, duration), found 'ocurrence'; did you mean 'occurrence'?"),
        ("faults:\n  - at: bar0\n", "f.yaml:2:5: error: expected key 'kind' (the fault kind), found none"),
        ("faults:\n  - kind: UR\n", "f.yaml:2:5: error: expected key 'at' (the fault's site), found none"),
        ("faults:\n  - kind: XR\n    at: bar0\n",
         "f.yaml:2:11: error: expected a fault kind (UR, CA, poisoned-completion, poisoned-write, poisoned, completion-timeout, "
            + "ECRC, malformed, unexpected-completion, link-down, DPC, decode-miss, correctable), found 'XR'; did you mean 'UR'?"),
        ("faults:\n  - kind: UR\n    at: bar0\n    duration: 2ms\n",
         "f.yaml:4:15: error: expected no duration for UR (only link-down and DPC take one), found '2ms'"),
        ("faults:\n  - kind: UR\n    at: event 3\n    request: read\n",
         "f.yaml:4:14: error: expected no request with an event or time site, found 'read'"),
        ("faults:\n  - kind: UR\n    at: bar0 read\n", "f.yaml:3:14: error: expected end of the value, found 'read'"),
        ("faults:\n  - kind: UR\n    at: bar0\n    occurrence: #3\n",
         "f.yaml:4:17: error: expected the fault in quotes when it has an occurrence '#N' (YAML reads ' #N' as a comment), found '#3'"),
        ("faults:\n  - kind: UR\n    at: bar0\n    occurrence: sometimes\n",
         "f.yaml:4:17: error: expected an occurrence (first, every, every N, #N), found 'sometimes'"),
        ("faults:\n  - kind: UR\n    at: {region: bar0}\n", "f.yaml:3:9: error: expected a site, found a mapping"),
        ("faults:\n  - kind: UR\n    kind: CA\n    at: bar0\n",
         "f.yaml:2:5: error: expected each key once in a mapping, found 'kind' more than once"),
        ("", "f.yaml:1:1: error: expected a mapping with the key 'faults', found an empty document"),
    ])
    func badFiles(yaml: String, message: String) {
        #expect(throws: InputError.self) { try FaultSet.load(yaml: yaml, file: "f.yaml") }
        do {
            _ = try FaultSet.load(yaml: yaml, file: "f.yaml")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func resolvesFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("faults-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = directory.appendingPathComponent("good.yaml").path
        let bad = directory.appendingPathComponent("bad.yaml").path
        try "faults:\n  - CA at bar0+0x44 read\n".write(toFile: good, atomically: true, encoding: .utf8)
        try "faults:\n  - CA at\n".write(toFile: bad, atomically: true, encoding: .utf8)

        #expect(try FaultSet.resolve(good).map(\.description) == ["CA at bar0+0x44 read"])
        #expect(try FaultSet.resolve(good).first?.location.file == good)
        for (argument, failure) in [("nope", ResolutionError.Failure.missingFile), ("nope.yaml", .missingFile)] {
            #expect(throws: ResolutionError(argument: argument, kind: FaultSet.resourceKind, failure: failure)) { try FaultSet.resolve(argument) }
        }
        #expect(throws: ResolutionError.self) { try FaultSet.resolve(bad) }
        do {
            _ = try FaultSet.resolve(bad)
        } catch {
            guard case .invalidFile(let inputError) = error.failure else { Issue.record("expected an invalid file, got \(error)"); return }
            #expect(inputError.location == SourceLocation(file: bad, line: 2, column: 10))
        }
        #expect(ResolutionError(argument: "nope", kind: FaultSet.resourceKind, failure: .missingFile).description == "nope: no such fault file")
    }
}

@Suite struct FaultFileFormTests {
    /// `--faults` takes either form: an aer-inject file is recognised by its first word.
    @Test func aerInjectAndYAMLFilesAreToldApart() throws {
        let aer = try FaultSet.load(text: "# from aer-inject\n\naer\nPCI_ID 0000:01:00.0\nUNCOR_STATUS COMP_ABORT\n", file: "a.aer")
        #expect(aer.map(\.kind) == [.ca])
        let yaml = try FaultSet.load(text: "faults:\n  - CA at bar0+0x44 read\n", file: "f.yaml")
        #expect(yaml.map(\.kind) == [.ca])
    }
}
