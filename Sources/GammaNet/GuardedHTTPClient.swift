import CTLS
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// HTTP GET that reaches only the addresses its ``Policy`` allows, for a tool that a model steers.
///
/// The host of each URL is resolved here, every address it resolves to is checked, and the
/// connection is made to the checked address itself (TLS still verifies the certificate for the
/// host name), so a name that resolves to a private address is refused and a name that rebinds
/// cannot switch between the check and the connect. Each redirect hop is checked the same way.
/// HTTP/1.1 over a socket of its own (OpenSSL for https), one deadline for the whole exchange.
public struct GuardedHTTPClient: Sendable {
    /// What may be reached.
    public struct Policy: Sendable, Equatable {
        /// Reach loopback, private, link-local, unspecified and multicast addresses too.
        public var allowPrivate = false
        /// Host names (as written in URLs, compared without case) reached whatever they resolve to.
        public var allowedHosts: Set<String> = []

        public init(allowPrivate: Bool = false, allowedHosts: Set<String> = []) {
            self.allowPrivate = allowPrivate
            self.allowedHosts = Set(allowedHosts.map { $0.lowercased() })
        }
    }

    public var policy: Policy
    /// The deadline of one exchange, redirects included, in seconds.
    public var timeout: Double
    public var maxBodyBytes: Int
    public var maxRedirects = 5
    /// Trusted certificates for https (PEM); the system's by default.
    public var caFile: String?

    public init(policy: Policy = .init(), timeout: Double = 10, maxBodyBytes: Int = 1 << 20) {
        self.policy = policy
        self.timeout = timeout
        self.maxBodyBytes = maxBodyBytes
    }

    /// GETs `url`, following redirects; every hop's address is checked before connecting.
    public func get(_ url: String, headers: [(String, String)] = []) async throws(HTTPError) -> HTTPResponse {
        let client = self
        let result: Result<HTTPResponse, HTTPError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(
                    returning: Result { () throws(HTTPError) in try client.getBlocking(url, headers: headers) })
            }
        }
        return try result.get()
    }

    /// The address to connect to for `host`, or why it is refused.
    public func check(host: String) throws(HTTPError) -> NetworkAddress {
        let addresses: [NetworkAddress]
        do throws(TCPConnectionError) { addresses = try NetworkAddress.resolve(host) } catch {
            throw .transport(error.message)
        }
        guard let first = addresses.first else { throw .transport("cannot resolve \(host): no address") }
        if policy.allowPrivate || policy.allowedHosts.contains(host.lowercased()) { return first }
        // Every address must be public: a name with one private address is refused, so the
        // resolver cannot pick that one later.
        for a in addresses {
            if let kind = a.nonPublicKind { throw .refused("\(kind) address \(a) (\(host))") }
        }
        return first
    }

    func getBlocking(_ url: String, headers: [(String, String)]) throws(HTTPError) -> HTTPResponse {
        let deadline = Self.now() + timeout
        var current = url
        for _ in 0...maxRedirects {
            guard let target = URLParts(current) else { throw .badURL(current) }
            let address = try check(host: target.host)
            let response = try exchange(target, address: address, headers: headers, deadline: deadline)
            guard [301, 302, 303, 307, 308].contains(response.status), let location = response.headers["location"]
            else {
                return response
            }
            current = target.resolving(location)
        }
        throw .transport("more than \(maxRedirects) redirects")
    }

    /// One request and its response, over a connection to `address`.
    func exchange(_ target: URLParts, address: NetworkAddress, headers: [(String, String)], deadline: Double)
        throws(HTTPError) -> HTTPResponse
    {
        let left = deadline - Self.now()
        guard left > 0 else { throw .timeout(seconds: timeout) }
        let fd: Int32
        do throws(TCPConnectionError) {
            fd = try TCPConnection.open(address: address, port: target.port, timeout: left)
        } catch {
            throw .transport(error.message)
        }
        let stream = try SocketStream(fd: fd, deadline: deadline, timeout: timeout)
        defer { stream.close() }
        if target.secure { try stream.startTLS(host: target.host, caFile: caFile) }
        var request = "GET \(target.pathAndQuery) HTTP/1.1\r\nHost: \(target.hostHeader)\r\n"
        request += "User-Agent: gamma-agent\r\nConnection: close\r\nAccept-Encoding: identity\r\n"
        for (k, v) in headers where !k.contains("\r") && !v.contains("\r") && !k.contains("\n") && !v.contains("\n") {
            request += "\(k): \(v)\r\n"
        }
        try stream.write(Array((request + "\r\n").utf8))
        var reader = HTTPResponseReader(stream: stream, maxBodyBytes: maxBodyBytes)
        return try reader.read()
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

/// The parts of an http or https URL that a request needs.
struct URLParts {
    var secure: Bool
    var host: String
    var port: Int
    var explicitPort: Bool
    var pathAndQuery: String

    init?(_ text: String) {
        let lower = text.lowercased()
        if lower.hasPrefix("https://") {
            secure = true
        } else if lower.hasPrefix("http://") {
            secure = false
        } else {
            return nil
        }
        var rest = Substring(text.dropFirst(secure ? 8 : 7))
        let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        var authority = rest[..<end]
        rest = rest[end...]
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        pathAndQuery = rest.isEmpty ? "/" : (rest.hasPrefix("?") ? "/" + rest : String(rest))
        guard !pathAndQuery.contains(where: { $0 == " " || $0 == "\r" || $0 == "\n" }) else { return nil }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        port = secure ? 443 : 80
        explicitPort = false
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                guard let p = Int(after.dropFirst()) else { return nil }
                port = p
                explicitPort = true
            } else if !after.isEmpty {
                return nil
            }
        } else if let colon = authority.lastIndex(of: ":") {
            guard let p = Int(authority[authority.index(after: colon)...]) else { return nil }
            port = p
            explicitPort = true
            host = String(authority[..<colon])
        } else {
            host = String(authority)
        }
        guard !host.isEmpty, (1...65_535).contains(port) else { return nil }
    }

    var hostHeader: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return explicitPort ? "\(h):\(port)" : h
    }

    /// A `Location` against this URL: absolute, scheme-relative, or a path.
    func resolving(_ location: String) -> String {
        let lower = location.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") { return location }
        let origin = (secure ? "https://" : "http://") + hostHeader
        if location.hasPrefix("//") { return (secure ? "https:" : "http:") + location }
        if location.hasPrefix("/") { return origin + location }
        let path = pathAndQuery.split(separator: "?", maxSplits: 1).first.map(String.init) ?? "/"
        let directory = path.hasSuffix("/") ? path : String(path[...(path.lastIndex(of: "/") ?? path.startIndex)])
        return origin + directory + location
    }
}

