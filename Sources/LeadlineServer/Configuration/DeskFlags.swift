import LeadlineCore

/// The flags of `leadlined report`, `export` and `import`, read into the same requests
/// the protocol's `REPORT`, `EXPORT` and `IMPORT` make.
public struct DeskFlags: Sendable, Equatable {
    /// `--day`, `--week`, `--from`, `--to`, `--person`, `--format`, `--system`, by name.
    public var values: [String: String] = [:]
    public var strict = false

    public init() {}

    var isEmpty: Bool { values.isEmpty && !strict }

    static let reportUsage = "leadlined report --data DIR (--day DATE | --week DATE | --from DATE --to DATE) [--person NAME|ROLE] [--format text|csv|html]"

    func invocation(_ command: String, _ words: [String], _ options: ServeOptions) throws(UsageError) -> Invocation {
        switch command {
        case "report":
            guard values["system"] == nil, !strict else { throw UsageError("--strict and --system go with leadlined import") }
            let format = try values["format"].map { text throws(UsageError) in
                guard let format = DataFolderExchange.ReportFormat(rawValue: text.lowercased()) else {
                    throw UsageError("--format is text, csv or html; got \"\(text)\"")
                }
                return format
            } ?? .text
            return .report(try reportRequest(words), format, options)
        case "export":
            guard values["format"] == nil, values["system"] == nil, !strict else {
                throw UsageError("leadlined export takes --from, --to (and, for a report, --day, --week, --person)")
            }
            guard let what = words.first?.lowercased() else {
                throw UsageError("leadlined export needs leads, events or report: leadlined export leads [all] --data DIR")
            }
            if what == "report" { return .export(.report(try reportRequest(Array(words.dropFirst()))), options) }
            var pairs: [String: String] = [:]
            for key in ["from", "to"] { pairs[key] = values[key] }
            do throws(CommandError) {
                return .export(try ExportRequest.parse(words, pairs: pairs), options)
            } catch {
                throw UsageError(error.message)
            }
        default:
            guard words.count == 2, words[0].lowercased() == "leads" else {
                throw UsageError("usage: leadlined import leads FILE.csv --data DIR [--strict] [--system NAME]")
            }
            guard Set(values.keys).isSubset(of: ["system"]) else { throw UsageError("leadlined import takes --strict and --system NAME") }
            return .importLeads(path: words[1], strict: strict, system: values["system"]?.lowercased(), options)
        }
    }

    /// The period from `day|week|range ...` words, or from `--day`, `--week`, `--from`/`--to`.
    private func reportRequest(_ words: [String]) throws(UsageError) -> ReportRequest {
        var spanWords = words
        // One period: two of them given (`--week` and `--day`, or words and a flag) is a
        // mistake to point out, not a choice to make silently.
        let periodFlags = ["day", "week", "from"].filter { values[$0] != nil }
        if periodFlags.count + (words.isEmpty ? 0 : 1) > 1 {
            throw UsageError("one period at a time: \(periodFlags.map { "--" + $0 }.joined(separator: " and "))"
                + (words.isEmpty ? "" : " with \"\(words.joined(separator: " "))\"") + " given; \(Self.reportUsage)")
        }
        if values["to"] != nil, values["from"] == nil {
            throw UsageError("--to goes with --from; \(Self.reportUsage)")
        }
        if spanWords.isEmpty {
            if let day = values["day"] {
                spanWords = ["day", day]
            } else if let week = values["week"] {
                spanWords = ["week", week]
            } else if let from = values["from"] {
                spanWords = ["range", from, values["to"] ?? "today"]
            } else {
                throw UsageError("which period? \(Self.reportUsage)")
            }
        }
        do throws(CommandError) {
            return try ReportRequest.parse(spanWords, person: values["person"]?.lowercased())
        } catch {
            throw UsageError(error.message)
        }
    }
}
