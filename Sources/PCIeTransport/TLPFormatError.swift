/// Why bytes are not a valid TLP, or a TLP value breaks a PCIe Base Spec rule: a code for
/// programs, the header byte at fault, and a message that says what was wrong and what was
/// expected.
///
/// A receiver treats every one of these as a Malformed TLP ("Malformed TLP" in the error
/// rules), except ``Code/unsupportedType`` and ``Code/unsupportedField``, which are only beyond
/// what this model represents.
public struct TLPFormatError: Error, Hashable, Sendable {
    /// The kind of problem.
    public enum Code: String, Hashable, Sendable {
        /// Fewer bytes than the header, Length and TD call for.
        case truncated
        /// More bytes than the header, Length and TD call for.
        case trailingBytes
        /// A Fmt/Type this model does not represent (I/O, locked, Type 1 configuration,
        /// AtomicOps, prefixes) or a reserved encoding.
        case unsupportedType
        /// A header feature this model does not represent: TH, LN, ID-Based Ordering, AT.
        case unsupportedField
        /// A reserved Completion Status encoding.
        case reservedStatus
        /// A field value outside its range (traffic class, tag, Length, byte count, register).
        case fieldOutOfRange
        /// Payload size and Length disagree, or the payload exceeds the 64 bytes held inline.
        case payloadLength
        /// First/Last DW BE break the byte-enable rules.
        case byteEnables
        /// A memory request crosses a 4 KiB boundary.
        case crosses4KiB
        /// A 4DW memory request below 4 GiB, or an address with bits 1:0 set.
        case addressFormat
        /// A configuration request breaks its fixed-field rules (TC, Attr, Length, Last DW BE).
        case configurationFields
    }

    public var code: Code
    /// The offset in the TLP's bytes of the field at fault (0 is header byte 0).
    public var offset: Int
    public var message: String

    public init(_ code: Code, at offset: Int, _ message: String) {
        self.code = code
        self.offset = offset
        self.message = message
    }
}

extension TLPFormatError: CustomStringConvertible {
    /// `byte 7: <message>`.
    public var description: String { "byte \(offset): \(message)" }
}
