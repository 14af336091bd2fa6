import PCIeTransport

/// The trace's recorded read values compared with what the device models answered: where they
/// differ, the model does not behave as the captured device did (docs/device-models.md,
/// "Recorded reads"). Only reads the device answered successfully are compared.
public struct ReadComparison: Encodable, Hashable, Sendable {
    /// How many differing reads are kept as examples (the counts are complete).
    public static let examplesKept = 8

    /// Reads with a recorded value that reached a device and completed successfully.
    public var compared = 0
    /// Those whose answer differs from the recorded value.
    public var differing = 0
    /// Per register (or config-space offset), in the order of their first difference.
    public var registers: [RegisterDivergence] = []
    /// The first differing reads.
    public var examples: [ReadDivergence] = []
}

/// How often reads of one place differed from the recording.
public struct RegisterDivergence: Encodable, Hashable, Sendable {
    public var device: String
    /// The region, or nil for configuration space.
    public var region: String?
    public var offset: UInt64
    public var count: Int
}

/// One read whose answer differs from the recording.
public struct ReadDivergence: Encodable, Hashable, Sendable {
    public var timePs: UInt64
    public var device: String
    public var agent: String
    /// The region, or nil for configuration space.
    public var region: String?
    public var offset: UInt64
    public var size: Int
    public var recorded: String
    public var answered: String
}

extension AccessValue {
    /// Whether the low `size` bytes of the two values are equal.
    @inlinable static func equal(_ a: AccessValue, _ b: AccessValue, size: Int) -> Bool {
        for w in 0..<8 where w * 8 < size {
            let bytes = min(8, size - w * 8)
            let mask: UInt64 = bytes == 8 ? .max : (1 << UInt64(bytes * 8)) - 1
            if a.words[w] & mask != b.words[w] & mask { return false }
        }
        return true
    }
}
