import GammaConfig
import Testing

@Suite struct ConfigDocumentTests {
    static let yaml = """
        name: spiky
        rate: 12.5
        enabled: true
        label: "42"
        windows:
          - at: "10:00"
            for: 30m
          - at: "14:00"
            for: 1h30m
        """

    @Test func readsTypedFieldsWithPaths() throws {
        let root = try ConfigDocument.parse(Self.yaml, file: "p.yaml").object(keys: [
            "name", "rate", "enabled", "label", "windows"
        ])
        #expect(try root.required("name").string() == "spiky")
        #expect(try root.required("rate").double() == 12.5)
        #expect(try root.required("enabled").bool() == true)
        #expect(try root.required("label").string() == "42")
        let windows = try root.required("windows").list()
        #expect(windows.count == 2)
        let second = try windows[1].object(keys: ["at", "for"])
        #expect(try second.required("for").duration() == 5_400_000_000_000)
        let forNode = try second.required("for")
        #expect(forNode.path == "windows[1].for")
        #expect(forNode.position == ConfigPosition(line: 9, column: 10))
    }

    @Test func jsonIsAccepted() throws {
        let root = try ConfigDocument.parse(
            #"{"name": "x", "rate": 3, "windows": [{"at": "01:00", "for": "5m"}]}"#, file: "p.json"
        )
        .object(keys: ["name", "rate", "windows"])
        #expect(try root.required("rate").int() == 3)
        #expect(
            try root.required("windows").list()[0].object(keys: ["at", "for"]).required("for").duration()
                == 300_000_000_000)
    }

    /// Each bad document, and the place and words its error must have.
    static let refusals: [(text: String, description: String)] = [
        ("name: [unclosed", "p.yaml:2:1: not valid YAML or JSON"),
        ("name: x\nrate: 1\nrat: 2", "p.yaml:3:1: rat: unknown field 'rat'; did you mean 'rate'?"),
        ("name: x\nrate: fast", "p.yaml:2:7: rate: expected a number, found 'fast'"),
        ("name: x\nwindows:\n  - at: 1\n    for: 20x", "p.yaml:4:10: windows[0].for: '20x' is not a duration"),
        ("name: x\nrate: \"3\"", "p.yaml:2:7: rate: expected a number, found the string \"3\""),
        ("{\"name\": \"x\",\n \"rate\": 1,\n \"rate\": 2}", "given twice"),
        ("", "p.yaml: the file is empty"),
        ("- 1\n- 2", "p.yaml:1:1: expected a mapping"),
        ("name: &a x\nrate: *a", "rate: expected a number, found 'x'")
    ]

    @Test(arguments: refusals.indices) func refusesWithThePlace(_ i: Int) {
        let (text, expected) = Self.refusals[i]
        do {
            let root = try ConfigDocument.parse(text, file: "p.yaml").object(keys: ["name", "rate", "windows"])
            _ = try root.optional("rate")?.double()
            if let w = try root.optional("windows")?.list() {
                _ = try w[0].object(keys: ["at", "for"]).required("for").duration()
            }
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
        }
    }

    @Test func missingRequiredFieldNamesTheMapping() throws {
        let root = try ConfigDocument.parse("windows:\n  - at: \"10:00\"", file: "p.yaml").object(keys: ["windows"])
        let window = try root.required("windows").list()[0].object(keys: ["at", "for"])
        #expect(throws: ConfigError.self) { try window.required("for") }
        do { _ = try window.required("for") } catch {
            #expect(error.description == "p.yaml:2:5: windows[0]: 'for' is required")
        }
    }

    @Test func unreadableFileIsNamed() {
        #expect(throws: ConfigError.self) { try ConfigDocument.load(path: "/nonexistent/profile.yaml") }
        do { _ = try ConfigDocument.load(path: "/nonexistent/profile.yaml") } catch {
            #expect(error.description.hasPrefix("/nonexistent/profile.yaml: cannot read the file: No such file"))
        }
    }
}
