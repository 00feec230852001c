import Foundation

/// The scorecard's tally in a snapshot: each day's counters and samples, and the open
/// work it waits on.
extension ScoreTally {
    func write(to w: inout SnapshotWriter) {
        w.array(days.keys.sorted()) { w, day in
            let tally = days[day]!
            w.localDate(day)
            w.bool(tally.closed)
            w.array(tally.counts.sorted { $0.key.sortKey < $1.key.sortKey }) { w, entry in
                w.int(Int(entry.key.counter.rawValue))
                w.optional(entry.key.person) { $0.string($1) }
                w.optional(entry.key.reason) { $0.string($1.rawValue) }
                w.int(entry.value)
            }
            w.array(tally.responses.sorted { $0.key < $1.key }) { w, entry in
                w.string(entry.key)
                w.array(entry.value) { $0.int(Int($1)) }
            }
        }
        w.array(awaitingResponse.sorted { $0.key < $1.key }) { w, entry in
            w.int(entry.key)
            w.date(entry.value.since)
            w.localDate(entry.value.day)
            w.date(entry.value.closes)
            w.bool(entry.value.duplicate)
        }
        w.array(awaitingFollowUp.sorted { $0.key < $1.key }) { w, entry in
            w.int(entry.key)
            w.localDate(entry.value.day)
            w.date(entry.value.sent)
            w.date(entry.value.deadline)
            w.optional(entry.value.owner) { $0.string($1) }
        }
        w.array(awaitingRescue.sorted { $0.key < $1.key }) { w, entry in
            w.int(entry.key)
            w.localDate(entry.value.day)
            w.string(entry.value.backup)
            w.date(entry.value.deadline)
        }
        w.array(openEstimates.sorted { $0.key < $1.key }) { w, entry in
            w.int(entry.key)
            w.localDate(entry.value)
        }
        w.optional(nextClose) { $0.date($1) }
    }

    init(snapshot r: inout SnapshotReader) throws(RecordError) {
        self.init()
        for _ in 0..<(try r.count()) {
            let day = try r.localDate()
            var tally = DayTally()
            tally.closed = try r.bool()
            for _ in 0..<(try r.count()) {
                guard let counter = Counter(rawValue: UInt8(clamping: try r.int())) else {
                    throw RecordError("the snapshot is damaged (an unknown scorecard counter)")
                }
                let person = try r.optional { r throws(RecordError) in try r.string() }
                let reason = try r.optional { r throws(RecordError) in try r.word(EscalationReason.self) }
                let n = try r.int()
                tally.counts[TallyKey(counter: counter, person: person, reason: reason)] = n
            }
            for _ in 0..<(try r.count()) {
                let person = try r.string()
                tally.responses[person] = try r.array { r throws(RecordError) in Int32(clamping: try r.int()) }
            }
            days[day] = tally
        }
        for _ in 0..<(try r.count()) {
            let id = try r.int()
            awaitingResponse[id] = Arrival(since: try r.date(), day: try r.localDate(), closes: try r.date(),
                                                    duplicate: try r.bool())
        }
        for _ in 0..<(try r.count()) {
            let id = try r.int()
            awaitingFollowUp[id] = SentEstimate(
                day: try r.localDate(), sent: try r.date(), deadline: try r.date(),
                owner: try r.optional { r throws(RecordError) in try r.string() })
        }
        for _ in 0..<(try r.count()) {
            let id = try r.int()
            awaitingRescue[id] = BackupAsk(day: try r.localDate(), backup: try r.string(), deadline: try r.date())
        }
        for _ in 0..<(try r.count()) {
            let id = try r.int()
            openEstimates[id] = try r.localDate()
        }
        nextClose = try r.optional { r throws(RecordError) in try r.date() }
    }
}

extension TallyKey {
    /// A stable order, so the same tally always writes the same bytes.
    var sortKey: String { "\(counter.rawValue)|\(person ?? "")|\(reason?.rawValue ?? "")" }
}

extension SnapshotWriter {
    mutating func localDate(_ day: LocalDate) {
        int(day.year)
        int(day.month)
        int(day.day)
    }
}

extension SnapshotReader {
    mutating func localDate() throws(RecordError) -> LocalDate {
        LocalDate(year: try int(), month: try int(), day: try int())
    }
}
