import Diagnostics
import Foundation
import PCIeTransport
import Testing
import Platforms

@Suite struct ProfileYAMLTests {
    let quiet = PlatformProfile.builtIn(named: "quiet-pcie")!

    @Test func baseOverrideChangesOnlyTheOverriddenKeys() throws {
        let profile = try PlatformProfile.load(yaml: """
            name: slow-link
            base: Quiet-PCIe
            transport:
              ecam-mmio-ordered: false
              latency-ns:
                link-propagation: 1_500
              link:
                lanes: 1
                rate-gts: 2.5
            """, file: "slow.yaml")
        var expected = quiet
        expected.name = "slow-link"
        expected.summary = "user profile from slow.yaml"
        expected.source = "file slow.yaml, based on built-in quiet-pcie"
        expected.transport.ecamMMIOOrdered = false
        expected.transport.latency.linkPropagation = 1_500
        expected.transport.link.lanes = 1
        expected.transport.link.rate = .gen1
        #expect(profile == expected)
        #expect(try PlatformProfile.load(yaml: profile.yaml, file: "again.yaml") == profile)
    }

    @Test func baseAloneCopiesTheTransport() throws {
        let profile = try PlatformProfile.load(
            yaml: "name: mine\nsummary: same as split-ecam\nsource: lab\nbase: split-ecam\n", file: "m.yaml")
        #expect(profile.summary == "same as split-ecam")
        #expect(profile.source == "lab")
        #expect(profile.transport == PlatformProfile.builtIn(named: "split-ecam")!.transport)
    }

    /// The example of `docs/platforms.md`.
    @Test func documentedExample() throws {
        let profile = try PlatformProfile.load(yaml: """
            # A Gen1 x1 link on a split-ECAM SoC with a slow interconnect path to config space.
            name: slow-split
            summary: "split-ecam on a Gen1 x1 link, slow config path"
            source: "bench measurements, 2026-03"
            base: split-ecam
            transport:
              latency-ns:
                serialisation-point-to-config: 400
              link:
                lanes: 1
                rate-gts: 2.5
                max-payload-bytes: 128
              write-combining:
                drain-timeout-ns: 2_000
            """, file: "slow-split.yaml")
        var expected = try #require(PlatformProfile.builtIn(named: "split-ecam"))
        expected.name = "slow-split"
        expected.summary = "split-ecam on a Gen1 x1 link, slow config path"
        expected.source = "bench measurements, 2026-03"
        expected.transport.latency.serialisationPointToConfig = 400
        expected.transport.link.lanes = 1
        expected.transport.link.rate = .gen1
        expected.transport.link.maxPayloadBytes = 128
        expected.transport.writeCombining.drainTimeout = 2_000
        #expect(profile == expected)
    }

    /// Without a base, a file gives every key; a full file reads back exactly.
    @Test func fullProfileWithoutBase() throws {
        var original = quiet
        original.name = "Odd.Name_1"
        original.summary = "quotes \" and \\ and: colons, tabs\t, «unicode», \u{2028} and #hash"
        original.source = ""
        original.transport.writeCombining.buffers = 0
        original.transport.hostReset.readyTimeout = 12_345
        original.transport.link.rate = .gen5
        #expect(original.yaml.contains("    ready-timeout-ns: 12_345\n"))
        #expect(original.yaml.contains("    rate-gts: 32\n"))
        #expect(try PlatformProfile.load(yaml: original.yaml, file: "full.yaml") == original)
    }

