/// A failure of the results database, with a message that names the file and says what was
/// expected and what was found.
public struct StoreError: Error, CustomStringConvertible, Sendable, Hashable {
    /// The whole message, starting with the database file it concerns.
    public var description: String
    /// Whether the database does not exist (missing input, exit 66, as a missing trace).
    public var isMissing = false

    /// An error with this message.
    public init(_ description: String, isMissing: Bool = false) {
        self.description = description
        self.isMissing = isMissing
    }
}
