import CampaignStore
import Diagnostics
import Faults
import MMIOTrace
import ReplayEngine
import Shrinking
import Verdicts

extension CampaignRunner {
    /// What reproduces one experiment row of a campaign as a shrinkable trace (`campaign shrink`,
    /// docs/shrink.md): the row's trace, with its own `fault` lines replaced by the row's fault (a
    /// campaign injects only that one), and a shrinker for the row's policy, platform, schedule and
    /// `verdict` (the row's by default).
    ///
    /// - Throws: ``InputError`` for a row that names what the spec does not have, or an explored
    ///   row (a possible verdict is no property of one replay); errors loading the spec's inputs.
    public static func reproduction(of row: ExperimentRecord, spec: CampaignSpec, verdict: Verdict? = nil) throws -> (events: [TraceEvent], shrinker: Shrinker) {
        let here = SourceLocation(file: "experiment \(row.id)", line: 1, column: 1)
        let inputs = try CampaignInputs(spec)
        guard let trace = inputs.traces.first(where: { $0.trace.name == row.trace }) else {
            throw InputError(here, expected: "a trace of the campaign's spec", found: row.trace)
        }
        guard let policy = inputs.policies.first(where: { $0.value.name == row.policy })?.value,
              let platform = inputs.platforms.first(where: { $0.value.name == row.platform })?.value else {
            throw InputError(here, expected: "the row's policy and platform in the campaign's spec", found: "\(row.policy), \(row.platform)")
        }
        guard row.schedule != Schedule.explore.name, let schedule = Schedule(name: row.schedule, seed: row.seed ?? 1) else {
            throw InputError(here, expected: "an experiment of the in-order, adversarial or random schedule", found: row.schedule)
        }
        let fault = try Fault.parse(row.fault, location: here)
        var topology = trace.trace.topology
        topology.directives.removeAll { $0.keyword == "fault" }
        topology.directives.append(TraceDirective(keyword: "fault", text: fault.description, location: here))
        let shrinker = Shrinker(topology: topology, policy: policy, platform: platform, models: inputs.models,
                                options: ReplayOptions(schedule: schedule, deviceViewLimit: 0, hazardLimit: 0), verdict: verdict ?? row.verdict)
        return (trace.trace.events, shrinker)
    }
}
