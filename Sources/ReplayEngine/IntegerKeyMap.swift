import MMIOTrace

/// A map from 64-bit keys to plain values, for lookups the replay makes per event (an event's
/// agent, a write's (agent, device) arrival order): open addressing with linear probing over a
/// power-of-two table, each key hashed by one multiplication (Fibonacci hashing). `Dictionary`
/// hashes through SipHash and `Hasher`, which cost more than the rest of such a lookup.
///
/// Grows by doubling when half full, so a lookup probes a few slots however many keys there are.
/// Nothing here depends on insertion order beyond which slot a key lands in: there is no iteration.
struct IntegerKeyMap<Value: BitwiseCopyable> {
    private struct Slot {
        var key: UInt64
        var value: Value
        var occupied: Bool
    }

    private var slots: ContiguousArray<Slot>
    /// `64 - log2(slots.count)`: the hash's top bits index the table.
    private var shift: UInt64
    private(set) var count = 0

    /// An empty map; `filler` is any value of the type (slots hold a value before they are used).
    init(filler: Value) {
        slots = ContiguousArray(repeating: Slot(key: 0, value: filler, occupied: false), count: 8)
        shift = 64 - 3
    }

    @inline(__always) private func home(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// The value stored for `key`, if any.
    @inline(__always) func value(for key: UInt64) -> Value? {
        let mask = slots.count - 1
        var i = home(key)
        while slots[i].occupied {
            if slots[i].key == key { return slots[i].value }
            i = (i + 1) & mask
        }
        return nil
    }

    /// Stores `value` for `key`, replacing what was there.
    mutating func set(_ value: Value, for key: UInt64) {
        let i = slot(for: key, default: value)
        slots[i].value = value
    }

    /// Applies `body` to the value stored for `key`, stored first as `defaultValue` if missing;
    /// one probe sequence, whatever `body` does.
    @inline(__always) mutating func update<R>(_ key: UInt64, default defaultValue: Value, _ body: (inout Value) -> R) -> R {
        let i = slot(for: key, default: defaultValue)
        return body(&slots[i].value)
    }

    /// The index of `key`'s slot, claimed with `defaultValue` if the key is new.
    @inline(__always) private mutating func slot(for key: UInt64, default defaultValue: Value) -> Int {
        var mask = slots.count - 1
        var i = home(key)
        while slots[i].occupied {
            if slots[i].key == key { return i }
            i = (i + 1) & mask
        }
        if 2 * (count + 1) > slots.count {
            grow()
            mask = slots.count - 1
            i = home(key)
            while slots[i].occupied { i = (i + 1) & mask }
        }
        slots[i] = Slot(key: key, value: defaultValue, occupied: true)
        count += 1
        return i
    }

    private mutating func grow() {
        let old = slots
        slots = ContiguousArray(repeating: Slot(key: 0, value: old[0].value, occupied: false), count: old.count * 2)
        shift -= 1
        let mask = slots.count - 1
        for slot in old where slot.occupied {
            var i = home(slot.key)
            while slots[i].occupied { i = (i + 1) & mask }
            slots[i] = slot
        }
    }
}

extension Agent {
    /// The agent's fields packed into a key for ``IntegerKeyMap``: distinct agents, distinct keys.
    var replayKey: UInt64 { UInt64(role.rawValue) << 32 | UInt64(vm) << 16 | UInt64(index) }
}
