/// "1 line", "2 lines"; "1 match", "2 matches" with the plural given: the one way every tool and
/// report counts things in text meant for people.
public func plural(_ n: Int, _ noun: String, _ plural: String? = nil) -> String {
    "\(n) \(GammaModel.noun(n, noun, plural))"
}

/// The noun alone, for `n` of it: where the count is set apart (`<b>2</b> episodes`).
public func noun(_ n: Int, _ noun: String, _ plural: String? = nil) -> String {
    n == 1 ? noun : plural ?? noun + "s"
}
