/// A label, name and value.
public struct Label: Hashable, Sendable, Comparable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    public static func < (a: Label, b: Label) -> Bool {
        a.name != b.name ? JSONWriter.byteOrder(a.name, b.name) : JSONWriter.byteOrder(a.value, b.value)
    }
}
