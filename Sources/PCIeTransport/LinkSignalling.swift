/// A PCIe link's physical parameters and the wire cost of a TLP on it: every value a platform
/// could change is a field with a documented default, nothing is hidden.
///
/// The model: a TLP's bytes (header, payload, digest) plus ``framingBytes`` are striped byte by
/// byte across the lanes, and each byte costs `8 × lineBits / dataBits` transfers on its lane.
/// Not modelled: DLLPs (Ack/Nak, flow-control updates) sharing the link, SKP ordered sets,
/// lane-0 alignment of STP on wide 8b/10b links, and the FLIT mode of 64 GT/s links.
public struct LinkSignalling: Hashable, Sendable {
    /// The number of lanes (x1, x2, x4, x8, x16, x32).
    public var lanes: Int
    /// The per-lane rate in megatransfers per second: 2500 (2.5 GT/s) through 32000 (32 GT/s).
    public var megatransfersPerSecond: Int
    /// The line code.
    public var encoding: LineEncoding
    /// Data-link and physical-layer bytes around each TLP: 8 for both line codes by default
    /// (see ``LineEncoding/defaultFramingBytes``).
    public var framingBytes: Int

    public init(lanes: Int, megatransfersPerSecond: Int, encoding: LineEncoding, framingBytes: Int? = nil) {
        precondition(lanes > 0 && megatransfersPerSecond > 0, "a link has lanes and a rate")
        self.lanes = lanes
        self.megatransfersPerSecond = megatransfersPerSecond
        self.encoding = encoding
        self.framingBytes = framingBytes ?? encoding.defaultFramingBytes
    }

    /// The standard rate and line code of PCIe generation 1 to 5 (2.5, 5, 8, 16, 32 GT/s;
    /// 8b/10b for 1 and 2, 128b/130b from 3) on `lanes` lanes, with default framing.
    public static func generation(_ generation: Int, lanes: Int) -> LinkSignalling {
        switch generation {
        case 1: LinkSignalling(lanes: lanes, megatransfersPerSecond: 2_500, encoding: .eightTenBit)
        case 2: LinkSignalling(lanes: lanes, megatransfersPerSecond: 5_000, encoding: .eightTenBit)
        case 3: LinkSignalling(lanes: lanes, megatransfersPerSecond: 8_000, encoding: .oneTwentyEightOneThirtyBit)
        case 4: LinkSignalling(lanes: lanes, megatransfersPerSecond: 16_000, encoding: .oneTwentyEightOneThirtyBit)
        case 5: LinkSignalling(lanes: lanes, megatransfersPerSecond: 32_000, encoding: .oneTwentyEightOneThirtyBit)
        default: preconditionFailure("PCIe generations 1 to 5 are modelled, not \(generation)")
        }
    }

    /// The bytes `tlp` occupies on the link: header, payload, digest and framing.
    public func wireBytes(_ tlp: TLP) -> Int { tlp.byteCountWithoutFraming + framingBytes }

    /// The time to serialize `bytes` bytes, in picoseconds rounded up: `⌈bytes / lanes⌉` byte
    /// times of `8 × lineBits / dataBits` transfers at ``megatransfersPerSecond``.
    public func serializationPicoseconds(bytes: Int) -> Int {
        let perLane = (bytes + lanes - 1) / lanes
        let numerator = perLane * 8 * encoding.lineBits * 1_000_000
        let denominator = encoding.dataBits * megatransfersPerSecond
        return (numerator + denominator - 1) / denominator
    }

    /// The time to serialize `tlp` with its framing, in picoseconds rounded up.
    public func serializationPicoseconds(_ tlp: TLP) -> Int { serializationPicoseconds(bytes: wireBytes(tlp)) }
}

/// A physical-layer line code: `dataBits` of data sent as `lineBits` on the wire.
public struct LineEncoding: Hashable, Sendable {
    public var dataBits: Int
    public var lineBits: Int
    /// Framing bytes per TLP for this code, the default of ``LinkSignalling/framingBytes``.
    public var defaultFramingBytes: Int

    public init(dataBits: Int, lineBits: Int, defaultFramingBytes: Int) {
        precondition(dataBits > 0 && lineBits >= dataBits, "a line code sends at least as many bits as it carries")
        self.dataBits = dataBits
        self.lineBits = lineBits
        self.defaultFramingBytes = defaultFramingBytes
    }

    /// 8b/10b (2.5 and 5 GT/s). Framing 8 bytes: STP symbol 1, sequence number 2, LCRC 4,
    /// END symbol 1 ("Data Link Layer", "Framing and Application of Symbols to Lanes").
    public static let eightTenBit = LineEncoding(dataBits: 8, lineBits: 10, defaultFramingBytes: 8)

    /// 128b/130b (8 GT/s and up). Framing 8 bytes: STP token 4 (which carries the sequence
    /// number), LCRC 4; no END ("Framing Tokens"). The 2-bit sync header per 16-byte block is
    /// the 130/128 ratio.
    public static let oneTwentyEightOneThirtyBit = LineEncoding(dataBits: 128, lineBits: 130, defaultFramingBytes: 8)
}
