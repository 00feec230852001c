import Foundation
import LeadlineCore

/// A board with the test cast and a manual clock, driven command by command as the
/// server drives it: decide, stamp, apply.
struct Shop {
    static let zone = TimeZone(identifier: "America/Chicago")!
    static let monday8 = Timestamp.parse("2026-11-23T08:00:00-06:00")!

    var board: Board
    let clock = ManualClock(Shop.monday8)
    private(set) var events: [Event] = []

    init(start: Date = Shop.monday8, policy adjust: (inout Policy) -> Void = { _ in }) {
        var policy = Policy(timeZone: Shop.zone)
        adjust(&policy)
        board = Board(policy: policy)
        clock.set(start)
        let cast: [(String, Role)] = [("ana", .csr), ("ben", .csr), ("cara", .csr), ("dora", .dispatcher),
                                      ("omar", .ops), ("olive", .owner), ("sam", .sales), ("tess", .tech)]
        for (name, role) in cast {
            _ = run(.addPerson(name: name, role: role, tokenHash: "hash-\(name)"), by: nil)
        }
    }

    func person(_ name: String) -> Person { board.people[name]! }

    /// A lead's history, as the server reads it back from the journal.
    func history(of id: LeadID) -> [Event] {
        let seqs = Set(board.history(of: id))
        return events.filter { seqs.contains($0.seq) }
    }

    /// Decides `command` by `name` now; applies its changes if accepted.
    @discardableResult
    mutating func run(_ command: Command, by name: String?) -> Result<Decision, CommandError> {
        let actor = name.map { board.people[$0]! }
        let result = board.decide(command, by: actor, at: clock.now)
        if case .success(let decision) = result {
            let stamped = board.stamp(decision.changes, by: name, at: clock.now)
            try! board.apply(stamped)
            events += stamped
        }
        return result
    }

    /// Runs a command that must succeed; returns its decision.
    @discardableResult
    mutating func ok(_ command: Command, by name: String, sourceLocation: String = #function) -> Decision {
        switch run(command, by: name) {
        case .success(let d): return d
        case .failure(let e): fatalError("\(command) by \(name) refused: \(e.code) \(e.message)")
        }
    }

    /// Runs a command that must fail; returns the error.
    mutating func refused(_ command: Command, by name: String) -> CommandError? {
        if case .failure(let e) = run(command, by: name) { return e }
        return nil
    }

    /// Creates a lead with `phone` (and `fields`), by `name`; returns its id.
    @discardableResult
    mutating func newLead(by name: String = "ana", kind: LeadKind? = nil, phone: String = "555-0100",
                          _ adjust: (inout NewLead) -> Void = { _ in }) -> LeadID {
        var request = NewLead()
        request.kind = kind
        request.phone = phone
        adjust(&request)
        let decision = ok(.newLead(request), by: name)
        guard case .number(let id) = decision.reply.first(where: { $0.key == "lead" })?.value else { fatalError() }
        return id
    }

    func lead(_ id: LeadID) -> Lead { board.lead(id)! }

    /// `STATUS id status [reason=...]` by `name`, which must be accepted.
    @discardableResult
    mutating func setStatus(_ id: LeadID, _ status: LeadStatus, reason: String? = nil, by name: String) -> Decision {
        var request = StatusRequest(lead: id, status: status)
        request.reason = reason
        return ok(.setStatus(request), by: name)
    }

    /// Keeps events applied without a command (an import's) in the shop's history.
    mutating func recordExternally(_ more: [Event]) { events += more }

    /// Raises what is due now, as the server does after each change.
    @discardableResult
    mutating func raiseDue() -> [Alert] {
        var raised: [Alert] = []
        while true {
            let due = board.dueChanges(at: clock.now)
            guard !due.isEmpty else { return raised }
            let stamped = board.stamp(due, by: nil, at: clock.now)
            try! board.apply(stamped)
            events += stamped
            raised += due.compactMap { if case .alert(let a) = $0 { a } else { nil } }
        }
    }

    /// Moves the clock forward, raising every alert at the moment it falls due, as
    /// the server's simulated clock does.
    @discardableResult
    mutating func advance(to target: Date) -> [(at: Date, alert: Alert)] {
        var out: [(Date, Alert)] = []
        while let next = board.nextAlertTime(after: clock.now), next <= target {
            clock.set(next)
            out += raiseDue().map { (next, $0) }
        }
        clock.set(target)
        out += raiseDue().map { (target, $0) }
        return out
    }

    @discardableResult
    mutating func advance(by seconds: TimeInterval) -> [(at: Date, alert: Alert)] {
        advance(to: clock.now.addingTimeInterval(seconds))
    }

    /// A time today (or on `day`) in the shop's zone: `at("10:15")`, `at("2026-11-27T19:42")`.
    func at(_ text: String) -> Date {
        TimeSpec.parse(text)!.resolve(now: clock.now, policy: board.policy)!
    }
}
