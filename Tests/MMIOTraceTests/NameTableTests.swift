import SeededRandom
import Testing
@testable import MMIOTrace

/// The name index gives each distinct name the id of its declaration, refuses a second
/// declaration, and finds every name (and no other) however far it has grown: checked against a
/// dictionary on random names that share prefixes and lengths.
@Suite struct NameTableTests {
    @Test(arguments: UInt64(1)...8)
    func agreesWithADictionary(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var table = NameTable()
        var reference: [String: Int] = [:]
        let stems = ["nvme0-bar", "nic", "d", "region-with-a-rather-long-name-", "x"]
        for _ in 0..<5000 {
            var name = stems[Int(random.next(below: UInt64(stems.count)))] + String(random.next(below: 3000))
            let id = name.withUTF8 { table.insert($0) }
            if let known = reference[name] {
                #expect(id == nil)
                #expect(table.find(name) == known)
            } else {
                #expect(id == reference.count)
                reference[name] = reference.count
            }
            let probe = stems[Int(random.next(below: UInt64(stems.count)))] + String(random.next(below: 4000))
            #expect(table.find(probe) == reference[probe], "\(probe)")
        }
        #expect(table.count == reference.count)
        for (name, id) in reference { #expect(table.find(name) == id) }
    }
}
