public import GammaNet
/// The `http_get` tool: fetches a URL (http or https) within a timeout and returns the status
/// and the start of the body as text.
public struct HTTPGetTool: AgentTool {
    public let name = "http_get"
    public let description =
        "Fetches a web page or API response by URL (GET) and returns its status and text, cut to 8 KB."
    public let parameters =
        #"{"type":"object","properties":{"url":{"type":"string","description":"An http or https URL"}},"required":["url"],"additionalProperties":false}"#
    public let client: GuardedHTTPClient
    /// How much of the body goes back to the model.
    public var maxTextBytes = 8192

    /// - Parameter policy: what the tool may reach; by default only the public network
    ///   (loopback, private, link-local, unspecified and multicast addresses are refused, after
    ///   name resolution and on every redirect).
    public init(timeout: Double = 10, maxBodyBytes: Int = 1 << 20, policy: GuardedHTTPClient.Policy = .init()) {
        client = GuardedHTTPClient(policy: policy, timeout: timeout, maxBodyBytes: maxBodyBytes)
    }

    public func run(_ arguments: ToolArguments) async throws(ToolError) -> String {
        let url = try arguments.string("url")
        let response: HTTPResponse
        do throws(HTTPError) {
            response = try await client.get(url, headers: [("Accept", "text/*, application/json;q=0.9, */*;q=0.1")])
        } catch {
            if case .refused = error { throw ToolError("GET \(url): \(error)", kind: "refused") }
            throw ToolError("GET \(url): \(error)")
        }
        guard (200..<300).contains(response.status) else {
            throw ToolError("GET \(url): the server answered \(response.status): \(response.text.prefix(200))")
        }
        let text = response.text
        let cut =
            text.utf8.count > maxTextBytes
            ? String(decoding: text.utf8.prefix(maxTextBytes), as: UTF8.self) + "\n[cut at \(maxTextBytes) bytes]"
            : text
        return "HTTP \(response.status)\n\(cut)"
    }
}
