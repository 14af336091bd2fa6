import PCIeTransport

/// How a store travels from an Arm core to a device register on one platform: ordering,
/// acknowledgement, latencies, the PCIe link, write-combining and the host's FLR timing.
///
/// Every field is a modelling choice (docs/domain.md "[model]"), documented with its unit in
/// `docs/platforms.md`. The YAML loader enforces the documented ranges; values built in code
/// are taken as given.
public struct TransportParameters: Hashable, Sendable {
    /// Whether config (ECAM) and MMIO traffic share one ordered path inside the SoC interconnect
    /// (docs/domain.md §3, §6).
    ///
    /// When true, a config write (the FLR) cannot overtake an earlier MMIO write that reached the
    /// serialisation point, so "non-posted may not pass posted" finishes the job at the root
    /// complex. When false, either may overtake the other inside the interconnect.
    public var ecamMMIOOrdered: Bool
    /// Whether the system requires endpoint acknowledgement for nE writes to platform (non-PCIe)
    /// devices, so that a DSB after a Device-nGnRnE write waits for the device (docs/domain.md §1).
    ///
    /// PCIe does not read this: a memory write (posted) is acknowledged by the root complex once
    /// ordered onto the link, and a config write always waits for its completion.
    public var endpointAcknowledgesWrites: Bool
    /// Where a write to E memory (Device-nGnRE, -nGRE, -GRE) and a Normal-NC write are
    /// acknowledged.
    public var earlyWriteAckPoint: EarlyWriteAckPoint
    /// One-way latencies of each hop, in nanoseconds.
    public var latency: TransportLatencies
    /// The PCIe link between the root port and the endpoint.
    public var link: LinkParameters
    /// The core's write-combining (gathering) buffers for Normal-NC and Device-GRE stores.
    public var writeCombining: WriteCombiningParameters
    /// What the host waits for around a Function Level Reset.
    public var hostReset: HostResetParameters

    public init(
        ecamMMIOOrdered: Bool, endpointAcknowledgesWrites: Bool, earlyWriteAckPoint: EarlyWriteAckPoint,
        latency: TransportLatencies, link: LinkParameters, writeCombining: WriteCombiningParameters,
        hostReset: HostResetParameters
    ) {
        self.ecamMMIOOrdered = ecamMMIOOrdered
        self.endpointAcknowledgesWrites = endpointAcknowledgesWrites
        self.earlyWriteAckPoint = earlyWriteAckPoint
        self.latency = latency
        self.link = link
        self.writeCombining = writeCombining
        self.hostReset = hostReset
    }
}

/// The point that acknowledges an early-acknowledged (E) write.
///
/// docs/domain.md §1 documents one point, the interconnect's serialisation point; the parameter
/// exists so that the choice is visible in every profile, not to invite invented alternatives.
public enum EarlyWriteAckPoint: String, Hashable, Sendable, CaseIterable {
    /// The interconnect's serialisation point: past it, the write is ordered with every later
    /// access to the same peripheral.
    case serialisationPoint = "serialisation-point"
}

