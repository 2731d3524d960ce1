#if canImport(Glibc)
import Glibc
#endif
import GammaLog
import Synchronization

/// A small HTTP/1.1 server on 127.0.0.1 for tests: each request goes to a handler that answers,
/// hangs (accepts and never answers, to test deadlines), or drops the connection. One thread
/// serves one connection at a time; connections close after each answer.
public final class StubHTTPServer: Sendable {
    public struct Request: Sendable {
        public var method: String
        public var path: String
        /// Header names in lower case.
        public var headers: [String: String]
        public var body: [UInt8]
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    public enum Reply: Sendable {
        case respond(status: Int, headers: [(String, String)] = [], body: String)
        /// Read the request and never answer, until the server stops.
        case hang
        /// Close the connection without a word.
        case drop
    }

    public let port: UInt16
    private let listener: Int32
    private let stopping = Atomic<Bool>(false)
    private let received = Mutex<[Request]>([])
    private let handler: @Sendable (Request, Int) -> Reply
    private let done = Mutex<Bool>(false)

    /// Starts serving; `handler` gets each request and its 0-based number.
    public init(handler: @escaping @Sendable (Request, Int) -> Reply) {
        self.handler = handler
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        precondition(fd >= 0, "socket: \(errno)")
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        precondition(bound == 0 && listen(fd, 16) == 0, "bind/listen: \(errno)")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        listener = fd
        port = UInt16(bigEndian: addr.sin_port)
        startThread { self.serve() }
    }

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// The requests served so far.
    public var requests: [Request] { received.withLock { $0 } }

    /// Stops accepting, and lets hanging connections go.
    public func stop() {
        stopping.store(true, ordering: .relaxed)
        shutdown(listener, Int32(SHUT_RDWR))
        while !done.withLock({ $0 }) { usleep(1000) }
        close(listener)
    }

    private func serve() {
        defer { done.withLock { $0 = true } }
        var count = 0
        while !stopping.load(ordering: .relaxed) {
            let conn = accept(listener, nil, nil)
            guard conn >= 0 else { if errno == EINTR { continue } else { return } }
            defer { close(conn) }
            guard let request = Self.readRequest(conn) else { continue }
            received.withLock { $0.append(request) }
            let reply = handler(request, count)
            count += 1
            switch reply {
            case .respond(let status, let headers, let body):
                var head =
                    "HTTP/1.1 \(status) \(status == 200 ? "OK" : "Status")\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n"
                for (k, v) in headers { head += "\(k): \(v)\r\n" }
                let bytes = Array((head + "\r\n" + body).utf8)
                var sent = 0
                while sent < bytes.count {
                    let n = bytes[sent...].withUnsafeBytes { send(conn, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    if n <= 0 { break }
                    sent += n
                }
            case .hang:
                while !stopping.load(ordering: .relaxed) { usleep(5000) }
            case .drop:
                break
            }
        }
    }

    /// Reads one request: the head up to the blank line, then Content-Length bytes of body.
    static func readRequest(_ fd: Int32) -> Request? {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        var headEnd: Int?
        var contentLength = 0
        var head: [String] = []
        while true {
            if let end = headEnd, data.count >= end + contentLength { break }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return nil }
            data += buffer[..<n]
            if headEnd == nil, let i = find(data, [13, 10, 13, 10]) {
                headEnd = i + 4
                head = String(decoding: data[..<i], as: UTF8.self).split(
                    separator: "\r\n", omittingEmptySubsequences: false
                ).map(String.init)
                for line in head.dropFirst() where line.lowercased().hasPrefix("content-length:") {
                    contentLength = Int(line.dropFirst(15).trimmingPrefix(" ")) ?? 0
                }
            }
        }
        let requestLine = head.first?.split(separator: " ") ?? []
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = String(line[line.index(after: colon)...].trimmingPrefix(" "))
        }
        return Request(
            method: requestLine.first.map(String.init) ?? "", path: requestLine.count > 1 ? String(requestLine[1]) : "",
            headers: headers, body: Array(data[headEnd!..<(headEnd! + contentLength)]))
    }

    static func find(_ haystack: [UInt8], _ needle: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i..<(i + needle.count)].elementsEqual(needle) {
            return i
        }
        return nil
    }
}