/// A connected socket, plain or under TLS, whose reads and writes stop at a deadline.
final class SocketStream {
    let fd: Int32
    let deadline: Double
    let timeout: Double
    var tls: (ctx: OpaquePointer, ssl: OpaquePointer)?

    init(fd: Int32, deadline: Double, timeout: Double) throws(HTTPError) {
        self.fd = fd
        self.deadline = deadline
        self.timeout = timeout
    }

    func close() {
        if let tls {
            SSL_shutdown(tls.ssl)
            SSL_free(tls.ssl)
            SSL_CTX_free(tls.ctx)
        }
        Glibc.close(fd)
    }

    /// Waits until the socket is ready for `events`, or throws at the deadline.
    func wait(_ events: Int32) throws(HTTPError) {
        let left = deadline - GuardedHTTPClient.now()
        guard left > 0 else { throw .timeout(seconds: timeout) }
        var p = pollfd(fd: fd, events: Int16(events), revents: 0)
        guard poll(&p, 1, Int32(min(left * 1000 + 1, 1e9))) == 1 else { throw .timeout(seconds: timeout) }
    }

    func startTLS(host: String, caFile: String?) throws(HTTPError) {
        guard let ctx = SSL_CTX_new(TLS_client_method()) else { throw .transport("cannot create a TLS context") }
        _ = ctls_set_min_tls12(ctx)
        let loaded = caFile.map { SSL_CTX_load_verify_locations(ctx, $0, nil) } ?? SSL_CTX_set_default_verify_paths(ctx)
        guard loaded == 1 else {
            SSL_CTX_free(ctx)
            throw .transport("cannot load the trusted certificates")
        }
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nil)
        guard let ssl = SSL_new(ctx) else {
            SSL_CTX_free(ctx)
            throw .transport("cannot create a TLS session")
        }
        tls = (ctx, ssl)
        if NetworkAddress(host) != nil {
            X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host)
        } else {
            _ = ctls_set_sni(ssl, host)
            SSL_set1_host(ssl, host)
        }
        SSL_set_fd(ssl, fd)
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        while true {
            let rc = SSL_connect(ssl)
            if rc == 1 { break }
            let e = SSL_get_error(ssl, rc)
            if e == SSL_ERROR_WANT_READ { try wait(POLLIN); continue }
            if e == SSL_ERROR_WANT_WRITE { try wait(POLLOUT); continue }
            let verify = SSL_get_verify_result(ssl)
            let reason =
                verify != X509_V_OK ? String(cString: X509_verify_cert_error_string(verify)) : "handshake failed"
            throw .transport("TLS with \(host): \(reason)")
        }
    }

    func write(_ bytes: [UInt8]) throws(HTTPError) {
        var sent = 0
        while sent < bytes.count {
            let n: Int = bytes[sent...].withUnsafeBytes { b in
                if let tls { return Int(SSL_write(tls.ssl, b.baseAddress, Int32(b.count))) }
                return Glibc.send(fd, b.baseAddress, b.count, Int32(MSG_NOSIGNAL))
            }
            if n > 0 { sent += n; continue }
            if let tls {
                let e = SSL_get_error(tls.ssl, Int32(n))
                if e == SSL_ERROR_WANT_WRITE { try wait(POLLOUT); continue }
                if e == SSL_ERROR_WANT_READ { try wait(POLLIN); continue }
                throw .transport("the connection broke while sending")
            }
            if errno == EAGAIN || errno == EINTR { try wait(POLLOUT); continue }
            throw .transport("the connection broke while sending: \(String(cString: strerror(errno)))")
        }
    }

    /// Reads some bytes; an empty array at the end of the stream.
    func read() throws(HTTPError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            try wait(POLLIN)
            let n: Int = buffer.withUnsafeMutableBytes { b in
                if let tls { return Int(SSL_read(tls.ssl, b.baseAddress, Int32(b.count))) }
                return Glibc.recv(fd, b.baseAddress, b.count, Int32(MSG_DONTWAIT))
            }
            if n > 0 { return Array(buffer[..<n]) }
            if let tls {
                let e = SSL_get_error(tls.ssl, Int32(n))
                if e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE { continue }
                if e == SSL_ERROR_ZERO_RETURN || n == 0 { return [] }
                throw .transport("the connection broke while receiving")
            }
            if n == 0 { return [] }
            if errno == EAGAIN || errno == EINTR { continue }
            throw .transport("the connection broke while receiving: \(String(cString: strerror(errno)))")
        }
    }
}

