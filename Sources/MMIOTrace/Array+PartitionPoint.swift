extension Array {
    /// The index of the first element for which `belongs` holds, in O(log n): the elements must
    /// be partitioned, every one for which it fails coming first (a binary search).
    public func partitionPoint(_ belongs: (Element) -> Bool) -> Int {
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            if belongs(self[mid]) { high = mid } else { low = mid + 1 }
        }
        return low
    }
}
