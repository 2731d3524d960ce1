#if canImport(Glibc)
import Glibc
#endif

/// A TCP connection opened by name: every address the name resolves to is tried in turn, each
/// connect given up after a timeout.
public enum TCPConnection {
    /// Opens a connection to `host:port`.
    /// - Returns: the connected socket (close-on-exec, blocking).
    /// - Throws: why not, as text (`cannot resolve HOST: …`, `HOST:PORT: Connection refused`).
    package static func open(host: String, port: Int, timeout: Double) throws(TCPConnectionError) -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            throw TCPConnectionError(message: "cannot resolve \(host): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var address: UnsafeMutablePointer<addrinfo>? = first
        while let a = address {
            let s = socket(
                a.pointee.ai_family, a.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), a.pointee.ai_protocol)
            if s >= 0 {
                if connect(s, a.pointee.ai_addr, a.pointee.ai_addrlen, timeout: timeout) { return s }
                lastError = String(cString: strerror(errno))
                close(s)
            }
            address = a.pointee.ai_next
        }
        throw TCPConnectionError(message: "\(host):\(port): \(lastError)")
    }

    /// Opens a connection to exactly `address` (no name resolution): the address that a policy
    /// checked is the one connected to.
    package static func open(address: NetworkAddress, port: Int, timeout: Double) throws(TCPConnectionError) -> Int32 {
        let v4 = address.bytes.count == 4
        let s = socket(v4 ? AF_INET : AF_INET6, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard s >= 0 else { throw TCPConnectionError(message: "socket: \(String(cString: strerror(errno)))") }
        var ok: Bool
        if v4 {
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = in_port_t(UInt16(port).bigEndian)
            withUnsafeMutableBytes(of: &sin.sin_addr) { $0.copyBytes(from: address.bytes) }
            ok = withUnsafeMutablePointer(to: &sin) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size), timeout: timeout)
                }
            }
        } else {
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = in_port_t(UInt16(port).bigEndian)
            withUnsafeMutableBytes(of: &sin6.sin6_addr) { $0.copyBytes(from: address.bytes) }
            ok = withUnsafeMutablePointer(to: &sin6) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(s, $0, socklen_t(MemoryLayout<sockaddr_in6>.size), timeout: timeout)
                }
            }
        }
        guard ok else {
            let reason = String(cString: strerror(errno))
            close(s)
            throw TCPConnectionError(message: "\(address):\(port): \(reason)")
        }
        return s
    }

    /// Whether something accepts connections at `host:port` within `timeout`: `nil` if so, else why
    /// not. The connection is closed at once; nothing is sent.
    public static func probe(host: String, port: Int, timeout: Double = 2) -> String? {
        do throws(TCPConnectionError) {
            close(try open(host: host, port: port, timeout: timeout))
            return nil
        } catch {
            return error.message
        }
    }

    /// A connect that gives up after `timeout`.
    static func connect(_ s: Int32, _ addr: UnsafeMutablePointer<sockaddr>?, _ len: socklen_t, timeout: Double) -> Bool
    {
        let flags = fcntl(s, F_GETFL)
        _ = fcntl(s, F_SETFL, flags | O_NONBLOCK)
        defer { _ = fcntl(s, F_SETFL, flags) }
        if Glibc.connect(s, addr, len) == 0 { return true }
        guard errno == EINPROGRESS else { return false }
        var p = pollfd(fd: s, events: Int16(POLLOUT), revents: 0)
        guard poll(&p, 1, Int32(timeout * 1000)) == 1 else {
            errno = ETIMEDOUT
            return false
        }
        var error: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(s, SOL_SOCKET, SO_ERROR, &error, &size)
        errno = error
        return error == 0
    }
}

/// Why a TCP connection could not be opened.
public struct TCPConnectionError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
