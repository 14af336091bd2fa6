import CampaignStore
import Foundation
import Testing
import Verdicts

@Suite struct ExportTests {
    /// Two experiments, the second with a chain holding a comma, a quote and a newline, and
    /// evidence whose texts need escaping.
    let records = [
        experiment("00000000000000b2", verdict: .guestAbort, weight: 3, seed: 42),
        experiment(
            "00000000000000a1", chain: "UR -> SError, \"panic\"\nthen FLR",
            evidence: [EvidenceStep(rule: "ur-to-serror", inputs: "\"UR\"\tat 12.50 ns", result: "SError\nthen FLR", source: "a\\b")]),
    ]

    @Test func csvText() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory.file("r.db"), experiments: records)
            #expect(try exported(store, .csv, in: directory) == """
                id,golden,trace,policy,platform,schedule,seed,fault,kind,verdict,contained,weight,tlps,link_bytes,simulated_ns,steps,stopped_early,chain
                00000000000000a1,1000000000000000,nvme-boot,normal-nc,neoverse-n1,in-order,,UR at bar0+0x44 read #3,UR,host-panic,false,1,120,7680,400000,950,true,"UR -> SError, ""panic""
                then FLR"
                00000000000000b2,1000000000000000,nvme-boot,normal-nc,neoverse-n1,random,42,UR at bar0+0x44 read #3,UR,guest-abort,true,3,120,7680,400000,950,false,UR completion -> SError -> host panic

                """)
        }
    }

    @Test func jsonText() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory.file("r.db"), experiments: records)
            let json = try exported(store, .json, in: directory)
            #expect(json == #"""
                [
                {"chain":"UR -> SError, \"panic\"\nthen FLR","contained":false,"evidence":[{"inputs":"\"UR\"\tat 12.50 ns","result":"SError\nthen FLR","rule":"ur-to-serror","source":"a\\b"}],"fault":"UR at bar0+0x44 read #3","golden":"1000000000000000","id":"00000000000000a1","kind":"UR","linkBytes":7680,"platform":"neoverse-n1","policy":"normal-nc","schedule":"in-order","seed":null,"simulatedNs":400000,"steps":950,"stoppedEarly":true,"tlps":120,"trace":"nvme-boot","verdict":"host-panic","weight":1},
                {"chain":"UR completion -> SError -> host panic","contained":true,"evidence":[{"inputs":"ur on read","result":"device UR","rule":"error-origin","source":"ErrorIncident"},{"inputs":"UR completion","result":"SError","rule":"ur-to-serror","source":"docs/domain.md §4"}],"fault":"UR at bar0+0x44 read #3","golden":"1000000000000000","id":"00000000000000b2","kind":"UR","linkBytes":7680,"platform":"neoverse-n1","policy":"normal-nc","schedule":"random","seed":42,"simulatedNs":400000,"steps":950,"stoppedEarly":false,"tlps":120,"trace":"nvme-boot","verdict":"guest-abort","weight":3}
                ]

                """#)
            let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]]
            #expect(parsed?.count == 2)
        }
    }

    @Test func emptyExports() throws {
        try withTemporaryDirectory { directory in
            let store = try makeStore(directory.file("r.db"), experiments: [])
            #expect(try exported(store, .json, in: directory) == "[]\n")
            #expect(try exported(store, .csv, in: directory).split(separator: "\n").count == 1)
        }
    }

    @Test(arguments: ExportFormat.allCases)
    func exportIsSortedByIDWhateverTheInsertOrder(format: ExportFormat) throws {
        try withTemporaryDirectory { directory in
            let ids = (0..<50).map { String(format: "%016llx", UInt64($0) &* 0x9E37_79B9_7F4A_7C15) }
            let forward = try makeStore(directory.file("f.db"), experiments: ids.map { experiment($0) })
            let backward = try makeStore(directory.file("b.db"), experiments: [])
            for id in ids.reversed() {
                try backward.insert(experiments: [experiment(id)])
            }
            let text = try exported(forward, format, in: directory)
            #expect(try exported(backward, format, in: directory) == text)
            let exportedIDs = ids.sorted().compactMap { id in text.range(of: id)?.lowerBound }
            #expect(exportedIDs.count == ids.count && exportedIDs == exportedIDs.sorted())
        }
    }
}
