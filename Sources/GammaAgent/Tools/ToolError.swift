#if canImport(Glibc)
import Glibc
#endif

/// Why a tool could not do what it was asked; the message goes back to the model.
public struct ToolError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
