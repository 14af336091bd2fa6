/// A synthetic guest-driver workload that ``WorkloadGenerator`` produces.
///
/// Every workload runs two vCPUs of VM 0 against devices passed through with vfio-pci, starts
/// with the VMM reading config space and the guest driver's probe, and ends with the host
/// reclaiming the devices (docs/domain.md §6).
public enum Workload: String, CaseIterable, Sendable {
    /// An e1000e-style NIC (`nic0`) whose transmit path pushes 64-byte descriptors through a
    /// write-combining page (like mlx5 BlueFlame or ENA LLQ), then rings a tail doorbell.
    case nic
    /// An NVMe controller (`nvme0`) driven as Linux's `nvme` driver does: one submission and
    /// completion queue pair per vCPU, each rung by a `writel` to its doorbell.
    case nvme
    /// Both devices, each vCPU interleaving NIC and NVMe batches.
    case mixed
}
