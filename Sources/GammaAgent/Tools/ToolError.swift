#if canImport(Glibc)
import Glibc
#endif

/// Why a tool could not do what it was asked; the message goes back to the model.
public struct ToolError: Error, Equatable, CustomStringConvertible {
    public var message: String
    /// What kind of failure, for the `error` label of `tools.errors.total` (`refused`); `nil` is
    /// an ordinary `tool_error`.
    public var kind: String?
    public init(_ message: String, kind: String? = nil) {
        self.message = message
        self.kind = kind
    }
    public var description: String { message }
}
