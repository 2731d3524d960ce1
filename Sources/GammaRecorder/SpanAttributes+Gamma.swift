import GammaModel
import Tracing

extension SpanAttributes {
    /// The attributes as record attributes: Int32 widened, string-convertibles as their description.
    var gammaAttributes: Attributes {
        var out: Attributes = [:]
        forEach { key, value in out[key] = value.gammaValue }
        return out
    }
}

extension SpanAttribute {
    var gammaValue: AttributeValue {
        switch self {
        case .int32(let v): .int(Int64(v))
        case .int64(let v): .int(v)
        case .int32Array(let v): .intArray(v.map(Int64.init))
        case .int64Array(let v): .intArray(v)
        case .double(let v): .double(v)
        case .doubleArray(let v): .doubleArray(v)
        case .bool(let v): .bool(v)
        case .boolArray(let v): .boolArray(v)
        case .string(let v): .string(v)
        case .stringArray(let v): .stringArray(v)
        case .stringConvertible(let v): .string(v.description)
        case .stringConvertibleArray(let v): .stringArray(v.map(\.description))
        default: .string("\(self)")
        }
    }
}
