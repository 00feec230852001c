import LeadlineCore
import LeadlineWire

/// Fan-out: each durable event is encoded once and its bytes pushed to every logged-in
/// connection whose `WATCH` selects it.
extension Hub {
    /// Whether an event is on the default `board` stream: leads entering and leaving
    /// the board (`CREATED`, `IMPORTED`, `CLOSED`, and a status that reopens a closed
    /// lead), ownership changes (`CLAIMED`, `RELEASED`, `ASSIGNED`, and `BOOKED`: a
    /// booked visit hands the lead to the field), and alerts. Read off the change, not
    /// its type's text.
    static func isOnBoard(_ change: Change) -> Bool {
        switch change {
        case .created, .claimed, .released, .assigned, .alert, .imported:
            return true
        case .statusChanged(let status):
            if status.reopens { return true }
            // Which statuses read CLOSED and BOOKED is the change's type's to say.
            let type = change.type
            return type == "CLOSED" || type == "BOOKED"
        default:
            return false
        }
    }

    /// Whether an event is an alert (the `alerts` stream).
    static func isAlert(_ change: Change) -> Bool {
        if case .alert = change { true } else { false }
    }

    /// Sends durable events to every connection that watches them, and tells a
    /// technician of a visit booked, moved or called off wherever they are logged in.
    ///
    /// Each run of public events goes out connection by connection: every connection
    /// is visited once per run, not once per event (a group commit of a hundred notes
    /// to a hundred watchers touched each connection a hundred times). A private
    /// event (people changing) is handled where it falls, between runs.
    func published(_ events: [Event], audiences: [Audience]) {
        var run: [OutgoingEvent] = []
        let everythingWatched = someoneWatchesEverything
        for index in events.indices {
            if events[index].isPrivate {
                deliver(&run)
                peopleChanged(events[index])
                continue
            }
            // An import's leads go out as its one IMPORTED summary, not thousands of
            // lines (each stays in the journal: SINCE and SHOW have them).
            if case .created(let intake) = events[index].change, intake.importedFrom != nil { continue }
            let audience = index < audiences.count ? audiences[index] : Audience()
            // A note no connection can take (none watches `all` or `mine`, and it moves
            // no visit) is passed by: the board's and the alerts' watchers never take it.
            if !everythingWatched, audience.visitTechs.isEmpty, !Self.isOnBoard(events[index].change),
               !Self.isAlert(events[index].change) { continue }
            run.append(OutgoingEvent(events[index], audience: audience))
        }
        deliver(&run)
    }

    /// Pushes a run of events to each connection that wants them, in order, and empties it.
    ///
    /// A connection that watches a whole stream (`all`, `board`, `alerts`) takes the
    /// run's bytes for that stream, put together once per run, in one push; only
    /// `WATCH mine`, and a run that tells technicians of their visits, go event by event.
    private func deliver(_ run: inout [OutgoingEvent]) {
        guard !run.isEmpty else { return }
        defer { run.removeAll(keepingCapacity: true) }
        var streams = StreamBytes()
        let tellsTechnicians = run.contains { !$0.audience.visitTechs.isEmpty }
        // One clock read for the whole broadcast, not one per watcher.
        let now = monotonicNow()
        for c in connections.values where c.isOpen {
            let watch = c.session.watch
            guard watch != .none, c.session.person != nil else { continue }
            if !tellsTechnicians, let bytes = streams.bytes(of: &run, for: watch, encoder: encoder) {
                if !bytes.isEmpty { c.push(bytes, at: now) }
                continue
            }
            guard let person = c.session.person else { continue }
            for i in run.indices {
                if watch == .mine && run[i].concerned == nil {
                    run[i].concerned = people(concernedBy: run[i].event, audience: run[i].audience)
                }
                let visitTechs = run[i].audience.visitTechs
                if Self.wants(watch, onBoard: run[i].onBoard, isAlert: run[i].isAlert, person.name, concerned: run[i].concerned ?? [])
                    || (!visitTechs.isEmpty && visitTechs.contains(person.name)) {
                    c.push(run[i].bytes(encoder), at: now)
                }
            }
        }
    }

    /// Whether a connection watching `mode` receives an event: one of the `board`
    /// stream's types, an alert, or (for `WATCH mine`) one that concerns `person`
    /// (`concerned`: ``people(concernedBy:audience:)``, read for that mode only).
    static func wants(_ mode: WatchMode, onBoard: Bool, isAlert: Bool, _ person: String,
               concerned: @autoclosure () -> [String]) -> Bool {
        switch mode {
        case .board: return onBoard
        case .all: return true
        case .alerts: return isAlert
        case .none: return false
        case .mine: return concerned().contains(person)
        }
    }