    /// Without a base, every key of every section is required.
    @Test func fullProfileMissingOneKey() {
        let text = quiet.yaml.replacingOccurrences(of: "    device-read-response: 300\n", with: "")
        #expect {
            try PlatformProfile.load(yaml: text, file: "q.yaml")
        } throws: { error in
            (error as? InputError)?.description == "q.yaml:9:5: error: expected key 'device-read-response' in "
                + "transport.latency-ns, found none; give every key, or start from a built-in with 'base:'"
        }
    }

    /// Bad files and the exact error each gives.
    @Test(arguments: [
        // unknown key, with a suggestion
        ("name: p\nbase: quiet-pcie\ntransport:\n  link:\n    lanse: 8\n",
         "p.yaml:5:5: error: expected a transport.link key (lanes, rate-gts, framing-bytes, max-payload-bytes, "
            + "max-read-request-bytes, read-completion-boundary-bytes), found 'lanse'; did you mean 'lanes'?"),
        ("name: p\nbase: quiet-pcie\ntrasport: {}\n",
         "p.yaml:3:1: error: expected a profile key (name, summary, source, base, transport, errors, ras), found 'trasport'; "
            + "did you mean 'transport'?"),
        ("name: p\nbase: quiet-pcie\ntransport:\n  ecam-mmio-order: false\n",
         "p.yaml:4:3: error: expected a transport key (ecam-mmio-ordered, endpoint-acknowledges-writes, "
            + "early-write-ack-point, latency-ns, link, write-combining, host-reset), found 'ecam-mmio-order'; "
            + "did you mean 'ecam-mmio-ordered'?"),
        // wrong type
        ("name: p\nbase: quiet-pcie\ntransport:\n  ecam-mmio-ordered: 1\n",
         "p.yaml:4:22: error: expected true or false, found '1'"),
        ("name: p\nbase: quiet-pcie\ntransport:\n  latency-ns: 40\n",
         "p.yaml:4:15: error: expected a mapping of transport.latency-ns keys, found '40'"),
        ("name: p\nbase: quiet-pcie\ntransport:\n  latency-ns:\n    link-propagation: [20]\n",
         "p.yaml:5:23: error: expected a duration in nanoseconds from 0 to 86_400_000_000_000 (one day), found a sequence"),
        // negative or malformed latency
        ("name: p\nbase: quiet-pcie\ntransport:\n  latency-ns:\n    completion-to-core: -5\n",
         "p.yaml:5:25: error: expected a duration in nanoseconds from 0 to 86_400_000_000_000 (one day), found '-5'"),
        ("name: p\nbase: quiet-pcie\ntransport:\n  write-combining:\n    drain-timeout-ns: 1.5e3\n",
         "p.yaml:5:23: error: expected a duration in nanoseconds from 0 to 86_400_000_000_000 (one day), found '1.5e3'"),
        // MPS not a power of two in 128...4096
        ("name: p\nbase: quiet-pcie\ntransport:\n  link:\n    max-payload-bytes: 300\n",
         "p.yaml:5:24: error: expected a maximum payload size in bytes (a power of two from 128 to 4096), found '300'"),
        ("name: p\nbase: quiet-pcie\ntransport:\n  link:\n    max-read-request-bytes: 8192\n",
         "p.yaml:5:29: error: expected a maximum read request size in bytes (a power of two from 128 to 4096), found '8192'"),
        // unknown base
        ("name: p\nbase: quiet-pice\n",
         "p.yaml:2:7: error: expected a built-in profile (quiet-pcie, ras-sbsa, ras-aderr, no-ras, split-ecam, "
            + "platform-device), found 'quiet-pice'; did you mean 'quiet-pcie'?"),
        // unknown link rate, lane count, completion boundary, ack point
        ("name: p\nbase: quiet-pcie\ntransport:\n  link:\n    rate-gts: 12\n",
         "p.yaml:5:15: error: expected a link rate in GT/s (2.5, 5, 8, 16, 32), found '12'"),
        ("name: p\nbase: quiet-pcie\ntransport:\n  link:\n    lanes: 3\n",
         "p.yaml:5:12: error: expected a link width in lanes (1, 2, 4, 8, 12, 16, 32), found '3'"),
        ("name: p\nbase: quiet-pcie\ntransport:\n  link:\n    read-completion-boundary-bytes: 32\n",
         "p.yaml:5:37: error: expected a read completion boundary in bytes (64 or 128), found '32'"),
        ("name: p\nbase: quiet-pcie\ntransport:\n  early-write-ack-point: serialization-point\n",
         "p.yaml:4:26: error: expected an early write acknowledgement point (serialisation-point), "
            + "found 'serialization-point'; did you mean 'serialisation-point'?"),
        ("name: p\nbase: quiet-pcie\ntransport:\n  write-combining:\n    line-bytes: 48\n",
         "p.yaml:5:17: error: expected a write-combining line size in bytes (a power of two from 16 to 256), found '48'"),
        // missing keys without a base
        ("name: p\ntransport:\n  link:\n    lanes: 4\n",
         "p.yaml:3:3: error: expected key 'ecam-mmio-ordered' in transport, found none; give every key, or start "
            + "from a built-in with 'base:'"),
        ("name: p\n",
         "p.yaml:1:1: error: expected key 'transport', found none; give every key, or start from a built-in with 'base:'"),
        ("name: p\ntransport:\n  ecam-mmio-ordered: true\n  endpoint-acknowledges-writes: false\n"
            + "  early-write-ack-point: serialisation-point\n  link:\n    lanes: 4\n",
         "p.yaml:3:3: error: expected key 'latency-ns' in transport, found none; give every key, or start from a "
            + "built-in with 'base:'"),
        ("summary: s\nbase: no-ras\n", "p.yaml:1:1: error: expected key 'name' (the profile's name), found none"),
        // errors: and ras:
        ("name: p\nbase: ras-sbsa\nerrors:\n  root-complex-response:\n    cto: {memory-read: slverr}\n",
         "p.yaml:5:5: error: expected an errors.root-complex-response key (ur, ca, poisoned-completion, completion-timeout, "
            + "decode-miss), found 'cto'"),
        ("name: p\nbase: ras-sbsa\nerrors:\n  root-complex-response:\n    poisoned-complection: {}\n",
         "p.yaml:5:5: error: expected an errors.root-complex-response key (ur, ca, poisoned-completion, completion-timeout, "
            + "decode-miss), found 'poisoned-complection'; did you mean 'poisoned-completion'?"),
        ("name: p\nbase: ras-sbsa\nerrors:\n  root-complex-response:\n    ca: {memory-read: slverror}\n",
         "p.yaml:5:23: error: expected a bus response (okay-all-ones, okay-zeros, slverr, decerr), found 'slverror'; "
            + "did you mean 'slverr'?"),
        ("name: p\nbase: ras-sbsa\nerrors:\n  root-complex-response:\n    ca: {memory-write: slverr}\n",
         "p.yaml:5:10: error: expected an errors.root-complex-response.ca key (memory-read, config-read, config-write), "
            + "found 'memory-write'"),
        ("name: p\nbase: no-ras\nras:\n  syndromes: {device-load: ueq}\n",
         "p.yaml:4:28: error: expected a syndrome (uc, ueu, uer, ueo, ce, implementation-defined, uncategorized), "
            + "found 'ueq'; did you mean 'ueu'?"),
        ("name: p\nbase: no-ras\nras:\n  firmware-syndrome: unknown\n",
         "p.yaml:4:22: error: expected a syndrome (uc, ueu, uer, ueo, ce, implementation-defined, uncategorized), "
            + "found 'unknown'"),
        ("name: p\nbase: no-ras\nras:\n  feat_ras: true\n",
         "p.yaml:4:3: error: expected a ras key (feat-ras, device-load-precise, normal-load-precise, syndromes, "
            + "firmware-syndrome, speculative-errors-signalled), found 'feat_ras'; did you mean 'feat-ras'?"),
        ("name: p\nbase: no-ras\nerrors:\n  posted-error-signalling: firmware-first\n",
         "p.yaml:4:28: error: expected a posted-error signalling path (aer-interrupt, firmware-first-serror, "
            + "firmware-first-sea), found 'firmware-first'"),
        ("name: p\nbase: no-ras\nerrors:\n  dpc-completion: sc\n",
         "p.yaml:4:19: error: expected a DPC completion status (ur, ca), found 'sc'"),
        ("name: p\nbase: no-ras\nerrors:\n  error-signal-latency-ns: -2000\n",
         "p.yaml:4:28: error: expected a duration in nanoseconds from 0 to 86_400_000_000_000 (one day), found '-2000'"),
        ("name: p\nbase: no-ras\nerrors:\n  root-complex-response: okay-all-ones\n",
         "p.yaml:4:26: error: expected a mapping of errors.root-complex-response keys, found 'okay-all-ones'"),
        ("name: p\nbase: no-ras\nras:\n  syndromes: [uc, uc, uer, uer]\n",
         "p.yaml:4:14: error: expected a mapping of ras.syndromes keys, found a sequence"),
        ("name: p\nbase: no-ras\nerrors:\n  root-complex-response:\n    ur:\n      memory-read: [decerr]\n",
         "p.yaml:6:20: error: expected a bus response (okay-all-ones, okay-zeros, slverr, decerr), found a sequence"),
        ("name: p\nbase: no-ras\nerrors:\n  dpc: enabled\n", "p.yaml:4:8: error: expected true or false, found 'enabled'"),
        // YAML shape
        ("name: p\nbase: no-ras\nbase: ras-sbsa\n",
         "p.yaml:2:1: error: expected each key once in a mapping, found 'base' more than once"),
        ("name: p\ntransport: {link: [\n",
         "p.yaml:3:1: error: expected valid YAML, found a syntax error: did not find expected node content "
            + "(while parsing a flow node at 3:1)"),
        ("- p\n", "p.yaml:1:1: error: expected a mapping of profile keys, found a sequence"),
        ("", "p.yaml:1:1: error: expected a mapping of profile keys, found an empty document"),
    ])
    func badFiles(yaml: String, expected: String) {
        #expect {
            try PlatformProfile.load(yaml: yaml, file: "p.yaml")
        } throws: { error in
            (error as? InputError)?.description == expected
        }
    }

    /// Without a base, a row of the response table names every request kind.
    @Test func tableRowMissingARequestKind() {
        let text = quiet.yaml.replacingOccurrences(
            of: "    ca:\n      memory-read: okay-all-ones\n      config-read: okay-all-ones\n      config-write: okay-all-ones\n",
            with: "    ca: {memory-read: okay-all-ones, config-read: okay-all-ones}\n")
        #expect(text != quiet.yaml)
        #expect {
            try PlatformProfile.load(yaml: text, file: "q.yaml")
        } throws: { error in
            (error as? InputError)?.description == "q.yaml:42:9: error: expected key 'config-write' in "
                + "errors.root-complex-response.ca, found none; give every key, or start from a built-in with 'base:'"
        }
    }

    /// Without a base, `errors:` and `ras:` are required like `transport:`.
    @Test func fullProfileMissingRAS() {
        let text = String(quiet.yaml[..<quiet.yaml.range(of: "ras:\n")!.lowerBound])
        #expect {
            try PlatformProfile.load(yaml: text, file: "q.yaml")
        } throws: { error in
            (error as? InputError)?.description
                == "q.yaml:1:1: error: expected key 'ras', found none; give every key, or start from a built-in with 'base:'"
        }
    }

    /// One nested cell over a base changes that cell and nothing else.
    @Test func baseOverrideOfOneTableCell() throws {
        let sbsa = try #require(PlatformProfile.builtIn(named: "ras-sbsa"))
        let profile = try PlatformProfile.load(yaml: """
            name: ca-reads-decerr
            base: ras-sbsa
            errors:
              root-complex-response:
                ca:
                  memory-read: decerr
            """, file: "c.yaml")
        var expected = sbsa
        expected.name = "ca-reads-decerr"
        expected.summary = "user profile from c.yaml"
        expected.source = "file c.yaml, based on built-in ras-sbsa"
        expected.errors.rootComplexResponse[.completerAbort, .memoryRead] = .decerr
        #expect(profile == expected)
        for error in ErrorKind.rootComplexAnswered {
            for request in RequestKind.nonPosted where (error, request) != (.completerAbort, .memoryRead) {
                #expect(profile.errors.rootComplexResponse[error, request] == sbsa.errors.rootComplexResponse[error, request])
            }
        }
        #expect(try PlatformProfile.load(yaml: profile.yaml, file: "again.yaml") == profile)
    }

    /// Flow and block mappings read the same; the writer emits block mappings.
    @Test func flowAndBlockMappingsAgree() throws {
        let flow = try PlatformProfile.load(yaml: """
            name: p
            base: quiet-pcie
            errors: {root-complex-response: {ur: {memory-read: slverr, config-read: decerr}}, dpc: false}
            ras: {syndromes: {device-load: ueu, normal-store: ce}, feat-ras: false}
            """, file: "p.yaml")
        let block = try PlatformProfile.load(yaml: """
            name: p
            base: quiet-pcie
            errors:
              root-complex-response:
                ur:
                  memory-read: slverr
                  config-read: decerr
              dpc: false
            ras:
              syndromes:
                device-load: ueu
                normal-store: ce
              feat-ras: false
            """, file: "p.yaml")
        #expect(flow == block)
        #expect(flow.errors.rootComplexResponse[.unsupportedRequest, .configWrite] == .okayAllOnes)
        #expect(flow.ras.syndromes == SyndromeTable(deviceLoad: .ueu, deviceStore: .uc, normalLoad: .uer, normalStore: .ce))
        #expect(!flow.yaml.contains("{"))
    }

    /// The firmware-first example of `docs/platforms.md` (docs/domain.md §7 scenario 8).
    @Test func documentedFirmwareFirstExample() throws {
        let profile = try PlatformProfile.load(yaml: """
            # no-ras, but AER goes to firmware, which raises an SError (docs/domain.md section 7, scenario 8).
            name: no-ras-firmware-first
            summary: "no-ras with firmware-first AER: posted-write errors arrive as SErrors without syndrome"
            base: no-ras
            errors:
              posted-error-signalling: firmware-first-serror
            """, file: "ff.yaml")
        var expected = try #require(PlatformProfile.builtIn(named: "no-ras"))
        expected.name = "no-ras-firmware-first"
        expected.summary = "no-ras with firmware-first AER: posted-write errors arrive as SErrors without syndrome"
        expected.source = "file ff.yaml, based on built-in no-ras"
        expected.errors.postedErrorSignalling = .firmwareFirstSError
        #expect(profile == expected)
        #expect(!profile.ras.featRAS)
    }

    @Test func columnsCountBytes() {
        #expect {
            try PlatformProfile.load(yaml: "name: p\nbase: no-ras\ntransport: {\"lïnk\": {}}\n", file: "u.yaml")
        } throws: { error in
            (error as? InputError)?.location == SourceLocation(file: "u.yaml", line: 3, column: 13)
        }
    }
}

