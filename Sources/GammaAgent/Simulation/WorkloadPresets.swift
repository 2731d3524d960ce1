extension Workload {
    /// A weekday's traffic: quiet at night, busiest in the European afternoon (UTC), about 4,000 runs.
    static let weekday: [Double] = [
        60, 50, 45, 40, 40, 50, 80, 130, 200, 260, 290, 300,
        290, 300, 320, 310, 280, 240, 200, 170, 140, 110, 90, 70
    ]

    /// The built-in workloads. samples/profiles holds each as a file to start from.
    public static let presets: [Workload] = [
        Workload(
            name: "day", description: "A weekday of traffic with the usual background of failures and no incident.",
            runsPerHour: weekday),
        Workload(
            name: "incidents",
            description:
                "The same weekday with three incidents: a latency spike at 10:00, search failing at 14:00, a model outage at 18:30.",
            runsPerHour: weekday,
            incidents: [
                Incident(kind: .latencySpike(factor: 6), start: 10 * 3_600_000_000_000, duration: 40 * 60_000_000_000),
                Incident(
                    kind: .toolErrors(tool: "search", rate: 0.6), start: 14 * 3_600_000_000_000,
                    duration: 30 * 60_000_000_000),
                Incident(
                    kind: .modelOutage, start: 18 * 3_600_000_000_000 + 30 * 60_000_000_000,
                    duration: 15 * 60_000_000_000)
            ]),
        Workload(
            name: "steady", description: "A flat 3,600 runs an hour, no incident: for benchmarks.",
            runsPerHour: Array(repeating: 3600, count: 24))
    ]
}