    /// Everyone an event is about, for `WATCH mine`: who held its lead just before
    /// (a lead taken from them), who holds it just after or has its visit, and whom the
    /// event names. A short list, compared by name with each watcher (no hashing per
    /// watcher). Where the audience did not note who holds the lead after the event
    /// (an event read back for `SINCE`, or one made while no one watched `mine`), who
    /// holds it now.
    func people(concernedBy event: Event, audience: Audience? = nil) -> [String] {
        var names = audience?.formerHolders ?? []
        if let holders = audience?.holders {
            names += holders
        } else {
            names += event.lead.flatMap { shop.withDurableLead($0, Audience.holders(of:)) } ?? []
        }
        for field in event.record.fields {
            guard case .text(let value) = field.value else { continue }
            switch field.key {
            case "owner", "backup", "from", "tech", "person": names.append(value)
            case "ask": names += value.split(separator: ",").map(String.init)
            default: break
            }
        }
        return names
    }
}

/// Who an event concerns beyond the `WATCH` modes, from its lead just before and after it.
struct Audience {
    /// Who held the lead (owner, backup, the visit's technician) just before: `WATCH mine`
    /// also tells a person about a lead taken from them.
    let formerHolders: [String]
    /// Technicians whose visit the event booked, moved or called off (or whose lead
    /// closed with a visit booked): told wherever they are logged in.
    let visitTechs: [String]
    /// Who holds the lead once the request that made the event is applied (owner,
    /// backup, the visit's technician): set then, since a batch is published only once
    /// all of it is applied. Nil when not noted (no one watched `mine`): whoever holds
    /// the lead when the event goes out.
    var holders: [String]?

    /// What an audience needs of a lead just before its event: read where the lead
    /// lies (a lead copied out is 360 bytes and a retain of every string in it).
    struct Before {
        let holders: [String]
        let appointment: Appointment?
        let wasOpen: Bool

        init(_ lead: UnsafePointer<Lead>) {
            holders = Audience.holders(of: lead)
            appointment = lead.pointee.appointment
            wasOpen = lead.pointee.isOpen
        }
    }

    /// No one beyond the `WATCH` modes.
    init() {
        formerHolders = []
        visitTechs = []
    }

    /// For an event that left its lead as it was (a note): `holders` held it before
    /// and hold it after.
    init(unchangedHolders holders: [String]) {
        formerHolders = holders
        visitTechs = []
        self.holders = holders
    }

    /// From the lead as it was just `before` the event and as it is just after.
    init(before: Before?, after: UnsafePointer<Lead>?) {
        // Short lists, not sets: made for every event, read only for `WATCH mine`
        // and visits.
        formerHolders = before?.holders ?? []
        let appointment = after?.pointee.appointment
        let visitChanged = before?.appointment != appointment
            || (before?.appointment != nil && before?.wasOpen == true && after?.pointee.isOpen == false)
        visitTechs = visitChanged ? [before?.appointment?.tech, appointment?.tech].compactMap { $0 } : []
    }

    /// A lead's owner, backup, and the technician of its pending visit.
    static func holders(of lead: UnsafePointer<Lead>) -> [String] {
        let visitTech = lead.pointee.hasPendingVisit ? lead.pointee.appointment?.tech : nil
        return [lead.pointee.owner, lead.pointee.backup, visitTech].compactMap { $0 }
    }
}

/// A run of events' bytes as each whole stream takes them, put together the first
/// time a watcher of that stream asks.
struct StreamBytes {
    private var all: [UInt8]?
    private var board: [UInt8]?
    private var alerts: [UInt8]?

    /// What a connection watching `mode` receives of `run`; nil for `mine` and `none`,
    /// which are chosen per connection.
    mutating func bytes(of run: inout [OutgoingEvent], for mode: WatchMode, encoder: WireEncoder) -> [UInt8]? {
        switch mode {
        case .all: return Self.joined(&run, for: mode, encoder: encoder, into: &all)
        case .board: return Self.joined(&run, for: mode, encoder: encoder, into: &board)
        case .alerts: return Self.joined(&run, for: mode, encoder: encoder, into: &alerts)
        case .mine, .none: return nil
        }
    }

    private static func joined(_ run: inout [OutgoingEvent], for mode: WatchMode, encoder: WireEncoder,
                               into slot: inout [UInt8]?) -> [UInt8] {
        if let bytes = slot { return bytes }
        var bytes: [UInt8] = []
        for i in run.indices where Hub.wants(mode, onBoard: run[i].onBoard, isAlert: run[i].isAlert, "", concerned: []) {
            bytes += run[i].bytes(encoder)
        }
        slot = bytes
        return bytes
    }
}

/// A durable event on its way to the watchers: encoded once, when a watcher first
/// wants it (a note no one watches is never encoded), with what the `WATCH` modes ask
/// of it worked out once (whom it concerns only when a `WATCH mine` connection first
/// asks).
struct OutgoingEvent {
    let event: Event
    private var encoded: [UInt8]?
    let audience: Audience
    let onBoard: Bool
    let isAlert: Bool
    var concerned: [String]?

    init(_ event: Event, audience: Audience) {
        self.event = event
        self.audience = audience
        onBoard = Hub.isOnBoard(event.change)
        isAlert = Hub.isAlert(event.change)
    }

    /// The event's line, encoded the first time it is asked for.
    mutating func bytes(_ encoder: WireEncoder) -> [UInt8] {
        if let encoded { return encoded }
        let bytes = encoder.event(event)
        encoded = bytes
        return bytes
    }
}
