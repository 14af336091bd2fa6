import Testing
@testable import MMIOTrace

/// The default number of parsing threads follows the CPUs this process may use: its affinity
/// mask and a cgroup's CPU quota, not only the CPUs online.
@Suite struct ParsingThreadsTests {
    @Test func theAffinityMaskCountsItsBits() {
        #expect(ParsingThreads.affinityCount("Name:\tx\nCpus_allowed:\t3\nCpus_allowed_list:\t0-1\n") == 2)
        #expect(ParsingThreads.affinityCount("Cpus_allowed:\tffffffff,fffffff0\n") == 60)
        #expect(ParsingThreads.affinityCount("Cpus_allowed:\t00000000,00000104\n") == 2)
        #expect(ParsingThreads.affinityCount("Name:\tx\n") == nil)
        #expect(ParsingThreads.affinityCount(nil) == nil)
    }

    @Test func aCgroupQuotaRoundsUpAndMaxMeansNoLimit() {
        #expect(ParsingThreads.cgroupQuota("max 100000\n") == nil)
        #expect(ParsingThreads.cgroupQuota("200000 100000\n") == 2)
        #expect(ParsingThreads.cgroupQuota("150000 100000") == 2)
        #expect(ParsingThreads.cgroupQuota("50000 100000\n") == 1)
        #expect(ParsingThreads.cgroupQuota("garbage") == nil)
        #expect(ParsingThreads.cgroupQuota(nil) == nil)
    }

    @Test func theDefaultIsBetweenOneAndFour() {
        #expect((1...4).contains(ParsingThreads.default))
        #expect(ParsingThreads.usableCPUs() >= 1)
    }
}