/// One-way latencies of each hop between a core and a device, in nanoseconds.
///
/// A posted MMIO write to a PCIe BAR takes ``coreToSerialisationPoint`` +
/// ``serialisationPointToRootComplex`` + ``rootComplexToLink`` + the link's transmit time +
/// ``linkPropagation`` + ``devicePostedWrite``; a read adds ``deviceReadResponse``, the
/// completion's transmit time, ``linkPropagation`` and ``completionToCore``.
public struct TransportLatencies: Hashable, Sendable {
    /// From the core's store or load issue to the interconnect's serialisation point.
    public var coreToSerialisationPoint: Int
    /// From the serialisation point to the root complex, on the MMIO path.
    public var serialisationPointToRootComplex: Int
    /// From the serialisation point to the root complex's config (ECAM) request handling.
    public var serialisationPointToConfig: Int
    /// From the serialisation point to a platform (non-PCIe) device's register.
    public var serialisationPointToPlatformDevice: Int
    /// From the root complex accepting a request to its first symbol on the link (transaction,
    /// data-link and physical layer processing; the serialisation time is the link's).
    public var rootComplexToLink: Int
    /// Flight time of a symbol from one end of the link to the other, PHY pipelines included.
    public var linkPropagation: Int
    /// From a posted write's arrival at the device to its effect on the register.
    public var devicePostedWrite: Int
    /// From a read request's arrival at the device to its completion's first symbol on the link.
    public var deviceReadResponse: Int
    /// From a completion's arrival at the root complex to the data at the core.
    public var completionToCore: Int
    /// From the last write to a dirty cacheable line of device memory to its eviction, when
    /// nothing forces it earlier (cacheable effective types keep dirty lines until evicted).
    public var cacheEviction: Int
    /// From a write to a platform reset-controller register reaching the controller to the
    /// device entering reset.
    public var resetController: Int

    public init(
        coreToSerialisationPoint: Int, serialisationPointToRootComplex: Int, serialisationPointToConfig: Int,
        serialisationPointToPlatformDevice: Int, rootComplexToLink: Int, linkPropagation: Int,
        devicePostedWrite: Int, deviceReadResponse: Int, completionToCore: Int, cacheEviction: Int, resetController: Int
    ) {
        self.coreToSerialisationPoint = coreToSerialisationPoint
        self.serialisationPointToRootComplex = serialisationPointToRootComplex
        self.serialisationPointToConfig = serialisationPointToConfig
        self.serialisationPointToPlatformDevice = serialisationPointToPlatformDevice
        self.rootComplexToLink = rootComplexToLink
        self.linkPropagation = linkPropagation
        self.devicePostedWrite = devicePostedWrite
        self.deviceReadResponse = deviceReadResponse
        self.completionToCore = completionToCore
        self.cacheEviction = cacheEviction
        self.resetController = resetController
    }
}

/// The PCIe link between the root port and the endpoint, and the sizes negotiated on it.
public struct LinkParameters: Hashable, Sendable {
    /// The negotiated width in lanes: 1, 2, 4, 8, 12, 16 or 32.
    public var lanes: Int
    /// The negotiated rate per lane; it fixes the line encoding.
    public var rate: LinkRate
    /// Bytes the data-link and physical layers add to every TLP on the wire, beyond its header
    /// and payload: 8 at every rate (8b/10b: STP 1, sequence number 2, LCRC 4, END 1;
    /// 128b/130b: STP token 4 including the sequence number, LCRC 4). No ECRC, no DLLPs.
    public var framingBytes: Int
    /// Max_Payload_Size in bytes: 128 << n for n in 0...5.
    public var maxPayloadBytes: Int
    /// Max_Read_Request_Size in bytes: 128 << n for n in 0...5.
    public var maxReadRequestBytes: Int
    /// The root port's Read Completion Boundary in bytes: 64 or 128.
    public var readCompletionBoundaryBytes: Int

    public init(
        lanes: Int, rate: LinkRate, framingBytes: Int, maxPayloadBytes: Int, maxReadRequestBytes: Int,
        readCompletionBoundaryBytes: Int
    ) {
        self.lanes = lanes
        self.rate = rate
        self.framingBytes = framingBytes
        self.maxPayloadBytes = maxPayloadBytes
        self.maxReadRequestBytes = maxReadRequestBytes
        self.readCompletionBoundaryBytes = readCompletionBoundaryBytes
    }

    /// The link's signalling (width, rate, line encoding, framing), which times TLPs on the wire.
    public var signalling: LinkSignalling {
        LinkSignalling(lanes: lanes, megatransfersPerSecond: rate.megatransfersPerSecond, encoding: rate.encoding, framingBytes: framingBytes)
    }

    /// Picoseconds to serialise `bytes` onto the link (striped over every lane, line encoding
    /// included), rounded up.
    public func transmitPicoseconds(bytes: Int) -> Int { signalling.serializationPicoseconds(bytes: bytes) }
}

