public import GammaTestKit
#if canImport(Glibc)
import Glibc
#endif

/// Self-signed certificates for the TLS peers of tests, made with the openssl command.
public enum TestCertificate {
    /// A certificate and key for `name` (an IPv4 address or a DNS name) in `dir`: (certificate, key).
    public static func make(_ name: String, in dir: TemporaryDirectory) throws -> (cert: String, key: String) {
        let isIP = name.split(separator: ".").count == 4 && name.allSatisfy { $0.isNumber || $0 == "." }
        let openssl = try ChildProcess(
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=\(name)",
                "-addext", "subjectAltName=\(isIP ? "IP" : "DNS"):\(name)", "-keyout", dir.file("\(name).key"),
                "-out", dir.file("\(name).pem")
            ], log: dir.file("openssl.log"))
        for _ in 0..<3000 where !openssl.hasExited { usleep(10_000) }
        guard access(dir.file("\(name).pem"), R_OK) == 0 else {
            throw ChildProcessError(message: "openssl made no certificate for \(name)")
        }
        return (dir.file("\(name).pem"), dir.file("\(name).key"))
    }
}
