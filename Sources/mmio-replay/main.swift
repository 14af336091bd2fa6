import Pcap
print(PcapLibrary.version)
