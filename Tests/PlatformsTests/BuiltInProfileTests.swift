import PCIeTransport
import Testing
@testable import Platforms

@Suite struct BuiltInProfileTests {
    @Test func builtInsInDomainOrder() {
        #expect(PlatformProfile.builtIns.map(\.name) == [
            "quiet-pcie", "ras-sbsa", "ras-aderr", "no-ras", "split-ecam", "platform-device",
        ])
        #expect(PlatformProfile.builtIn(named: "Split-ECAM")?.name == "split-ecam")
        #expect(PlatformProfile.builtIn(named: "split") == nil)
    }

    @Test(arguments: PlatformProfile.builtIns)
    func roundTripsThroughYAML(profile: PlatformProfile) throws {
        #expect(try PlatformProfile.load(yaml: profile.yaml, file: "x.yaml") == profile)
    }

    /// The stored text is the canonical form, so printing `yaml` shows exactly what was loaded.
    @Test(arguments: zip(PlatformProfile.builtIns, PlatformProfile.builtInYAML))
    func storedTextIsCanonical(profile: PlatformProfile, text: String) {
        #expect(profile.yaml == text)
    }

    @Test func onlySplitECAMLeavesECAMAndMMIOUnordered() {
        let unordered = PlatformProfile.builtIns.filter { !$0.transport.ecamMMIOOrdered }.map(\.name)
        #expect(unordered == ["split-ecam"])
    }

    @Test func onlyPlatformDeviceRequiresEndpointAcks() {
        let acked = PlatformProfile.builtIns.filter(\.transport.endpointAcknowledgesWrites).map(\.name)
        #expect(acked == ["platform-device"])
    }

    /// Apart from the two docs/domain.md distinctions, every built-in has quiet-pcie's transport.
    @Test(arguments: PlatformProfile.builtIns)
    func otherwiseSharedTransport(profile: PlatformProfile) throws {
        var transport = profile.transport
        transport.ecamMMIOOrdered = true
        transport.endpointAcknowledgesWrites = false
        transport.hostReset.mechanism = .flr
        #expect(transport == PlatformProfile.builtIns[0].transport)
        #expect(profile.transport.hostReset.mechanism == (profile.name == "platform-device" ? .resetController : .flr))
    }

    @Test func quietPCIeValues() throws {
        let transport = try #require(PlatformProfile.builtIn(named: "quiet-pcie")).transport
        #expect(transport.earlyWriteAckPoint == .serialisationPoint)
        #expect(transport.latency == TransportLatencies(
            coreToSerialisationPoint: 40, serialisationPointToRootComplex: 60, serialisationPointToConfig: 80,
            serialisationPointToPlatformDevice: 50, rootComplexToLink: 150, linkPropagation: 20, devicePostedWrite: 50,
            deviceReadResponse: 300, completionToCore: 150, cacheEviction: 100_000, resetController: 1_000))
        #expect(transport.link == LinkParameters(
            lanes: 4, rate: .gen4, framingBytes: 8, maxPayloadBytes: 256, maxReadRequestBytes: 512,
            readCompletionBoundaryBytes: 64))
        #expect(transport.writeCombining == WriteCombiningParameters(buffers: 4, lineBytes: 64, drainTimeout: 1_000))
        #expect(transport.hostReset == HostResetParameters(
            transactionsPendingTimeout: 700_000_000, flrWait: 100_000_000, readyTimeout: 60_000_000_000))
    }

    @Test func quietPCIeFabricatesAllOnesAndSignalsByAER() throws {
        let errors = try #require(PlatformProfile.builtIn(named: "quiet-pcie")).errors
        for error in ErrorKind.rootComplexAnswered {
            for request in RequestKind.nonPosted {
                #expect(errors.rootComplexResponse[error, request] == .okayAllOnes)
            }
        }
        #expect(errors.postedErrorSignalling == .aerInterrupt)
        #expect(errors.undeliverableWrite == .silentDrop)
        #expect(errors.dpc)
    }

    /// "RC returns SLVERR (UR→DECERR)"; a decode miss is the root complex's own UR, so DECERR too.
    @Test func rasSBSAReturnsSLVERRExceptURAsDECERR() throws {
        let profile = try #require(PlatformProfile.builtIn(named: "ras-sbsa"))
        let table = profile.errors.rootComplexResponse
        #expect(table[.unsupportedRequest, .memoryRead] == .decerr)
        #expect(table[.completerAbort, .memoryRead] == .slverr)
        for error in ErrorKind.rootComplexAnswered {
            for request in RequestKind.nonPosted {
                #expect(table[error, request] == ([.unsupportedRequest, .decodeMiss].contains(error) ? .decerr : .slverr))
            }
        }
        #expect(profile.ras == RASParameters(
            featRAS: true, deviceLoadPrecise: false, normalLoadPrecise: true,
            syndromes: SyndromeTable(deviceLoad: .uc, deviceStore: .uc, normalLoad: .uer, normalStore: .uer),
            firmwareSyndrome: .uncategorized, speculativeErrorsSignalled: false))
    }

    /// ras-aderr is ras-sbsa with precise loads (FEAT_ADERR/FEAT_ANERR).
    @Test func rasADERRMakesEveryLoadPrecise() throws {
        let aderr = try #require(PlatformProfile.builtIn(named: "ras-aderr"))
        var sbsa = try #require(PlatformProfile.builtIn(named: "ras-sbsa"))
        #expect(aderr.ras.deviceLoadPrecise && aderr.ras.normalLoadPrecise)
        sbsa.ras.deviceLoadPrecise = true
        #expect(aderr.errors == sbsa.errors)
        #expect(aderr.ras == sbsa.ras)
    }

    @Test func noRASHasNoFEATRASAndSLVERREverywhere() throws {
        let profile = try #require(PlatformProfile.builtIn(named: "no-ras"))
        #expect(!profile.ras.featRAS)
        #expect(!profile.ras.deviceLoadPrecise && !profile.ras.normalLoadPrecise)
        #expect(profile.errors.rootComplexResponse == RootComplexResponseTable(uniform: .slverr))
        #expect(profile.errors.postedErrorSignalling == .aerInterrupt)
    }

    @Test func onlyNoRASLacksFEATRAS() {
        #expect(PlatformProfile.builtIns.filter { !$0.ras.featRAS }.map(\.name) == ["no-ras"])
    }

    /// split-ecam and platform-device take quiet-pcie's errors and RAS; no built-in is firmware-first.
    @Test(arguments: PlatformProfile.builtIns)
    func sharedErrorCharacter(profile: PlatformProfile) throws {
        let quiet = PlatformProfile.builtIns[0]
        if ["split-ecam", "platform-device"].contains(profile.name) {
            #expect(profile.errors == quiet.errors)
            #expect(profile.ras == quiet.ras)
        }
        #expect(profile.errors.postedErrorSignalling == .aerInterrupt)
        #expect(!profile.errors.firmwareClaimsSEA)
        #expect(profile.errors.dpc && profile.errors.dpcCompletion == .ur)
        #expect(profile.errors.errorSignalLatency == 2_000 && profile.errors.serrorLatency == 100)
        #expect(profile.errors.completionTimeout == 50_000)
    }

    @Test func summariesAreDomainGists() {
        #expect(PlatformProfile.builtIns.map(\.summary) == [
            "reads with errors return OKAY+all-ones; posted errors via native AER interrupt; ECAM/MMIO ordered; DPC on",
            "RC returns SLVERR (UR→DECERR); FEAT_RAS core; Device load errors asynchronous with UC; "
                + "NC loads precise (UER); native AER; ECAM/MMIO ordered",
            "as ras-sbsa but FEAT_ADERR/ANERR: all load errors precise",
            "SLVERR; core without FEAT_RAS; SErrors carry no syndrome",
            "as quiet-pcie but ECAM and MMIO are not ordered in the interconnect",
            "a non-PCIe device reset through a separate reset-controller register; endpoint acks supported",
        ])
    }
}

