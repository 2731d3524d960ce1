import GammaRules
public import GammaModel
#if canImport(Glibc)
import Glibc
#endif
import Dispatch
public import GammaNet

/// Sends each notification as an email over SMTP: a MIME text/plain message (UTF-8, base64),
/// its subject the notification's title. The user name and password come from the environment
/// variables named here, are read when a mail is sent, and appear in no log, error or record.
public struct EmailNotifier: AlertNotifier {
    public let name = "email"
    public let client: SMTPClient
    public let from: String
    public let to: [String]
    public let userVariable: String
    public let passwordVariable: String
    public let formatTime: @Sendable (Int64) -> String

    public init(
        client: SMTPClient, from: String, to: [String], userVariable: String = "GAMMA_SMTP_USER",
        passwordVariable: String = "GAMMA_SMTP_PASSWORD",
        formatTime: @escaping @Sendable (Int64) -> String = { TimeParser.format($0) }
    ) {
        self.client = client
        self.from = from
        self.to = to
        self.userVariable = userVariable
        self.passwordVariable = passwordVariable
        self.formatTime = formatTime
    }

    public func send(_ n: AlertNotification) async throws(NotifierError) {
        let message = Self.message(
            from: from, to: to, subject: n.title, body: n.text(formatTime: formatTime), now: Self.now(),
            id: "\(n.rule.name).\(n.transition.at).\(UInt32.random(in: 0...UInt32.max))@gamma")
        var credentials: (user: String, password: String)?
        if let user = getenv(userVariable).map({ String(cString: $0) }), !user.isEmpty {
            credentials = (user, getenv(passwordVariable).map { String(cString: $0) } ?? "")
        }
        let client = self.client, from = self.from, to = self.to, name = self.name
        let login = credentials
        // The exchange blocks on its socket: it runs on a thread of its own, not on the task pool.
        let failure: NotifierError? = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                do throws(SMTPError) {
                    try client.send(from: from, to: to, message: message, credentials: login)
                    continuation.resume(returning: nil)
                } catch {
                    continuation.resume(
                        returning: NotifierError(notifier: name, message: "\(client.host):\(client.port): \(error)"))
                }
            }
        }
        if let failure { throw failure }
    }

    /// The message, RFC 5322 and MIME: headers, a blank line, the body in base64 lines of 76.
    public static func message(from: String, to: [String], subject: String, body: String, now: Int64, id: String)
        -> String
    {
        let encodedSubject =
            subject.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
            ? subject : "=?utf-8?b?\(Base64.encode(Array(subject.utf8)))?="
        var lines = [
            "From: <\(from)>",
            "To: " + to.map { "<\($0)>" }.joined(separator: ", "),
            "Subject: \(encodedSubject)",
            "Date: \(rfc5322(now))",
            "Message-ID: <\(id)>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            ""
        ]
        let encoded = Array(Base64.encode(Array(body.utf8)))
        var i = 0
        while i < encoded.count {
            lines.append(String(encoded[i..<min(i + 76, encoded.count)]))
            i += 76
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    static func now() -> Int64 {
        var t = timespec()
        clock_gettime(CLOCK_REALTIME, &t)
        return Int64(t.tv_sec) * 1_000_000_000 + Int64(t.tv_nsec)
    }

    /// `Sun, 29 Nov 2026 11:30:00 +0000`.
    static func rfc5322(_ nanos: Int64) -> String {
        var seconds = time_t(nanos / 1_000_000_000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return
            "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) +0000"
    }
}
