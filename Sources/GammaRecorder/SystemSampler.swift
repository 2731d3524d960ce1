#if canImport(Glibc)
import Glibc
#endif
import GammaLog
import GammaModel
import Synchronization

/// Records system and process figures as gauges, every ``interval`` of real time:
///
/// | gauge | unit | from |
/// |---|---|---|
/// | `system.cpu_percent` | % of all cores, since the last sample | /proc/stat |
/// | `process.cpu_percent` | % of all cores, since the last sample | /proc/self/stat |
/// | `system.memory_percent` | % of MemTotal not available | /proc/meminfo |
/// | `system.memory_mb` | MB not available | /proc/meminfo |
/// | `process.rss_mb` | MB resident | /proc/self/status VmRSS |
/// | `system.disk_percent` | % of the log folder's file system used, as `df` | statvfs |
public final class SystemSampler: Sendable {
    /// One sample's figures.
    public struct Sample: Equatable, Sendable {
        public var systemCPUPercent: Double?
        public var processCPUPercent: Double?
        public var memoryPercent: Double?
        public var memoryMB: Double?
        public var processRSSMB: Double?
        public var diskPercent: Double?

        public init(
            systemCPUPercent: Double? = nil, processCPUPercent: Double? = nil, memoryPercent: Double? = nil,
            memoryMB: Double? = nil, processRSSMB: Double? = nil, diskPercent: Double? = nil
        ) {
            self.systemCPUPercent = systemCPUPercent
            self.processCPUPercent = processCPUPercent
            self.memoryPercent = memoryPercent
            self.memoryMB = memoryMB
            self.processRSSMB = processRSSMB
            self.diskPercent = diskPercent
        }
    }

    public let recorder: LogRecorder
    public let interval: Duration
    public let directory: String
    private let previous = Mutex<(system: (busy: UInt64, total: UInt64)?, process: UInt64?)>((nil, nil))
    private let lock = ConditionLock()
    private let running = Atomic<Int>(0)  // 0 stopped, 1 running, 2 stopping

    public init(recorder: LogRecorder, directory: String, interval: Duration = .seconds(10)) {
        self.recorder = recorder
        self.directory = directory
        self.interval = interval
        for (name, unit, help) in Self.gauges { recorder.declare(name, kind: .gauge, unit: unit, help: help) }
        _ = readCPU()  // the first sample then covers the time since now
    }

    static let gauges = [
        ("system.cpu_percent", "percent", "CPU busy, all cores, since the previous sample"),
        ("process.cpu_percent", "percent", "CPU used by this process, share of all cores, since the previous sample"),
        ("system.memory_percent", "percent", "memory not available (MemTotal - MemAvailable) / MemTotal"),
        ("system.memory_mb", "MB", "memory not available, MemTotal - MemAvailable"),
        ("process.rss_mb", "MB", "resident set size of this process"),
        ("system.disk_percent", "percent", "used space of the log folder's file system, as df computes it")
    ]

    private func readCPU() -> (Double?, Double?) {
        let system = ProcFS.read("/proc/stat").flatMap(ProcFS.systemCPU)
        let process = ProcFS.read("/proc/self/stat").flatMap(ProcFS.processCPU)
        return previous.withLock { prev in
            defer { prev = (system, process) }
            guard let s = system, let p = prev.system, s.total > p.total else { return (nil, nil) }
            let dt = Double(s.total - p.total)
            // The two files are read at slightly different instants and in whole ticks, so over a
            // short window the process can show more ticks than the whole system: clamp to 0...100.
            func percent(_ ticks: UInt64) -> Double { min(100, max(0, Double(ticks) / dt * 100)) }
            let sys = percent(s.busy &- p.busy)
            let proc = process.flatMap { now in prev.process.map { percent(now &- $0) } }
            return (sys, proc)
        }
    }

    /// Takes one sample and records its gauges now.
    @discardableResult
    public func sample() -> Sample {
        let (sys, proc) = readCPU()
        var sample = Sample(systemCPUPercent: sys, processCPUPercent: proc)
        if let meminfo = ProcFS.read("/proc/meminfo"), let total = ProcFS.kilobytes(meminfo, "MemTotal"),
            let available = ProcFS.kilobytes(meminfo, "MemAvailable"), total > 0
        {
            sample.memoryPercent = Double(total - available) / Double(total) * 100
            sample.memoryMB = Double(total - available) / 1024
        }
        sample.processRSSMB = ProcFS.read("/proc/self/status").flatMap { ProcFS.kilobytes($0, "VmRSS") }.map {
            Double($0) / 1024
        }
        sample.diskPercent = ProcFS.diskPercent(directory)
        record(sample, at: recorder.clock.now())
        return sample
    }

    /// Records `sample`'s gauges at `ts`, rounded to hundredths. A simulation records the figures
    /// it models this way, under the same names and units as real samples.
    public func record(_ sample: Sample, at ts: Int64) {
        for (name, value) in [
            ("system.cpu_percent", sample.systemCPUPercent), ("process.cpu_percent", sample.processCPUPercent),
            ("system.memory_percent", sample.memoryPercent), ("system.memory_mb", sample.memoryMB),
            ("process.rss_mb", sample.processRSSMB), ("system.disk_percent", sample.diskPercent)
        ] {
            guard let value else { continue }
            recorder.record(
                .metric(MetricRecord(kind: .gauge, ts: ts, name: name, value: (value * 100).rounded() / 100)))
        }
    }

    /// Samples every ``interval`` on a background thread until ``stop()``.
    public func start() {
        guard running.compareExchange(expected: 0, desired: 1, ordering: .relaxed).exchanged else { return }
        let (s, atto) = interval.components
        let step = max(1_000_000, s * 1_000_000_000 + atto / 1_000_000_000)
        startThread { [self] in
            var next = monotonicNanos() + step
            lock.lock()
            while running.load(ordering: .relaxed) == 1 {
                lock.wait(untilMonotonic: next)
                guard running.load(ordering: .relaxed) == 1 else { break }
                if monotonicNanos() >= next {
                    lock.unlock()
                    sample()
                    lock.lock()
                    next += step
                }
            }
            running.store(0, ordering: .relaxed)
            lock.broadcast()
            lock.unlock()
        }
    }

    /// Stops sampling and waits for the thread to finish.
    public func stop() {
        lock.lock()
        if running.compareExchange(expected: 1, desired: 2, ordering: .relaxed).exchanged {
            lock.broadcast()
            while running.load(ordering: .relaxed) != 0 { lock.wait() }
        }
        lock.unlock()
    }
}
