import Foundation

/// The `read_file` tool: a text file inside one folder; traversal is refused.
public struct ReadFileTool: AgentTool {
    public let name = "read_file"
    public let description = "Reads a text file from the agent's document folder (paths relative to it; at most 64 KB)."
    public let parameters =
        #"{"type":"object","properties":{"path":{"type":"string","description":"A path inside the folder, e.g. notes/todo.md"}},"required":["path"],"additionalProperties":false}"#
    public let root: String

    public init(root: String) { self.root = root }

    public func run(_ arguments: ToolArguments) async throws(ToolError) -> String {
        try FileText.read(FileText.confined(arguments.string("path"), to: root), limit: 65_536)
    }
}
