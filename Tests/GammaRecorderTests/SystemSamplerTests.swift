import GammaLog
import GammaModel
@testable import GammaRecorder
import GammaTestKit
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct SystemSamplerTests {
    /// The sampler's figures agree with /proc and statvfs read independently here.
    @Test func figuresAgreeWithProcReadIndependently() throws {
        let f = try RecorderFixture()
        defer { f.dir.remove() }
        let sampler = SystemSampler(recorder: f.recorder, directory: f.dir.path, interval: .seconds(3600))
        var x = 0.0
        for i in 0..<3_000_000 { x += Double(i).squareRoot() }  // some CPU between the two readings
        #expect(x > 0)
        let sample = sampler.sample()

        let meminfo = try String(contentsOfProc: "/proc/meminfo")
        func kb(_ key: String) -> Double {
            Double(meminfo.split(separator: "\n").first { $0.hasPrefix(key + ":") }!.split(separator: " ")[1])!
        }
        let usedMB = (kb("MemTotal") - kb("MemAvailable")) / 1024
        #expect(abs(sample.memoryMB! - usedMB) < max(64, usedMB * 0.05))
        #expect(abs(sample.memoryPercent! - usedMB * 1024 / kb("MemTotal") * 100) < 5)
        let status = try String(contentsOfProc: "/proc/self/status")
        let rssMB =
            Double(status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }!.split(separator: " ")[1])! / 1024
        #expect(abs(sample.processRSSMB! - rssMB) < max(16, rssMB * 0.2))
        var fs = statvfs()
        statvfs(f.dir.path, &fs)
        let disk = Double(fs.f_blocks - fs.f_bfree) / Double(fs.f_blocks - fs.f_bfree + fs.f_bavail) * 100
        #expect(abs(sample.diskPercent! - disk) < 1)
        let cpu = try #require(sample.systemCPUPercent)
        #expect(cpu > 0 && cpu <= 100)
        let proc = try #require(sample.processCPUPercent)
        #expect(proc > 0 && proc <= 100)

        let names = Set(try f.close().compactMap(\.metric).map(\.name))
        #expect(
            names == [
                "system.cpu_percent", "process.cpu_percent", "system.memory_percent", "system.memory_mb",
                "process.rss_mb", "system.disk_percent"
            ])
    }

    @Test func theSamplerRunsOnItsIntervalUntilStopped() throws {
        let f = try RecorderFixture()
        defer { f.dir.remove() }
        let sampler = SystemSampler(recorder: f.recorder, directory: f.dir.path, interval: .milliseconds(20))
        sampler.start()
        usleep(150_000)
        sampler.stop()
        let samples = try f.close().compactMap(\.metric).filter { $0.name == "process.rss_mb" }.count
        #expect(samples >= 3 && samples <= 9, "\(samples) samples in 150 ms at 20 ms")
    }

    @Test func procParsersHandleTheirFormats() {
        #expect(ProcFS.systemCPU("cpu  10 0 5 80 5 0 0 0 0 0\ncpu0 1 2 3 4\n")! == (busy: 15, total: 100))
        #expect(ProcFS.processCPU("123 (my (odd) name) S 1 2 3 4 5 6 7 8 9 10 11 30 12 0 0 20 0 1") == 41)
        #expect(ProcFS.kilobytes("MemTotal:       16384 kB\nMemAvailable:    8192 kB\n", "MemAvailable") == 8192)
    }
}

extension String {
    init(contentsOfProc path: String) throws {
        guard let text = ProcFS.read(path) else { throw Failure() }
        self = text
    }
}
