import LeadlineCore

/// The HELP text that teaches the protocol to a person at a bare `nc` prompt.
public enum HelpText {
    /// `HELP`: the grammar in two lines, then every verb with its one-line summary.
    public static func overview() -> [String] {
        var lines = [
            "Leadline: one request per line, VERB then arguments; answers start with OK or ERR.",
            "Log in first with LOGIN <name> <token>. HELP <VERB> explains one verb.",
            "Values with spaces go in quotes (name=\"Jane Roe\"); free text goes last, after a colon.",
            "Tag a request (@a1 CLAIM 42) to get a tagged answer; a tagged change retried is not done twice.",
            "Events arrive as: EVENT <seq> <TYPE> key=value ... and never inside another answer.",
            "",
        ]
        let width = VerbCatalog.verbs.map(\.name.count).max() ?? 8
        for spec in VerbCatalog.verbs {
            let pad = String(repeating: " ", count: width - spec.name.count + 2)
            lines.append("  " + spec.name + pad + spec.summary)
        }
        return lines
    }

    /// `HELP <VERB>`: usage, explanation and examples.
    public static func verb(_ spec: VerbSpec) -> [String] {
        var lines = ["usage: " + spec.usage, spec.summary.prefix(1).uppercased() + spec.summary.dropFirst() + "."]
        lines += spec.details
        if !spec.needsLogin { lines.append("Works before LOGIN.") }
        for example in spec.examples { lines.append("example: " + example) }
        return lines
    }
}
