/// The six built-in profiles of docs/domain.md §5, in its order, stored as the YAML they are loaded
/// from (each text is what ``PlatformProfile/yaml`` writes for it).
///
/// They differ in transport only where docs/domain.md says so: `split-ecam` does not order ECAM and
/// MMIO in the interconnect, `platform-device` requires endpoint acknowledgement. The shared
/// values are round engineering estimates for a PCIe Gen4 x4 endpoint on an Arm server. In errors
/// and RAS they follow the §5 gists: `quiet-pcie` (and `split-ecam`, `platform-device`) answer
/// every non-posted error with OKAY+all-ones; `ras-sbsa` returns SLVERR (UR→DECERR) to a FEAT_RAS
/// core with imprecise Device loads; `ras-aderr` makes every load precise; `no-ras` returns SLVERR
/// to a core without FEAT_RAS. Where each value comes from is in `docs/platforms.md`.
extension PlatformProfile {
    /// The YAML text of every built-in, in docs/domain.md §5's order.
    static let builtInYAML: [String] = [
        """
        name: quiet-pcie
        summary: "reads with errors return OKAY+all-ones; posted errors via native AER interrupt; ECAM/MMIO ordered; DPC on"
        source: "docs/domain.md section 5 (gist); transport: round engineering estimates for a PCIe Gen4 x4 endpoint behind an Arm server root complex; errors and RAS: docs/domain.md sections 3 to 5, latencies estimated (docs/platforms.md)"
        transport:
          ecam-mmio-ordered: true
          endpoint-acknowledges-writes: false
          early-write-ack-point: serialisation-point
          latency-ns:
            core-to-serialisation-point: 40
            serialisation-point-to-root-complex: 60
            serialisation-point-to-config: 80
            serialisation-point-to-platform-device: 50
            root-complex-to-link: 150
            link-propagation: 20
            device-posted-write: 50
            device-read-response: 300
            completion-to-core: 150
            cache-eviction: 100_000
            reset-controller: 1000
          link:
            lanes: 4
            rate-gts: 16
            framing-bytes: 8
            max-payload-bytes: 256
            max-read-request-bytes: 512
            read-completion-boundary-bytes: 64
          write-combining:
            buffers: 4
            line-bytes: 64
            drain-timeout-ns: 1000
          host-reset:
            mechanism: flr
            transactions-pending-timeout-ns: 700_000_000
            flr-wait-ns: 100_000_000
            ready-timeout-ns: 60_000_000_000
        errors:
          root-complex-response:
            ur:
              memory-read: okay-all-ones
              config-read: okay-all-ones
              config-write: okay-all-ones
            ca:
              memory-read: okay-all-ones
              config-read: okay-all-ones
              config-write: okay-all-ones
            poisoned-completion:
              memory-read: okay-all-ones
              config-read: okay-all-ones
              config-write: okay-all-ones
            completion-timeout:
              memory-read: okay-all-ones
              config-read: okay-all-ones
              config-write: okay-all-ones
            decode-miss:
              memory-read: okay-all-ones
              config-read: okay-all-ones
              config-write: okay-all-ones
          undeliverable-write: silent-drop
          posted-error-signalling: aer-interrupt
          dpc: true
          dpc-completion: ur
          firmware-claims-sea: false
          error-signal-latency-ns: 2000
          serror-latency-ns: 100
          completion-timeout-ns: 50_000
        ras:
          feat-ras: true
          device-load-precise: false
          normal-load-precise: true
          syndromes:
            device-load: uc
            device-store: uc
            normal-load: uer
            normal-store: uer
          firmware-syndrome: uncategorized
          speculative-errors-signalled: false

        """,
        """
        name: ras-sbsa
        summary: "RC returns SLVERR (UR→DECERR); FEAT_RAS core; Device load errors asynchronous with UC; NC loads precise (UER); native AER; ECAM/MMIO ordered"
        source: "docs/domain.md section 5 (gist); transport: round engineering estimates for a PCIe Gen4 x4 endpoint behind an Arm server root complex; errors and RAS: docs/domain.md sections 3 to 5, latencies estimated (docs/platforms.md)"
        transport:
          ecam-mmio-ordered: true
          endpoint-acknowledges-writes: false
          early-write-ack-point: serialisation-point
          latency-ns:
            core-to-serialisation-point: 40
            serialisation-point-to-root-complex: 60
            serialisation-point-to-config: 80
            serialisation-point-to-platform-device: 50
            root-complex-to-link: 150
            link-propagation: 20
            device-posted-write: 50
            device-read-response: 300
            completion-to-core: 150
            cache-eviction: 100_000
            reset-controller: 1000
          link:
            lanes: 4
            rate-gts: 16
            framing-bytes: 8
            max-payload-bytes: 256
            max-read-request-bytes: 512
            read-completion-boundary-bytes: 64
          write-combining:
            buffers: 4
            line-bytes: 64
            drain-timeout-ns: 1000
          host-reset:
            mechanism: flr
            transactions-pending-timeout-ns: 700_000_000
            flr-wait-ns: 100_000_000
            ready-timeout-ns: 60_000_000_000
        errors:
          root-complex-response:
            ur:
              memory-read: decerr
              config-read: decerr
              config-write: decerr
            ca:
              memory-read: slverr
              config-read: slverr
              config-write: slverr
            poisoned-completion:
              memory-read: slverr
              config-read: slverr
              config-write: slverr
            completion-timeout:
              memory-read: slverr
              config-read: slverr
              config-write: slverr
            decode-miss:
              memory-read: decerr
              config-read: decerr
              config-write: decerr
          undeliverable-write: silent-drop
          posted-error-signalling: aer-interrupt
          dpc: true
          dpc-completion: ur
          firmware-claims-sea: false
          error-signal-latency-ns: 2000
          serror-latency-ns: 100
          completion-timeout-ns: 50_000
        ras:
          feat-ras: true
          device-load-precise: false
          normal-load-precise: true
          syndromes:
            device-load: uc
            device-store: uc
            normal-load: uer
            normal-store: uer
          firmware-syndrome: uncategorized
          speculative-errors-signalled: false

        """,
        """
        name: ras-aderr
        summary: "as ras-sbsa but FEAT_ADERR/ANERR: all load errors precise"
        source: "docs/domain.md section 5 (gist); transport: round engineering estimates for a PCIe Gen4 x4 endpoint behind an Arm server root complex; errors and RAS: docs/domain.md sections 3 to 5, latencies estimated (docs/platforms.md)"
        transport:
          ecam-mmio-ordered: true
          endpoint-acknowledges-writes: false
          early-write-ack-point: serialisation-point
          latency-ns:
            core-to-serialisation-point: 40
            serialisation-point-to-root-complex: 60
            serialisation-point-to-config: 80
            serialisation-point-to-platform-device: 50
            root-complex-to-link: 150
            link-propagation: 20
            device-posted-write: 50
            device-read-response: 300
            completion-to-core: 150
            cache-eviction: 100_000
            reset-controller: 1000
          link:
            lanes: 4
            rate-gts: 16
            framing-bytes: 8
            max-payload-bytes: 256
            max-read-request-bytes: 512
            read-completion-boundary-bytes: 64
          write-combining:
            buffers: 4
            line-bytes: 64
            drain-timeout-ns: 1000
          host-reset:
            mechanism: flr
            transactions-pending-timeout-ns: 700_000_000
            flr-wait-ns: 100_000_000
            ready-timeout-ns: 60_000_000_000
        errors:
          root-complex-response:
            ur:
              memory-read: decerr
              config-read: decerr
              config-write: decerr
            ca:
              memory-read: slverr
              config-read: slverr
              config-write: slverr
            poisoned-completion:
              memory-read: slverr
              config-read: slverr
              config-write: slverr
            completion-timeout:
              memory-read: slverr
              config-read: slverr
              config-write: slverr
            decode-miss:
              memory-read: decerr
              config-read: decerr
              config-write: decerr
          undeliverable-write: silent-drop
          posted-error-signalling: aer-interrupt
          dpc: true
          dpc-completion: ur
          firmware-claims-sea: false
          error-signal-latency-ns: 2000
          serror-latency-ns: 100
          completion-timeout-ns: 50_000
        ras:
          feat-ras: true
          device-load-precise: true
          normal-load-precise: true
          syndromes:
            device-load: uc
            device-store: uc
            normal-load: uer
            normal-store: uer
          firmware-syndrome: uncategorized
          speculative-errors-signalled: false

        """,
        """
        name: no-ras
        summary: "SLVERR; core without FEAT_RAS; SErrors carry no syndrome"
        source: "docs/domain.md section 5 (gist); transport: round engineering estimates for a PCIe Gen4 x4 endpoint behind an Arm server root complex; errors and RAS: docs/domain.md sections 3 to 5, latencies estimated (docs/platforms.md)"
        transport:
          ecam-mmio-ordered: true
          endpoint-acknowledges-writes: false
          early-write-ack-point: serialisation-point
          latency-ns:
            core-to-serialisation-point: 40
            serialisation-point-to-root-complex: 60
            serialisation-point-to-config: 80
            serialisation-point-to-platform-device: 50
            root-complex-to-link: 150
            link-propagation: 20
            device-posted-write: 50
            device-read-response: 300
            completion-to-core: 150
            cache-eviction: 100_000
            reset-controller: 1000
          link:
            lanes: 4
            rate-gts: 16
            framing-bytes: 8
            max-payload-bytes: 256
            max-read-request-bytes: 512
            read-completion-boundary-bytes: 64
          write-combining:
            buffers: 4
            line-bytes: 64
            drain-timeout-ns: 1000
          host-reset:
            mechanism: flr
            transactions-pending-timeout-ns: 700_000_000
            flr-wait-ns: 100_000_000
            ready-timeout-ns: 60_000_000_000
        errors:
          root-complex-response:
            ur:
              memory-read: slverr
              config-read: slverr
              config-write: slverr
            ca:
              memory-read: slverr
              config-read: slverr
              config-write: slverr
            poisoned-completion:
              memory-read: slverr
              config-read: slverr
              config-write: slverr
            completion-timeout:
              memory-read: slverr
              config-read: slverr
              config-write: slverr
            decode-miss:
              memory-read: slverr
              config-read: slverr
              config-write: slverr
          undeliverable-write: silent-drop
          posted-error-signalling: aer-interrupt
          dpc: true
          dpc-completion: ur
          firmware-claims-sea: false
          error-signal-latency-ns: 2000
          serror-latency-ns: 100
          completion-timeout-ns: 50_000
        ras:
          feat-ras: false
          device-load-precise: false
          normal-load-precise: false
          syndromes:
            device-load: uc
            device-store: uc
            normal-load: uer
            normal-store: uer
          firmware-syndrome: uncategorized
          speculative-errors-signalled: false

        """,
        """
        name: split-ecam
        summary: "as quiet-pcie but ECAM and MMIO are not ordered in the interconnect"
        source: "docs/domain.md sections 3, 5, 6: ECAM and MMIO in different interconnect regions; otherwise as quiet-pcie (docs/platforms.md)"
        transport:
          ecam-mmio-ordered: false
          endpoint-acknowledges-writes: false
          early-write-ack-point: serialisation-point
          latency-ns:
            core-to-serialisation-point: 40
            serialisation-point-to-root-complex: 60
            serialisation-point-to-config: 80
            serialisation-point-to-platform-device: 50
            root-complex-to-link: 150
            link-propagation: 20
            device-posted-write: 50
            device-read-response: 300
            completion-to-core: 150
            cache-eviction: 100_000
            reset-controller: 1000
          link:
            lanes: 4
            rate-gts: 16
            framing-bytes: 8
            max-payload-bytes: 256
            max-read-request-bytes: 512
            read-completion-boundary-bytes: 64
          write-combining:
            buffers: 4
            line-bytes: 64
            drain-timeout-ns: 1000
          host-reset:
            mechanism: flr
            transactions-pending-timeout-ns: 700_000_000
            flr-wait-ns: 100_000_000
            ready-timeout-ns: 60_000_000_000
        errors:
          root-complex-response:
            ur:
              memory-read: okay-all-ones
              config-read: okay-all-ones
              config-write: okay-all-ones
            ca:
              memory-read: okay-all-ones
              config-read: okay-all-ones
              config-write: okay-all-ones
            poisoned-completion:
              memory-read: okay-all-ones
              config-read: okay-all-ones
              config-write: okay-all-ones
            completion-timeout:
              memory-read: okay-all-ones
              config-read: okay-all-ones
              config-write: okay-all-ones
            decode-miss:
              memory-read: okay-all-ones
              config-read: okay-all-ones
              config-write: okay-all-ones
          undeliverable-write: silent-drop
          posted-error-signalling: aer-interrupt
          dpc: true
          dpc-completion: ur
          firmware-claims-sea: false
          error-signal-latency-ns: 2000
          serror-latency-ns: 100
          completion-timeout-ns: 50_000
        ras:
          feat-ras: true
          device-load-precise: false
          normal-load-precise: true
          syndromes:
            device-load: uc
            device-store: uc
            normal-load: uer
            normal-store: uer
          firmware-syndrome: uncategorized
          speculative-errors-signalled: false

        """,
        """
        name: platform-device
        summary: "a non-PCIe device reset through a separate reset-controller register; endpoint acks supported"
        source: "docs/domain.md sections 1, 5, 6: the system requires endpoint acknowledgement of nE writes to platform devices; otherwise as quiet-pcie (docs/platforms.md)"
        transport:
          ecam-mmio-ordered: true
          endpoint-acknowledges-writes: true
          early-write-ack-point: serialisation-point
          latency-ns:
            core-to-serialisation-point: 40
            serialisation-point-to-root-complex: 60
            serialisation-point-to-config: 80
            serialisation-point-to-platform-device: 50
            root-complex-to-link: 150
            link-propagation: 20
            device-posted-write: 50
            device-read-response: 300
            completion-to-core: 150
            cache-eviction: 100_000
            reset-controller: 1000
          link:
            lanes: 4
            rate-gts: 16
            framing-bytes: 8
            max-payload-bytes: 256
            max-read-request-bytes: 512
            read-completion-boundary-bytes: 64
          write-combining:
            buffers: 4
            line-bytes: 64
            drain-timeout-ns: 1000
          host-reset:
            mechanism: reset-controller
            transactions-pending-timeout-ns: 700_000_000
            flr-wait-ns: 100_000_000
            ready-timeout-ns: 60_000_000_000
        errors:
          root-complex-response:
            ur:
              memory-read: okay-all-ones
              config-read: okay-all-ones
              config-write: okay-all-ones
            ca:
              memory-read: okay-all-ones
              config-read: okay-all-ones
              config-write: okay-all-ones
            poisoned-completion:
              memory-read: okay-all-ones
              config-read: okay-all-ones
              config-write: okay-all-ones
            completion-timeout:
              memory-read: okay-all-ones
              config-read: okay-all-ones
              config-write: okay-all-ones
            decode-miss:
              memory-read: okay-all-ones
              config-read: okay-all-ones
              config-write: okay-all-ones
          undeliverable-write: silent-drop
          posted-error-signalling: aer-interrupt
          dpc: true
          dpc-completion: ur
          firmware-claims-sea: false
          error-signal-latency-ns: 2000
          serror-latency-ns: 100
          completion-timeout-ns: 50_000
        ras:
          feat-ras: true
          device-load-precise: false
          normal-load-precise: true
          syndromes:
            device-load: uc
            device-store: uc
            normal-load: uer
            normal-store: uer
          firmware-syndrome: uncategorized
          speculative-errors-signalled: false

        """,
    ]

    /// The built-in profiles in docs/domain.md §5's order.
    public static let builtIns: [PlatformProfile] = builtInYAML.map { text in
        do {
            return try load(yaml: text, file: "built-in")
        } catch {
            preconditionFailure("a built-in profile does not load: \(error)")
        }
    }

    /// The built-in profile with this name (case-insensitive), if there is one.
    public static func builtIn(named name: String) -> PlatformProfile? {
        let lowered = name.lowercased()
        return builtIns.first { $0.name == lowered }
    }
}
