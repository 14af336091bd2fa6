#ifndef MMIO_REPLAY_CPCAP_SHIM_H
#define MMIO_REPLAY_CPCAP_SHIM_H
#include <pcap/pcap.h>
#endif