/// A PCIe link rate per lane.
public enum LinkRate: Hashable, Sendable, CaseIterable {
    /// 2.5 GT/s, PCIe 1.x, 8b/10b.
    case gen1
    /// 5 GT/s, PCIe 2.x, 8b/10b.
    case gen2
    /// 8 GT/s, PCIe 3.x, 128b/130b.
    case gen3
    /// 16 GT/s, PCIe 4.0, 128b/130b.
    case gen4
    /// 32 GT/s, PCIe 5.0, 128b/130b.
    case gen5

    /// The rate as written in profiles: GT/s, e.g. `2.5`, `16`.
    public var name: String {
        switch self {
        case .gen1: "2.5"
        case .gen2: "5"
        case .gen3: "8"
        case .gen4: "16"
        case .gen5: "32"
        }
    }

    /// Transfers per lane per microsecond.
    public var megatransfersPerSecond: Int {
        switch self {
        case .gen1: 2_500
        case .gen2: 5_000
        case .gen3: 8_000
        case .gen4: 16_000
        case .gen5: 32_000
        }
    }

    /// The line encoding this rate uses: 8b/10b up to 5 GT/s, 128b/130b above.
    public var encoding: LineEncoding {
        switch self {
        case .gen1, .gen2: .eightTenBit
        case .gen3, .gen4, .gen5: .oneTwentyEightOneThirtyBit
        }
    }

    /// The rate written as `name`, if there is one.
    public init?(name: String) {
        guard let rate = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = rate
    }
}

/// The core's write-combining buffers, which gather Normal-NC (and Device-GRE) stores into
/// line-sized bursts.
public struct WriteCombiningParameters: Hashable, Sendable {
    /// Lines each core can gather at once; 0 means no gathering (every store leaves alone).
    public var buffers: Int
    /// Bytes per buffer, a power of two from 16 to 256; an aligned line drains as one burst.
    public var lineBytes: Int
    /// Nanoseconds after which a partly gathered line drains without a barrier.
    public var drainTimeout: Int

    public init(buffers: Int, lineBytes: Int, drainTimeout: Int) {
        self.buffers = buffers
        self.lineBytes = lineBytes
        self.drainTimeout = drainTimeout
    }
}

/// What the host (Linux `pcie_flr`) waits for around a Function Level Reset, in nanoseconds.
///
/// How the device behaves during its FLR belongs to device models, not here.
public struct HostResetParameters: Hashable, Sendable {
    /// How the host resets a device it reclaims (a trace's `reset flr`).
    public var mechanism: HostResetMechanism
    /// The longest the host waits for Transactions Pending to clear before setting the FLR bit
    /// anyway: Linux `pci_wait_for_pending` sleeps 100 + 200 + 400 ms.
    public var transactionsPendingTimeout: Int
    /// The host's wait after the FLR config write before it touches the function again: Linux
    /// `pcie_flr` sleeps 100 ms.
    public var flrWait: Int
    /// The longest the host then polls config reads while the device answers CRS: Linux
    /// `PCIE_RESET_READY_POLL_MS`, 60 s.
    public var readyTimeout: Int

    public init(mechanism: HostResetMechanism = .flr, transactionsPendingTimeout: Int, flrWait: Int, readyTimeout: Int) {
        self.mechanism = mechanism
        self.transactionsPendingTimeout = transactionsPendingTimeout
        self.flrWait = flrWait
        self.readyTimeout = readyTimeout
    }
}

/// How the host resets a device it reclaims (docs/domain.md §5, §6).
public enum HostResetMechanism: String, Hashable, Sendable, CaseIterable {
    /// A Function Level Reset: a configuration write of Initiate FLR, on the ECAM path.
    case flr
    /// A write to the platform's reset controller: another target, on another interconnect path
    /// (the `platform-device` profile's devices).
    case resetController = "reset-controller"
}
