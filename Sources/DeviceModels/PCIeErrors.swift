import PCIeTransport

/// What logging one uncorrectable error did: its status bit is set whatever the mask says; an
/// unmasked error is also signalled with an error message of its severity.
public struct AERReport: Hashable, Sendable {
    public var error: UncorrectableError
    public var severity: AERSeverity
    /// Masked: status logged, no ERR_FATAL/ERR_NONFATAL message sent.
    public var masked: Bool

    public init(error: UncorrectableError, severity: AERSeverity, masked: Bool) {
        self.error = error
        self.severity = severity
        self.masked = masked
    }
}

/// The three registers of the AER extended capability the engine needs. All are sticky: a
/// Function Level Reset leaves them alone.
public struct AERRegisters: Hashable, Sendable {
    /// Uncorrectable Error Status (RW1C) at capability + 0x04.
    public var status: UInt32 = 0
    /// Uncorrectable Error Mask (RW) at capability + 0x08; 1 masks the error.
    public var mask: UInt32
    /// Uncorrectable Error Severity (RW) at capability + 0x0c; 1 means fatal.
    public var severity: UInt32

    public init(mask: UInt32 = 0, severity: UInt32 = UncorrectableError.defaultFatalBits) {
        self.mask = mask
        self.severity = severity
    }

    /// Sets the error's status bit and reports its severity and whether it is masked.
    @inlinable
    public mutating func log(_ error: UncorrectableError) -> AERReport {
        status |= error.bit
        return AERReport(error: error, severity: severity & error.bit != 0 ? .fatal : .nonFatal, masked: mask & error.bit != 0)
    }
}
