import GammaLog

/// Runs `body(i)` for i in 0..<n, each on its own real thread, and waits for all of them.
/// Race tests need real threads to trip reliably on 2 cores (not a task pool).
public func runOnThreads(_ n: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let threads = (0..<n).map { i in startThread(joinable: true) { body(i) } }
    for t in threads { joinThread(t) }
}
