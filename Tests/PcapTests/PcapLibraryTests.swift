import Testing
import Pcap

@Suite struct PcapLibraryTests {
    /// The system-library target links: libpcap answers with its version.
    @Test func libpcapIsLinked() {
        #expect(PcapLibrary.version.hasPrefix("libpcap version "))
    }
}
