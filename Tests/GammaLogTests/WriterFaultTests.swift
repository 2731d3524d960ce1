@testable import GammaLog
import GammaTestKit
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Disk errors reach the caller and never damage what is already stored.
@Suite struct WriterFaultTests {
    /// System calls that fail on demand: the Nth write, or every fsync.
    final class Faults: Sendable {
        let writesBeforeFailure = Atomic<Int>(Int.max)
        let writeErrno = Atomic<Int32>(ENOSPC)
        let failFsync = Atomic<Bool>(false)
        let shortWriteFirst = Atomic<Bool>(false)

        var ops: FileOps {
            var ops = FileOps.system
            ops.write = { fd, bytes in
                if self.writesBeforeFailure.subtract(1, ordering: .relaxed).newValue < 0 {
                    // A partial write first, as a full disk does, then the error.
                    if self.shortWriteFirst.exchange(false, ordering: .relaxed) && bytes.count > 10 {
                        return Glibc.write(fd, bytes.baseAddress, 10)
                    }
                    errno = self.writeErrno.load(ordering: .relaxed)
                    return -1
                }
                return Glibc.write(fd, bytes.baseAddress, bytes.count)
            }
            ops.fsync = { fd in
                if self.failFsync.load(ordering: .relaxed) { errno = EIO; return -1 }
                return Glibc.fsync(fd)
            }
            return ops
        }
    }

    @Test(arguments: [ENOSPC, EIO, EDQUOT])
    func aFailedWriteIsThrownOnceAndEarlierDataStaysIntact(code: Int32) throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let faults = Faults()
        faults.writeErrno.store(code, ordering: .relaxed)
        let writer = try SegmentWriter(directory: dir.path, stream: "f", options: .init(), fileOps: faults.ops)
        let lines = Fixtures.lines(count: 30)
        for (l, t) in lines[..<10] { try writer.append(l, timestamp: t) }
        try writer.flush()
        faults.writesBeforeFailure.store(0, ordering: .relaxed)
        faults.shortWriteFirst.store(true, ordering: .relaxed)
        for (l, t) in lines[10..<20] { try writer.append(l, timestamp: t) }
        #expect(
            throws: LogError.writeFailed(
                path: dir.file("f-00000000.jsonl.gz"),
                offset: try SegmentCorrupter.members(dir.file("f-00000000.jsonl.gz")).last!.end, errno: code,
                linesLost: 10)
        ) {
            try writer.flush()
        }
        faults.writesBeforeFailure.store(.max, ordering: .relaxed)
        for (l, t) in lines[20..<30] { try writer.append(l, timestamp: t) }
        let stats = try writer.close()
        #expect(stats.failedLines == 10)
        #expect(stats.linesWritten == 20)
        let (read, summary) = try Fixtures.readAll([dir.path])
        #expect(read == (lines[..<10] + lines[20...]).map(\.line))
        // The partial write was truncated away: nothing is damaged, the abandoned segment just lacks its seal.
        #expect(summary.damages.isEmpty, "\(summary.damages)")
        #expect(Files.names(in: dir.path) == ["f-00000000.jsonl.gz", "f-00000001.jsonl.gz"])
    }

    @Test func aFailedFsyncUnderEveryFlushIsThrown() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let faults = Faults()
        var options = SegmentWriterOptions()
        options.durability = .everyFlush
        let writer = try SegmentWriter(directory: dir.path, stream: "f", options: options, fileOps: faults.ops)
        try writer.append("{\"ts\":1}", timestamp: 1)
        try writer.flush()
        faults.failFsync.store(true, ordering: .relaxed)
        try writer.append("{\"ts\":2}", timestamp: 2)
        #expect(throws: LogError.self) { try writer.flush() }
        faults.failFsync.store(false, ordering: .relaxed)
        try writer.close()
    }

    @Test func aVanishedFolderIsAnError() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let sub = dir.file("log")
        mkdir(sub, 0o755)
        let writer = try SegmentWriter(directory: sub, stream: "v")
        try writer.append("{\"ts\":1}", timestamp: 1)
        try writer.flush()
        unlink(sub + "/v-00000000.jsonl.gz")
        unlink(sub + "/v.lock")
        rmdir(sub)
        try writer.append("{\"ts\":2}", timestamp: 2)
        #expect(throws: LogError.segmentRemoved(path: sub + "/v-00000000.jsonl.gz")) { try writer.flush() }
        try writer.append("{\"ts\":3}", timestamp: 3)
        #expect(throws: LogError.system(path: sub + "/v-00000001.jsonl.gz", operation: "create segment", errno: ENOENT))
        { try writer.flush() }
        _ = try? writer.close()
    }

    @Test func anUnwritableFolderIsAnError() throws {
        guard geteuid() != 0 else { return }  // root writes anywhere; the fault tests above cover EACCES-like paths
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        chmod(dir.path, 0o500)
        defer { chmod(dir.path, 0o700) }
        #expect(throws: LogError.self) { _ = try SegmentWriter(directory: dir.path) }
    }

    @Test func aMissingFolderIsAnError() {
        #expect(throws: LogError.noSuchPath("/nonexistent/gamma")) {
            _ = try SegmentWriter(directory: "/nonexistent/gamma")
        }
    }

    @Test func permissionDeniedOnCreateIsAnError() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var ops = FileOps.system
        ops.open = { _, _, _ in
            errno = EACCES; return -1
        }
        let writer = try SegmentWriter(directory: dir.path, stream: "p", options: .init(), fileOps: ops)
        try writer.append("{\"ts\":1}", timestamp: 1)
        #expect(
            throws: LogError.system(path: dir.file("p-00000000.jsonl.gz"), operation: "create segment", errno: EACCES)
        ) { try writer.flush() }
        _ = try? writer.close()
    }
}

