#if canImport(Glibc)
import Glibc
#endif

/// An IP address a name resolved to, and what part of the network it is in.
public struct NetworkAddress: Sendable, Equatable, CustomStringConvertible {
    /// 4 bytes (IPv4) or 16 (IPv6), in network order.
    public var bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// Parses a literal address: `127.0.0.1`, `::1`, `[::1]`, `::ffff:10.0.0.1`.
    public init?(_ text: String) {
        var text = Substring(text)
        if text.hasPrefix("["), text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, String(text), &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
        } else if inet_pton(AF_INET6, String(text), &v6) == 1 {
            bytes = withUnsafeBytes(of: &v6) { Array($0) }
        } else {
            return nil
        }
    }

    /// Why the address is not on the public network (`loopback`, `private`, `link-local`, …), or
    /// `nil` for a public one. An IPv4 address mapped into IPv6 is judged as IPv4.
    public var nonPublicKind: String? {
        if bytes.count == 16 {
            let b = bytes
            if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xFF && b[11] == 0xFF {
                return NetworkAddress(bytes: Array(b[12...])).nonPublicKind  // ::ffff:a.b.c.d
            }
            if b.allSatisfy({ $0 == 0 }) { return "unspecified" }
            if b[0..<15].allSatisfy({ $0 == 0 }) && b[15] == 1 { return "loopback" }
            if b[0] & 0xFE == 0xFC { return "private" }  // fc00::/7, unique local
            if b[0] == 0xFE && b[1] & 0xC0 == 0x80 { return "link-local" }  // fe80::/10
            if b[0] == 0xFF { return "multicast" }
            return nil
        }
        guard bytes.count == 4 else { return "unspecified" }
        let (a, b) = (bytes[0], bytes[1])
        switch a {
        case 0: return "unspecified"
        case 10: return "private"
        case 127: return "loopback"
        case 100 where b & 0xC0 == 64: return "private"  // 100.64.0.0/10, shared address space
        case 169 where b == 254: return "link-local"  // cloud metadata services live here
        case 172 where b & 0xF0 == 16: return "private"
        case 192 where b == 168: return "private"
        case 224...239: return "multicast"
        case 240...255: return "reserved"
        default: return nil
        }
    }

    public var description: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        var copy = bytes
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        _ = copy.withUnsafeMutableBytes { inet_ntop(family, $0.baseAddress, &text, socklen_t(text.count)) }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The addresses `host` resolves to (a literal address is itself), in the resolver's order.
    public static func resolve(_ host: String) throws(TCPConnectionError) -> [NetworkAddress] {
        if let literal = NetworkAddress(host) { return [literal] }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, nil, &hints, &list)
        guard rc == 0 else {
            throw TCPConnectionError(message: "cannot resolve \(host): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(list) }
        var out: [NetworkAddress] = []
        var node = list
        while let a = node {
            if let sa = a.pointee.ai_addr {
                if a.pointee.ai_family == AF_INET {
                    var sin = sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee }
                    out.append(NetworkAddress(bytes: withUnsafeBytes(of: &sin.sin_addr) { Array($0) }))
                } else if a.pointee.ai_family == AF_INET6 {
                    var sin6 = sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee }
                    out.append(NetworkAddress(bytes: withUnsafeBytes(of: &sin6.sin6_addr) { Array($0) }))
                }
            }
            node = a.pointee.ai_next
        }
        var unique: [NetworkAddress] = []
        for a in out where !unique.contains(a) { unique.append(a) }
        return unique
    }
}
