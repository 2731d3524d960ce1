/// A span, event, link or resource attribute value: string, integer, double, bool, or an array of one of those.
public enum AttributeValue: Hashable, Sendable {
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)
    case stringArray([String])
    case intArray([Int64])
    case doubleArray([Double])
    case boolArray([Bool])
}

/// Attributes by key. Written with keys in byte order, so the same attributes always give the same line.
public typealias Attributes = [String: AttributeValue]

/// 128-bit W3C trace id, written as 32 lower-case hex digits.
public typealias TraceID = UInt128
/// 64-bit W3C span id, written as 16 lower-case hex digits.
public typealias SpanID = UInt64
