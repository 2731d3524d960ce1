// A minimal reproduction: ThreadSanitizer does not see Synchronization.Mutex. Eight threads
// update one dictionary, every access inside Mutex.withLock; the total is always exact (16000),
// yet `swiftc -sanitize=thread -O mutex_tsan_repro.swift && ./mutex_tsan_repro` reports "Swift
// access race" and "data race" on the dictionary: Mutex locks with a futex in the Swift runtime,
// which is not instrumented. See scripts/tsan-suppressions.txt.
import Synchronization
import Glibc

// Many threads update one dictionary, every access inside Mutex.withLock.
final class Box: Sendable { let m = Mutex<[Int: Int]>([:]) }
let box = Box()
var threads: [pthread_t] = []
for t in 0..<8 {
    var th = pthread_t()
    let ctx = UnsafeMutableRawPointer(bitPattern: t + 1)
    pthread_create(
        &th, nil,
        { raw in
            let t = Int(bitPattern: raw) - 1
            for i in 0..<2000 { box.m.withLock { $0[(i + t) % 64, default: 0] += 1 } }
            return nil
        }, ctx)
    threads.append(th)
}
for th in threads { pthread_join(th, nil) }
print("total", box.m.withLock { $0.values.reduce(0, +) })
