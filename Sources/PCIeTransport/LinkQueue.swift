/// The TLPs waiting in one direction of a link, released in any order the PCIe ordering rules
/// allow (``PCIeOrdering``), so that a scheduler, fair or adversarial, chooses among legal
/// reorderings only.
///
/// A fixed-capacity ring buffer allocated once at creation; enqueueing and removing never
/// allocate. Capacity is at most 64, so the set of eligible entries is one machine word.
public struct LinkQueue: Sendable {
    /// The most entries any queue holds.
    public static let maxCapacity = 64

    private var storage: ContiguousArray<TLP>
    private var head = 0
    /// The number of waiting TLPs.
    public private(set) var count = 0

    /// An empty queue holding at most `capacity` (1 to 64) TLPs.
    public init(capacity: Int) {
        precondition((1...Self.maxCapacity).contains(capacity), "a link queue holds 1 to 64 TLPs")
        storage = ContiguousArray(repeating: TLP(kind: .memoryRead32), count: capacity)
    }

    public var capacity: Int { storage.count }
    public var isEmpty: Bool { count == 0 }
    public var isFull: Bool { count == storage.count }

    /// The TLP at `position`, 0 being the oldest.
    public subscript(position: Int) -> TLP {
        precondition(position >= 0 && position < count, "queue position \(position) out of range")
        return storage[slot(position)]
    }

    /// Appends `tlp` as the newest entry; false (and no change) when the queue is full, which is
    /// the sender running out of credits.
    public mutating func enqueue(_ tlp: TLP) -> Bool {
        guard !isFull else { return false }
        storage[slot(count)] = tlp
        count += 1
        return true
    }

    /// The positions whose TLP may leave now: those allowed to pass every older entry.
    /// Position 0, the oldest, is always eligible.
    public var eligible: EligiblePositions {
        var positions = EligiblePositions()
        for position in 0..<count where isEligible(position) { positions.insert(position) }
        return positions
    }

    /// Whether the TLP at `position` may pass every older entry.
    public func isEligible(_ position: Int) -> Bool {
        let tlp = self[position]
        for older in 0..<position where !PCIeOrdering.mayPass(tlp, self[older]) { return false }
        return true
    }

    /// Removes and returns the TLP at the eligible `position`; later entries keep their order.
    public mutating func remove(at position: Int) -> TLP {
        precondition(isEligible(position), "the TLP at position \(position) may not pass an older one")
        let tlp = self[position]
        for index in position..<count - 1 { storage[slot(index)] = storage[slot(index + 1)] }
        count -= 1
        return tlp
    }

    /// Removes and returns the oldest TLP (strict FIFO), or nil when empty.
    public mutating func dequeue() -> TLP? {
        guard !isEmpty else { return nil }
        let tlp = storage[head]
        head = (head + 1) % storage.count
        count -= 1
        return tlp
    }

    private func slot(_ position: Int) -> Int { (head + position) % storage.count }
}

/// A set of queue positions (0 to 63) as one bit mask, iterated in increasing order.
public struct EligiblePositions: Sequence, Hashable, Sendable {
    /// Bit `p` set when position `p` is in the set.
    public private(set) var mask: UInt64 = 0

    public init() {}

    mutating func insert(_ position: Int) { mask |= 1 << UInt64(position) }

    public func contains(_ position: Int) -> Bool { position < 64 && mask >> UInt64(position) & 1 == 1 }

    /// The number of positions.
    public var count: Int { mask.nonzeroBitCount }

    /// The `index`-th smallest position (below ``count``), for a scheduler drawing at random.
    public func position(at index: Int) -> Int {
        precondition(index >= 0 && index < count, "index \(index) out of range")
        var rest = mask
        for _ in 0..<index { rest &= rest - 1 }
        return rest.trailingZeroBitCount
    }

    public func makeIterator() -> Iterator { Iterator(rest: mask) }

    public struct Iterator: IteratorProtocol {
        var rest: UInt64

        public mutating func next() -> Int? {
            guard rest != 0 else { return nil }
            let position = rest.trailingZeroBitCount
            rest &= rest - 1
            return position
        }
    }
}
