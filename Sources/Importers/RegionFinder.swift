import MMIOTrace

/// The region containing an address, for an importer's event loop: the previous answer first
/// (consecutive accesses usually share a region), then a binary search (``AddressIndex``).
struct RegionFinder {
    private let regions: [(base: UInt64, size: UInt64)]
    private let index: AddressIndex
    private var last: Int?

    init(_ regions: [Region]) {
        self.regions = regions.map { ($0.base, $0.size) }
        index = AddressIndex(regions)
    }

    mutating func region(containing address: UInt64) -> RegionID? {
        if let last, address >= regions[last].base, address - regions[last].base < regions[last].size { return RegionID(last) }
        last = index.first(containing: address)
        return last.map { RegionID($0) }
    }
}
