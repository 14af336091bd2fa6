import Platforms

/// The transport parameters the engine reads, in simulation units: every field is one of the
/// platform profile's named parameters (docs/platforms.md).
struct TransportTiming: Hashable, Sendable {
    /// Core to the interconnect's serialisation point.
    var coreToSerialization: SimDuration
    /// Serialisation point to the root complex on the MMIO path.
    var serializationToRootComplex: SimDuration
    /// Serialisation point to the root complex on the ECAM (configuration) path.
    var serializationToECAM: SimDuration
    /// Serialisation point to a platform (non-PCIe) device.
    var serializationToPlatformDevice: SimDuration
    /// Root complex to the start of transmission on the link.
    var rootComplexToLink: SimDuration
    /// Link propagation, each direction.
    var linkPropagation: SimDuration
    /// Time the device takes to answer a non-posted request.
    var deviceResponse: SimDuration
    /// Root complex back to the core with a completion or acknowledgement.
    var rootComplexToCore: SimDuration
    /// Width, rate and encoding of the link (time on the wire).
    var link: LinkParameters
    /// Bytes of framing per TLP on the wire (STP/sequence number/LCRC/END or equivalent).
    var framingBytesPerTLP: Int
    /// Maximum payload size in bytes.
    var maxPayload: Int
    /// Whether ECAM and MMIO traffic share one ordered path in the interconnect.
    var ecamMMIOOrdered: Bool
    /// Whether nE writes to platform devices are acknowledged by the endpoint.
    var endpointAcknowledgesWrites: Bool
    /// Write-combining buffer lines per core (0: no gathering).
    var writeCombiningLines: Int
    /// A gathered line drains after this long without a barrier.
    var writeCombiningTimeout: SimDuration
    /// A dirty cacheable line is evicted this long after its last write (in-order schedule).
    var cacheEviction: SimDuration
    /// How long a reset keeps a platform device (reset controller) or hot-reset link down.
    var resetControllerLatency: SimDuration
    /// Whether the host resets devices through the reset controller rather than with an FLR.
    var resetsThroughController: Bool
}

extension TransportTiming {
    init(_ transport: TransportParameters) {
        let l = transport.latency
        let ns = { (v: Int) in SimDuration.nanoseconds(UInt64(max(v, 0))) }
        self.init(coreToSerialization: ns(l.coreToSerialisationPoint),
                  serializationToRootComplex: ns(l.serialisationPointToRootComplex),
                  serializationToECAM: ns(l.serialisationPointToConfig),
                  serializationToPlatformDevice: ns(l.serialisationPointToPlatformDevice),
                  rootComplexToLink: ns(l.rootComplexToLink),
                  linkPropagation: ns(l.linkPropagation),
                  deviceResponse: ns(l.deviceReadResponse),
                  rootComplexToCore: ns(l.completionToCore),
                  link: transport.link,
                  framingBytesPerTLP: transport.link.framingBytes,
                  maxPayload: transport.link.maxPayloadBytes,
                  ecamMMIOOrdered: transport.ecamMMIOOrdered,
                  endpointAcknowledgesWrites: transport.endpointAcknowledgesWrites,
                  writeCombiningLines: transport.writeCombining.buffers,
                  writeCombiningTimeout: ns(transport.writeCombining.drainTimeout),
                  cacheEviction: ns(l.cacheEviction),
                  resetControllerLatency: ns(l.resetController),
                  resetsThroughController: transport.hostReset.mechanism == .resetController)
    }

    /// Time on the wire for `bytes` (framing included by the caller).
    func wireTime(bytes: Int) -> SimDuration {
        SimDuration(picoseconds: UInt64(link.transmitPicoseconds(bytes: bytes)))
    }
}
