/// A closed lead as the store writes it: the lead as a snapshot writes it, then its
/// event numbers as steps. Pure bytes; the store's file adds each record's length and
/// checksum around them.
extension StoredLead {
    public func encoded() -> [UInt8] {
        var w = SnapshotWriter()
        lead.write(to: &w)
        var previous: UInt64 = 0
        w.array(history) { w, seq in
            w.uint(seq - previous)
            previous = seq
        }
        return w.bytes
    }

    public init(encoded bytes: [UInt8]) throws(RecordError) {
        var r = SnapshotReader(bytes, from: 0)
        lead = try Lead(snapshot: &r)
        var previous: UInt64 = 0
        history = try r.array { r throws(RecordError) in
            let (seq, overflow) = previous.addingReportingOverflow(try r.uint())
            guard !overflow, seq > previous else { throw RecordError("a stored lead's event numbers are out of order") }
            previous = seq
            return seq
        }
        guard r.atEnd else { throw RecordError("a stored lead has bytes after its end") }
    }
}

/// A closed lead in memory, ready for the store: its bytes, and what the boards need to
/// let go of it once they are written (``Board/letGo(of:store:)``).
public struct ClosedLeadToStore: @unchecked Sendable {
    public let id: LeadID
    public let bytes: [UInt8]
    let box: LeadTable.Box
    let historyCount: Int

    public func written(at offset: UInt64) -> ClosedLeadWritten {
        ClosedLeadWritten(id: id, offset: offset, box: box, historyCount: historyCount)
    }
}

extension Board {
    /// The closed leads still in memory, encoded for the store (by the snapshot thread,
    /// on its own value of the board). What the snapshot before took is already out of
    /// memory, so the cost is what closed since.
    public func closedLeadsToStore() -> [ClosedLeadToStore] {
        var out: [ClosedLeadToStore] = []
        leads.forEachResidentBox { id, box in
            guard !box.withUnsafeMutablePointerToHeader({ $0.pointee.isOpen }) else { return }
            let history = histories[id]?.all ?? []
            out.append(ClosedLeadToStore(id: id, bytes: StoredLead(lead: box.lead, history: history).encoded(),
                                         box: box, historyCount: history.count))
        }
        return out.sorted { $0.id < $1.id }
    }
}
