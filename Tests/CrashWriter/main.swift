// A child process for the crash and multi-process tests.
//
//   gamma-crash-writer DIR [--lines N] [--flush-every K] [--member-bytes B] [--segment-bytes S]
//
// Appends lines {"type":"counter","ts":T,"name":"crash.test","seq":K} to a new stream in DIR.
// After every K lines it calls flush() and, once flush() has returned, prints "ack <seq>" on
// stdout: every line up to that seq is acknowledged. Without --lines it writes until killed.
// With --lines it closes the writer and prints "done <stream>".
#if canImport(Glibc)
import Glibc
#endif
import GammaLog

func say(_ text: String, fd: Int32 = 1) {
    var line = text + "\n"
    line.withUTF8 { _ = write(fd, $0.baseAddress, $0.count) }
}

func complain(_ text: String) { say(text, fd: 2) }

var args = Array(CommandLine.arguments.dropFirst())
guard let dir = args.first else {
    complain("usage: gamma-crash-writer DIR [--lines N] [--flush-every K] [--member-bytes B] [--segment-bytes S]")
    exit(64)
}
args.removeFirst()
var total = Int.max
var flushEvery = 100
var options = SegmentWriterOptions()
options.memberBytes = 4096
options.maxSegmentBytes = 256 << 10
while args.count >= 2 {
    let value = Int(args[1]) ?? 0
    switch args[0] {
    case "--lines": total = value
    case "--flush-every": flushEvery = max(1, value)
    case "--member-bytes": options.memberBytes = max(1, value)
    case "--segment-bytes": options.maxSegmentBytes = Int64(max(1, value))
    default: complain("unknown option \(args[0])"); exit(64)
    }
    args.removeFirst(2)
}

do {
    let writer = try SegmentWriter(directory: dir, options: options)
    say("stream \(writer.stream)")
    var seq = 0
    let base: Int64 = 1_790_000_000_000_000_000
    while seq < total {
        seq += 1
        try writer.append(
            "{\"type\":\"counter\",\"ts\":\(base + Int64(seq)),\"name\":\"crash.test\",\"seq\":\(seq)}",
            timestamp: base + Int64(seq))
        if seq % flushEvery == 0 {
            try writer.flush()
            say("ack \(seq)")
        }
    }
    try writer.close()
    say("done \(writer.stream)")
} catch {
    complain("gamma-crash-writer: \(error)")
    exit(1)
}