@Suite struct ProfileResolveTests {
    @Test func builtInNames() throws {
        #expect(try PlatformProfile.resolve("RAS-SBSA").name == "ras-sbsa")
    }

    @Test func unknownNameSuggests() {
        #expect(throws: ResolutionError(argument: "no-rass", kind: PlatformProfile.resourceKind, failure: .unknownName(suggestion: "no-ras"))) {
            try PlatformProfile.resolve("no-rass")
        }
        #expect(ResolutionError(argument: "no-rass", kind: PlatformProfile.resourceKind, failure: .unknownName(suggestion: "no-ras")).description
            == "expected a platform profile (quiet-pcie, ras-sbsa, ras-aderr, no-ras, split-ecam, platform-device) "
            + "or the path of a profile file, found 'no-rass'; did you mean 'no-ras'?")
    }

    @Test func missingFile() {
        #expect(throws: ResolutionError(argument: "nowhere/p.yaml", kind: PlatformProfile.resourceKind, failure: .missingFile)) {
            try PlatformProfile.resolve("nowhere/p.yaml")
        }
        #expect(throws: ResolutionError(argument: "p.yml", kind: PlatformProfile.resourceKind, failure: .missingFile)) { try PlatformProfile.resolve("p.yml") }
    }

    @Test func filesLoadOrReportTheirErrors() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("profiles-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let good = directory.appendingPathComponent("good.yaml").path
        try "name: good\nbase: no-ras\n".write(toFile: good, atomically: true, encoding: .utf8)
        #expect(try PlatformProfile.resolve(good).source == "file \(good), based on built-in no-ras")

        let bad = directory.appendingPathComponent("bad.yaml").path
        try "name: bad\nbase: nope\n".write(toFile: bad, atomically: true, encoding: .utf8)
        #expect {
            try PlatformProfile.resolve(bad)
        } throws: { error in
            guard case .invalidFile(let input) = (error as? ResolutionError)?.failure else { return false }
            return input.location == SourceLocation(file: bad, line: 2, column: 7)
        }

        let binary = directory.appendingPathComponent("binary.yaml").path
        try Data([0xff, 0xfe, 0x00]).write(to: URL(fileURLWithPath: binary))
        // Not UTF-8: located at the first bad byte (exit 65), not "unreadable" (exit 66).
        #expect(throws: ResolutionError(argument: binary, kind: PlatformProfile.resourceKind, failure: .invalidFile(
            InputError(SourceLocation(file: binary, line: 1, column: 1), expected: "UTF-8 text", found: "byte 0xff")))) {
            try PlatformProfile.resolve(binary)
        }
        let late = directory.appendingPathComponent("late.yaml").path
        try Data("name: late\nsummary: \"ok\"\nsource: \"caf".utf8 + [0xe9, 0x22, 0x0a]).write(to: URL(fileURLWithPath: late))
        #expect(throws: ResolutionError(argument: late, kind: PlatformProfile.resourceKind, failure: .invalidFile(
            InputError(SourceLocation(file: late, line: 3, column: 13), expected: "UTF-8 text", found: "byte 0xe9")))) {
            try PlatformProfile.resolve(late)
        }
        let huge = directory.appendingPathComponent("huge.yaml").path
        try Data(repeating: 0x20, count: InputText.limit + 10).write(to: URL(fileURLWithPath: huge))
        #expect {
            try PlatformProfile.resolve(huge)
        } throws: { error in
            guard case .invalidFile(let input) = (error as? ResolutionError)?.failure else { return false }
            return input.message.hasPrefix("expected at most 16 MiB of text")
        }
    }
}
