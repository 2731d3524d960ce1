import Yams

/// Reads a configuration file, YAML or JSON, into ``ConfigNode``s.
public enum ConfigDocument {
    /// Parses `text` (the contents of `file`, which only names it in errors).
    /// - Throws: ``ConfigError`` with the line and column of a syntax error or a repeated key, or
    ///   for an empty document. Aliases (`*name`) read as the node they name.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> ConfigNode {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw Self.convert(error, file: file)
        } catch {
            throw ConfigError(file: file, position: nil, path: "", message: "\(error)")
        }
        guard let root else { throw ConfigError(file: file, position: nil, path: "", message: "the file is empty") }
        return try convert(root, path: "", file: file)
    }

    /// Reads and parses the file at `path`.
    public static func load(path: String) throws(ConfigError) -> ConfigNode {
        guard let bytes = FileBytes.read(path) else {
            throw ConfigError(
                file: path, position: nil, path: "",
                message: "cannot read the file: \(FileBytes.lastErrorDescription())")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ConfigError(file: path, position: nil, path: "", message: "the file is not UTF-8 text")
        }
        return try parse(text, file: path)
    }

    static func position(_ mark: Mark?) -> ConfigPosition? {
        mark.map { ConfigPosition(line: $0.line, column: $0.column) }
    }

    static func convert(_ node: Node, path: String, file: String) throws(ConfigError) -> ConfigNode {
        switch node {
        case .scalar(let scalar):
            let quoted =
                scalar.style == .singleQuoted || scalar.style == .doubleQuoted || scalar.style == .literal
                || scalar.style == .folded
            let isNull = !quoted && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
            return ConfigNode(
                content: isNull ? .null : .scalar(scalar.string, quoted: quoted), position: position(scalar.mark),
                path: path, file: file)
        case .sequence(let sequence):
            var items: [ConfigNode] = []
            for (i, item) in sequence.enumerated() {
                items.append(try convert(item, path: "\(path)[\(i)]", file: file))
            }
            return ConfigNode(content: .sequence(items), position: position(sequence.mark), path: path, file: file)
        case .mapping(let mapping):
            var pairs: [(key: String, value: ConfigNode)] = []
            for (key, value) in mapping {
                guard case .scalar(let k) = key else {
                    throw ConfigError(
                        file: file, position: position(key.mark), path: path, message: "a key must be a plain string")
                }
                let childPath = path.isEmpty ? k.string : "\(path).\(k.string)"
                var child = try convert(value, path: childPath, file: file)
                child.keyPosition = position(k.mark)
                pairs.append((k.string, child))
            }
            return ConfigNode(content: .mapping(pairs), position: position(mapping.mark), path: path, file: file)
        case .alias(let alias):
            throw ConfigError(
                file: file, position: position(alias.mark), path: path, message: "an alias (*name) that names nothing")
        }
    }

    static func convert(_ error: YamlError, file: String) -> ConfigError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let text = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
            return ConfigError(
                file: file, position: position(mark), path: "", message: "not valid YAML or JSON: \(text)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ConfigError(
                file: file, position: position(context.mark), path: "",
                message: "\(duplicates.map { "'\($0)'" }.joined(separator: ", ")) given twice in one mapping")
        case .reader(let problem, let offset, _, _):
            return ConfigError(
                file: file, position: nil, path: "", message: "unreadable at byte \(offset ?? 0): \(problem)")
        default:
            return ConfigError(file: file, position: nil, path: "", message: "\(error)")
        }
    }
}
