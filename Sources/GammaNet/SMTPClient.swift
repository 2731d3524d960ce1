#if canImport(Glibc)
import Glibc
#endif
import CTLS

/// Why an email was not sent: the stage, and what the server said or what failed. Never holds
/// credentials.
public struct SMTPError: Error, Equatable, CustomStringConvertible {
    public var stage: String
    public var message: String
    public init(stage: String, message: String) {
        self.stage = stage
        self.message = message
    }
    public var description: String { "\(stage): \(message)" }
}

/// A small SMTP client (RFC 5321) for notifications: EHLO, STARTTLS when the server offers it
/// (or always, with `requireTLS`), AUTH PLAIN or LOGIN when credentials are given (never over
/// an unencrypted connection unless `allowPlainAuth`), MAIL, RCPT, DATA with dot-stuffing, QUIT.
/// Each read and write has the timeout; TLS verifies the server's certificate and name against
/// the system's roots or `caFile`.
public struct SMTPClient: Sendable {
    public var host: String
    public var port: Int
    public var timeout: Double
    public var requireTLS: Bool
    public var allowPlainAuth: Bool
    /// A PEM file of trusted roots instead of the system's (a private mail relay's CA).
    public var caFile: String?
    /// The name sent with EHLO.
    public var heloName: String

    public init(
        host: String, port: Int = 587, timeout: Double = 10, requireTLS: Bool = false, allowPlainAuth: Bool = false,
        caFile: String? = nil, heloName: String = "gamma"
    ) {
        self.host = host
        self.port = port
        self.timeout = timeout
        self.requireTLS = requireTLS
        self.allowPlainAuth = allowPlainAuth
        self.caFile = caFile
        self.heloName = heloName
    }

    /// Sends `message` (headers and body, lines ending in CRLF) from `from` to `to`.
    /// - Parameter credentials: user name and password for AUTH, if the server wants them.
    public func send(from: String, to: [String], message: String, credentials: (user: String, password: String)?)
        throws(SMTPError)
    {
        let connection = try Connection(host: host, port: port, timeout: timeout)
        defer { connection.close() }
        try connection.expect(220, "greeting")
        var extensions = try ehlo(connection)
        if extensions.contains(where: { $0.uppercased() == "STARTTLS" }) {
            try connection.command("STARTTLS", expect: 220, stage: "STARTTLS")
            try connection.startTLS(host: host, caFile: caFile)
            extensions = try ehlo(connection)
        } else if requireTLS {
            throw SMTPError(stage: "STARTTLS", message: "\(host):\(port) does not offer STARTTLS, and TLS is required")
        }
        if let credentials {
            guard connection.tls != nil || allowPlainAuth else {
                throw SMTPError(stage: "AUTH", message: "refusing to send credentials over an unencrypted connection")
            }
            let auth =
                extensions.first { $0.uppercased().hasPrefix("AUTH") }?.uppercased().split(separator: " ").dropFirst()
                .map(String.init) ?? []
            if auth.contains("PLAIN") {
                let token = Base64.encode(Array(("\u{0}" + credentials.user + "\u{0}" + credentials.password).utf8))
                try connection.command("AUTH PLAIN " + token, expect: 235, stage: "AUTH PLAIN", secret: true)
            } else if auth.contains("LOGIN") {
                try connection.command("AUTH LOGIN", expect: 334, stage: "AUTH LOGIN")
                try connection.command(
                    Base64.encode(Array(credentials.user.utf8)), expect: 334, stage: "AUTH LOGIN", secret: true)
                try connection.command(
                    Base64.encode(Array(credentials.password.utf8)), expect: 235, stage: "AUTH LOGIN", secret: true)
            } else {
                throw SMTPError(stage: "AUTH", message: "the server offers neither AUTH PLAIN nor AUTH LOGIN")
            }
        }
        try connection.command("MAIL FROM:<\(from)>", expect: 250, stage: "MAIL FROM")
        for recipient in to {
            try connection.command("RCPT TO:<\(recipient)>", expect: 250, stage: "RCPT TO <\(recipient)>")
        }
        try connection.command("DATA", expect: 354, stage: "DATA")
        var lines = message.split(separator: "\r\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }  // the message's own final line break
        var data = ""
        for line in lines { data += (line.hasPrefix(".") ? "." : "") + line + "\r\n" }  // dot-stuffing
        try connection.write(data + ".\r\n", stage: "DATA")
        try connection.expect(250, "end of DATA")
        _ = try? connection.command("QUIT", expect: 221, stage: "QUIT")  // the mail is sent; a rude goodbye changes nothing
    }

    private func ehlo(_ c: Connection) throws(SMTPError) -> [String] {
        let lines = try c.command("EHLO \(heloName)", expect: 250, stage: "EHLO")
        return Array(lines.dropFirst())
    }

    /// A socket, plain or under TLS, with timeouts on every read and write.
    final class Connection {
        let fd: Int32
        let endpoint: String
        var tls: (ctx: OpaquePointer, ssl: OpaquePointer)?
        var buffer: [UInt8] = []

        init(host: String, port: Int, timeout: Double) throws(SMTPError) {
            endpoint = "\(host):\(port)"
            do throws(TCPConnectionError) {
                fd = try TCPConnection.open(host: host, port: port, timeout: timeout)
            } catch {
                throw SMTPError(stage: "connect", message: error.message)
            }
            var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1e6))
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        }

        func close() {
            if let tls {
                SSL_shutdown(tls.ssl)
                SSL_free(tls.ssl)
                SSL_CTX_free(tls.ctx)
            }
            Glibc.close(fd)
        }

