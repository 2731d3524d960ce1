import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// An HTTP response: status, headers (names in lower case) and body.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]

    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// Why an HTTP exchange did not produce a response.
public enum HTTPError: Error, Equatable, CustomStringConvertible {
    /// No complete response within the timeout (connecting, sending and reading together).
    case timeout(seconds: Double)
    /// The URL is not http or https, or not a URL.
    case badURL(String)
    /// The body was longer than the limit.
    case tooLarge(limit: Int)
    /// The connection could not be made or broke.
    case transport(String)
    /// The address is one the policy does not let the client reach (``GuardedHTTPClient``).
    case refused(String)

    public var description: String {
        switch self {
        case .timeout(let s): return "no response within \(s) s"
        case .badURL(let u): return "'\(u)' is not an http or https URL"
        case .tooLarge(let limit): return "the response is larger than \(limit) bytes"
        case .transport(let m): return m
        case .refused(let m): return "refused: \(m)"
        }
    }
}

/// A small HTTP client over Foundation's URLSession (libcurl on Linux) with one deadline for
/// the whole exchange: when it passes, the request is cancelled and ``HTTPError/timeout(seconds:)``
/// thrown, whatever the server is doing (a server that accepts and never answers included).
public struct HTTPClient: Sendable {
    /// The deadline of one exchange, in seconds.
    public var timeout: Double
    /// The most body bytes accepted.
    public var maxBodyBytes: Int

    public init(timeout: Double = 30, maxBodyBytes: Int = 8 << 20) {
        self.timeout = timeout
        self.maxBodyBytes = maxBodyBytes
    }

    public func send(_ method: String, _ urlText: String, headers: [(String, String)] = [], body: [UInt8]? = nil)
        async throws(HTTPError) -> HTTPResponse
    {
        guard let url = URL(string: urlText), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https", url.host != nil
        else {
            throw .badURL(urlText)
        }
        // Our own deadline below is the exact one. libcurl's, set a second later as a backstop,
        // counts whole seconds on Linux: a timeout under 1 s would fire at once.
        let backstop = timeout.rounded(.up) + 1
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: backstop)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let body { request.httpBody = Data(body) }
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = backstop
        configuration.timeoutIntervalForResource = backstop
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        let timeout = self.timeout, limit = maxBodyBytes
        let outcome: Result<HTTPResponse, HTTPError> = await withCheckedContinuation { continuation in
            let once = Once(continuation)
            let task = session.dataTask(with: request) { data, response, error in
                if let error {
                    let code = (error as NSError).code
                    once.finish(
                        .failure(
                            code == NSURLErrorTimedOut
                                ? .timeout(seconds: timeout) : .transport(error.localizedDescription)))
                    return
                }
                guard let http = response as? HTTPURLResponse else {
                    once.finish(.failure(.transport("no HTTP response"))); return
                }
                let bytes = [UInt8](data ?? Data())
                guard bytes.count <= limit else { once.finish(.failure(.tooLarge(limit: limit))); return }
                var headers: [String: String] = [:]
                for (k, v) in http.allHeaderFields {
                    headers[String(describing: k).lowercased()] = String(describing: v)
                }
                once.finish(.success(HTTPResponse(status: http.statusCode, headers: headers, body: bytes)))
            }
            task.resume()
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
                if once.finish(.failure(.timeout(seconds: timeout))) { task.cancel() }
            }
        }
        return try outcome.get()
    }

    /// Resumes a continuation once: the response and the deadline race, and the first one wins.
    final class Once: Sendable {
        private let continuation: Mutex<CheckedContinuation<Result<HTTPResponse, HTTPError>, Never>?>
        init(_ c: CheckedContinuation<Result<HTTPResponse, HTTPError>, Never>) { continuation = Mutex(c) }
        @discardableResult
        func finish(_ result: Result<HTTPResponse, HTTPError>) -> Bool {
            guard
                let c = continuation.withLock({ c in
                    defer { c = nil }; return c
                })
            else { return false }
            c.resume(returning: result)
            return true
        }
    }
}
