/// A pcap link type (the `LINKTYPE_` value in the file header), which tells readers how to
/// decode every record of the file.
public struct LinkType: RawRepresentable, Hashable, Sendable {
    public var rawValue: Int32

    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// LINKTYPE_USER0 (147), private use: mmio-replay trace events.
    public static let user0 = LinkType(rawValue: 147)
    /// LINKTYPE_USER1 (148), private use: mmio-replay TLP captures.
    public static let user1 = LinkType(rawValue: 148)
}

extension LinkType: CustomStringConvertible {
    /// `USER0 (147)` for the private-use types, else the number.
    public var description: String {
        (147...162).contains(rawValue) ? "USER\(rawValue - 147) (\(rawValue))" : "\(rawValue)"
    }
}