@Suite struct LinkTests {
    @Test func encodingFollowsRate() {
        #expect(LinkRate.allCases.map(\.name) == ["2.5", "5", "8", "16", "32"])
        #expect(LinkRate.allCases.map(\.encoding) == [
            .eightTenBit, .eightTenBit, .oneTwentyEightOneThirtyBit, .oneTwentyEightOneThirtyBit, .oneTwentyEightOneThirtyBit,
        ])
        #expect(LinkRate(name: "2.5") == .gen1)
        #expect(LinkRate(name: "2") == nil)
    }

    /// 64 bytes: ×4 at 16 GT/s is 64·8·130/128 bits over 64 bits/ns = 8.125 ns; ×1 at 2.5 GT/s
    /// is 640 bits at 2.5 bits/ns = 256 ns.
    @Test func transmitTime() {
        let gen4x4 = LinkParameters(
            lanes: 4, rate: .gen4, framingBytes: 8, maxPayloadBytes: 256, maxReadRequestBytes: 512,
            readCompletionBoundaryBytes: 64)
        #expect(gen4x4.transmitPicoseconds(bytes: 64) == 8_125)
        // One byte still takes a whole symbol time on its lane: 8 × 130/128 bits at 16 GT/s.
        #expect(gen4x4.transmitPicoseconds(bytes: 1) == 508)
        var gen1x1 = gen4x4
        gen1x1.lanes = 1
        gen1x1.rate = .gen1
        #expect(gen1x1.transmitPicoseconds(bytes: 64) == 256_000)
        #expect(gen1x1.transmitPicoseconds(bytes: 0) == 0)
    }
}