extension WriterFaultTests {
    /// A failing disk leaves a tidy folder: a writer that cannot write leaves no segment without a
    /// complete member (before, a full disk made a zero-byte segment per failed member).
    @Test func aFullDiskLeavesNoEmptySegments() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let faults = Faults()
        faults.writesBeforeFailure.store(3, ordering: .relaxed)
        var options = SegmentWriterOptions()
        options.memberBytes = 512
        let writer = try SegmentWriter(directory: dir.path, stream: "d", options: options, fileOps: faults.ops)
        var failures = 0
        for (line, ts) in Fixtures.lines(count: 5000) {
            do { try writer.append(line, timestamp: ts) } catch { failures += 1 }
        }
        do { _ = try writer.close() } catch { failures += 1 }
        #expect(failures > 0, "the full disk was reported")
        let names = Files.names(in: dir.path).sorted()
        #expect(names.allSatisfy { !$0.hasSuffix(".tmp") }, "\(names)")
        for name in names where name.hasSuffix(".gz") {
            #expect(Files.read(dir.file(name)).count > 0, "\(name) is empty")
        }
        #expect(names.filter { $0.hasSuffix(".gz") }.count <= 1, "one segment per failed member: \(names)")
        let (_, summary) = try Fixtures.readAll([dir.path])
        #expect(summary.damages.isEmpty, "\(summary.damages)")
    }

    /// The same on a real full file system: a 64 KiB tmpfs (as root; skipped with a message otherwise).
    @Test func aRealFullFileSystemLeavesATidyFolder() throws {
        guard getuid() == 0 else {
            print("aRealFullFileSystemLeavesATidyFolder: skipped, mounting a tmpfs needs root")
            return
        }
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let mountPoint = dir.file("small")
        mkdir(mountPoint, 0o755)
        guard system("mount -t tmpfs -o size=64k tmpfs '\(mountPoint)' 2>/dev/null") == 0 else {
            print("aRealFullFileSystemLeavesATidyFolder: skipped, mount -t tmpfs is not allowed here")
            return
        }
        defer { _ = system("umount '\(mountPoint)'") }
        var options = SegmentWriterOptions()
        options.memberBytes = 4096
        let writer = try SegmentWriter(directory: mountPoint, stream: "f", options: options)
        var failures = 0
        for (line, ts) in Fixtures.lines(count: 5000, payload: 200) {
            do { try writer.append(line, timestamp: ts) } catch { failures += 1 }
        }
        do { _ = try writer.close() } catch { failures += 1 }
        #expect(failures > 0, "the full disk was reported")
        let names = Files.names(in: mountPoint)
        #expect(names.allSatisfy { !$0.hasSuffix(".tmp") }, "\(names)")
        for name in names where name.hasSuffix(".gz") {
            #expect(Files.read(SegmentName.join(mountPoint, name)).count > 0, "\(name) is empty")
        }
        let (lines, summary) = try Fixtures.readAll([mountPoint])
        #expect(summary.damages.allSatisfy { $0.repairable }, "\(summary.damages)")
        #expect(!lines.isEmpty && lines.count < 5000)
    }
}
