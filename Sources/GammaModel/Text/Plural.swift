/// "1 line", "2 lines"; "1 match", "2 matches" with the plural given: the one way every tool and
/// report counts things in text meant for people.
public func plural(_ n: Int, _ noun: String, _ plural: String? = nil) -> String {
    "\(n) \(n == 1 ? noun : plural ?? noun + "s")"
}