        func startTLS(host: String, caFile: String?) throws(SMTPError) {
            guard buffer.isEmpty else {
                throw SMTPError(stage: "STARTTLS", message: "the server sent data before the TLS handshake")
            }
            guard let ctx = SSL_CTX_new(TLS_client_method()) else { throw tlsError("cannot create a TLS context") }
            _ = ctls_set_min_tls12(ctx)
            let loaded =
                caFile.map { SSL_CTX_load_verify_locations(ctx, $0, nil) } ?? SSL_CTX_set_default_verify_paths(ctx)
            guard loaded == 1 else {
                SSL_CTX_free(ctx)
                throw tlsError("cannot load the trusted certificates\(caFile.map { " from \($0)" } ?? "")")
            }
            SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nil)
            guard let ssl = SSL_new(ctx) else {
                SSL_CTX_free(ctx)
                throw tlsError("cannot create a TLS session")
            }
            _ = ctls_set_sni(ssl, host)
            if inet_addr(host) != INADDR_NONE {
                X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host)
            } else {
                SSL_set1_host(ssl, host)
            }
            SSL_set_fd(ssl, fd)
            guard SSL_connect(ssl) == 1 else {
                let verify = SSL_get_verify_result(ssl)
                let reason = verify != X509_V_OK ? String(cString: X509_verify_cert_error_string(verify)) : nil
                SSL_free(ssl)
                SSL_CTX_free(ctx)
                throw tlsError("the TLS handshake with \(endpoint) failed" + (reason.map { ": \($0)" } ?? ""))
            }
            tls = (ctx, ssl)
        }

        func tlsError(_ what: String) -> SMTPError {
            var text = [CChar](repeating: 0, count: 256)
            ctls_last_error(&text, 256)
            let detail = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return SMTPError(stage: "STARTTLS", message: what + (detail.isEmpty ? "" : " (\(detail))"))
        }

        func write(_ text: String, stage: String) throws(SMTPError) {
            let bytes = Array(text.utf8)
            var sent = 0
            while sent < bytes.count {
                let n = bytes[sent...].withUnsafeBytes { b -> Int in
                    if let tls { return Int(SSL_write(tls.ssl, b.baseAddress, Int32(b.count))) }
                    return Glibc.send(fd, b.baseAddress, b.count, Int32(MSG_NOSIGNAL))
                }
                guard n > 0 else {
                    throw SMTPError(
                        stage: stage,
                        message: "\(endpoint): "
                            + (errno == EAGAIN ? "timed out sending" : "the connection broke while sending"))
                }
                sent += n
            }
        }

        /// One reply: its lines (without the code), after checking the code.
        @discardableResult
        func expect(_ code: Int, _ stage: String, secret: Bool = false) throws(SMTPError) -> [String] {
            var lines: [String] = []
            while true {
                let line = try readLine(stage)
                guard line.count >= 3, let got = Int(line.prefix(3)) else {
                    throw SMTPError(stage: stage, message: "\(endpoint) sent '\(line.prefix(120))'")
                }
                lines.append(String(line.dropFirst(4)))
                if line.count == 3 || line[line.index(line.startIndex, offsetBy: 3)] == " " {
                    guard got == code else {
                        throw SMTPError(
                            stage: stage, message: "\(endpoint) answered \(got) \(lines.joined(separator: " "))")
                    }
                    return lines
                }
            }
        }

        @discardableResult
        func command(_ text: String, expect code: Int, stage: String, secret: Bool = false) throws(SMTPError)
            -> [String]
        {
            try write(text + "\r\n", stage: stage)
            return try expect(code, stage, secret: secret)
        }

        func readLine(_ stage: String) throws(SMTPError) -> String {
            while true {
                if let i = buffer.firstIndex(of: 0x0A) {
                    var line = Array(buffer[..<i])
                    buffer.removeFirst(i + 1)
                    if line.last == 0x0D { line.removeLast() }
                    return String(decoding: line, as: UTF8.self)
                }
                guard buffer.count < 65_536 else {
                    throw SMTPError(stage: stage, message: "\(endpoint) sent a line longer than 64 KB")
                }
                var chunk = [UInt8](repeating: 0, count: 4096)
                let n = chunk.withUnsafeMutableBytes { b -> Int in
                    if let tls { return Int(SSL_read(tls.ssl, b.baseAddress, Int32(b.count))) }
                    return recv(fd, b.baseAddress, b.count, 0)
                }
                if n <= 0 {
                    throw SMTPError(
                        stage: stage,
                        message: "\(endpoint): "
                            + (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)
                                ? "no answer within the timeout" : "the connection closed"))
                }
                buffer += chunk[..<n]
            }
        }
    }
}

/// Base64 (RFC 4648), for AUTH and MIME.
public enum Base64 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= bytes.count {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            for s in [18, 12, 6, 0] { out.append(alphabet[Int(v >> UInt32(s) & 63)]) }
            i += 3
        }
        let rest = bytes.count - i
        if rest > 0 {
            let v = UInt32(bytes[i]) << 16 | (rest == 2 ? UInt32(bytes[i + 1]) << 8 : 0)
            out.append(alphabet[Int(v >> 18 & 63)])
            out.append(alphabet[Int(v >> 12 & 63)])
            out.append(rest == 2 ? alphabet[Int(v >> 6 & 63)] : UInt8(ascii: "="))
            out.append(UInt8(ascii: "="))
        }
        return String(decoding: out, as: UTF8.self)
    }
}
