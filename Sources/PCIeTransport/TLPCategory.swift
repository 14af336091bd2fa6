/// The three ordering classes of the PCIe Base Spec ordering table ("Transaction Ordering"):
/// every TLP this package models is exactly one of them.
public enum TLPCategory: UInt8, CaseIterable, Hashable, Sendable {
    /// Memory writes and messages: no completion comes back.
    case posted
    /// Reads and non-posted writes (configuration writes): a completion comes back.
    case nonPosted
    /// Completions, with or without data.
    case completion
}
