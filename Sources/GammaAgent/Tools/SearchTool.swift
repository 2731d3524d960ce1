import Foundation

/// The `search` tool: BM25 over the document corpus.
public struct SearchTool: AgentTool {
    public let name = "search"
    public let description = "Searches the help documents and returns the best matches with a snippet each."
    public let parameters =
        #"{"type":"object","properties":{"query":{"type":"string"},"limit":{"type":"integer","minimum":1,"maximum":10}},"required":["query"],"additionalProperties":false}"#
    public let index: SearchIndex

    public init(index: SearchIndex) { self.index = index }

    public func run(_ arguments: ToolArguments) async throws(ToolError) -> String {
        let query = try arguments.string("query")
        let limit = try arguments.optionalInt("limit") ?? 3
        guard (1...10).contains(limit) else { throw ToolError("malformed arguments: 'limit' must be between 1 and 10") }
        let hits = index.search(query, limit: limit)
        if hits.isEmpty { return "no document matches '\(query)'" }
        return hits.map { "\($0.document) (score \(String(format: "%.3f", $0.score))): \($0.snippet)" }.joined(
            separator: "\n")
    }
}
