/// The user prompts of a simulation: a fixed mix of what users of a help-desk agent ask, drawn
/// from the seed. Half are questions for `search`, the rest arithmetic, the time, and files to
/// read (some of which do not exist, as users misremember names).
public enum PromptMix {
    static let questions = [
        "How long do refunds take to arrive?", "Can I get a refund after 30 days?", "Are shipping costs refunded?",
        "How many users can an account have?", "How long must a password be?",
        "How do I enable two-factor authentication?",
        "What is the API rate limit per token?", "What happens when an API request is too slow?",
        "Where is the REST API served?",
        "When are invoices issued?", "Which payment methods are accepted?", "When is payment due?",
        "How long does standard delivery take?", "How much does express delivery cost?",
        "When do orders ship the same day?",
        "Does the API send a Retry-After header?", "Can I pay by bank transfer?", "Who can invite users to an account?"
    ]
    static let files = ["billing.md", "refunds.md", "shipping.md", "accounts.md", "api.md", "roadmap.md", "pricing.txt"]
    static let arithmetic = [
        "What is %a * %b + %c?", "Compute (%a + %b) / %c please.",
        "I pay %a EUR a month for %b months and %c EUR once: %a * %b + %c is how much?",
        "What is %a ^ 2 - %b?", "Split %a EUR between %c people: %a / %c each?"
    ]
    static let clock = [
        "What time is it now?", "What is today's date?", "Is it past 14:00 CET at the moment? Check the clock."
    ]

    /// The prompt of run number `index` for `seed`.
    public static func prompt(seed: UInt64, index: Int) -> String {
        var rng = ScriptedModel.Random(seed: seed ^ (UInt64(index) &* 0x9E37_79B9_7F4A_7C15) ^ 0x5052_4F4D_5054)
        let roll = rng.uniform()
        func pick(_ list: [String]) -> String { list[Int(rng.next() % UInt64(list.count))] }
        switch roll {
        case ..<0.5: return pick(questions)
        case ..<0.75:
            var s = pick(arithmetic)
            for (token, range) in [("%a", 2...999), ("%b", 2...48), ("%c", 1...20)] {
                let n = range.lowerBound + Int(rng.next() % UInt64(range.count))
                s = s.replacing(token, with: String(n))
            }
            return s
        case ..<0.85: return pick(clock)
        default: return "Summarize \(pick(files)) for me."
        }
    }
}
