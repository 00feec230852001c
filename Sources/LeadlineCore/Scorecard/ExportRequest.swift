import Foundation

/// What `EXPORT` (and `leadlined export`) writes as CSV: leads, the history, or a report.
public enum ExportRequest: Sendable, Equatable {
    /// Leads, open ones or all, created between two days (both included) if given.
    case leads(LeadScope, from: LocalDate?, to: LocalDate?)
    /// Every public event, stamped between two days if given.
    case events(from: LocalDate?, to: LocalDate?)
    case report(ReportRequest)

    public enum LeadScope: String, Sendable {
        case open, all
    }

    static let usage = "EXPORT leads [open|all] [from=DATE] [to=DATE], EXPORT events [from=DATE] [to=DATE] or EXPORT report day|week|range ..."

    /// Reads `leads|events|report` and what follows it.
    public static func parse(_ words: [String], pairs: [String: String]) throws(CommandError) -> ExportRequest {
        guard let what = words.first?.lowercased() else {
            throw CommandError.invalid(argument: "what", "say what to export: \(usage)")
        }
        func day(_ key: String) throws(CommandError) -> LocalDate? {
            guard let text = pairs[key] else { return nil }
            guard let day = LocalDate(text), day.year >= 2000, day.year <= 2199 else {
                throw CommandError.invalid(argument: key, "\(key) is a day like 2026-11-23; got \"\(text)\"")
            }
            return day
        }
        // A window that ends before it starts holds nothing: refused, as REPORT range does.
        func window() throws(CommandError) -> (from: LocalDate?, to: LocalDate?) {
            let (from, to) = (try day("from"), try day("to"))
            if let from, let to, to < from {
                throw CommandError.invalid(argument: "to", "the window ends (\(to)) before it starts (\(from))")
            }
            return (from, to)
        }
        switch what {
        case "leads":
            guard words.count <= 2 else { throw CommandError.invalid(argument: "scope", "EXPORT leads takes open or all; \(usage)") }
            let scope = try words.count == 2 ? LeadScope(rawValue: words[1].lowercased()).orThrow(
                CommandError.invalid(argument: "scope", "EXPORT leads takes open or all; got \"\(words[1])\"")) : .open
            let (from, to) = try window()
            return .leads(scope, from: from, to: to)
        case "events":
            guard words.count == 1 else { throw CommandError.invalid(argument: "what", "EXPORT events takes from= and to=; \(usage)") }
            let (from, to) = try window()
            return .events(from: from, to: to)
        case "report":
            return .report(try ReportRequest.parse(Array(words.dropFirst()), person: pairs["person"]?.lowercased()))
        default:
            throw CommandError.invalid(argument: "what", "there is no export of \"\(words[0])\"; \(usage)")
        }
    }

    /// Whether `time` falls on a day from `from` to `to` (either open), in the shop's
    /// calendar; with neither, at once.
    public static func contains(_ time: Date, from: LocalDate?, to: LocalDate?, in business: BusinessCalendar) -> Bool {
        guard from != nil || to != nil else { return true }
        let day = business.localDate(time)
        return (from.map { day >= $0 } ?? true) && (to.map { day <= $0 } ?? true)
    }
}

extension Optional {
    /// The value, or `error` thrown.
    func orThrow<E: Error>(_ error: @autoclosure () -> E) throws(E) -> Wrapped {
        guard let self else { throw error() }
        return self
    }
}