/// Reads an HTTP/1.1 response: status line, headers, and a body by length, chunks or to the end.
struct HTTPResponseReader {
    let stream: SocketStream
    let maxBodyBytes: Int
    var buffer: [UInt8] = []
    var position = 0

    init(stream: SocketStream, maxBodyBytes: Int) {
        self.stream = stream
        self.maxBodyBytes = maxBodyBytes
    }

    mutating func fill() throws(HTTPError) -> Bool {
        let more = try stream.read()
        if more.isEmpty { return false }
        if position > 65536 {
            buffer.removeFirst(position)
            position = 0
        }
        buffer += more
        return true
    }

    mutating func line() throws(HTTPError) -> String {
        while true {
            if let nl = buffer[position...].firstIndex(of: 0x0A) {
                var end = nl
                if end > position && buffer[end - 1] == 0x0D { end -= 1 }
                let text = String(decoding: buffer[position..<end], as: UTF8.self)
                position = nl + 1
                return text
            }
            guard buffer.count - position < 65536 else { throw .transport("a response header line is too long") }
            guard try fill() else { throw .transport("the connection closed before the response was complete") }
        }
    }

    mutating func bytes(_ n: Int) throws(HTTPError) -> [UInt8] {
        while buffer.count - position < n {
            guard try fill() else { throw .transport("the connection closed before the response was complete") }
        }
        defer { position += n }
        return Array(buffer[position..<(position + n)])
    }

    mutating func read() throws(HTTPError) -> HTTPResponse {
        let status = try line()
        let parts = status.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let code = Int(parts[1]) else {
            throw .transport("not an HTTP response: \(status.prefix(80))")
        }
        var headers: [String: String] = [:]
        while true {
            let h = try line()
            if h.isEmpty { break }
            guard let colon = h.firstIndex(of: ":") else { continue }
            let name = h[..<colon].lowercased()
            let value = h[h.index(after: colon)...].trimmingCharacters(in: " \t")
            headers[name] = headers[name].map { $0 + ", " + value } ?? value
        }
        var body: [UInt8] = []
        if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            while true {
                let sizeLine = try line()
                guard
                    let size = Int(
                        sizeLine.split(separator: ";").first.map(String.init)?.trimmingCharacters(in: " ") ?? "",
                        radix: 16),
                    size >= 0
                else { throw .transport("a malformed chunk size: \(sizeLine.prefix(40))") }
                if size == 0 { break }
                guard body.count + size <= maxBodyBytes else { throw .tooLarge(limit: maxBodyBytes) }
                body += try bytes(size)
                _ = try line()
            }
        } else if let length = headers["content-length"].flatMap({ Int($0) }) {
            guard length <= maxBodyBytes else { throw .tooLarge(limit: maxBodyBytes) }
            body = try bytes(length)
        } else {
            while true {
                body += buffer[position...]
                position = buffer.count
                guard body.count <= maxBodyBytes else { throw .tooLarge(limit: maxBodyBytes) }
                guard try fill() else { break }
            }
        }
        return HTTPResponse(status: code, headers: headers, body: body)
    }
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
