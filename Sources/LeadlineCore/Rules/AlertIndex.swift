import Foundation

/// When each open lead's next alert can fall due, kept in order, so the SOP clock looks
/// only at the leads whose time has come instead of every open lead.
///
/// An indexed binary min-heap on (time, lead): setting or removing a lead's time costs
/// O(log n); the leads due by a moment are found by walking only the part of the heap
/// at or before it. The board updates a lead's entry whenever an event touches it.
///
/// The index is derived from the leads, a cache: two indexes are equal when they hold
/// the same times, whatever the heap's layout (a replayed board equals the live one).
public struct AlertIndex: Sendable {
    private struct Entry: Sendable {
        var fire: Date
        var lead: LeadID
        func precedes(_ other: Entry) -> Bool { (fire, lead) < (other.fire, other.lead) }
    }

    private var heap: [Entry] = []
    private var position = LeadIDMap<Int>()

    public init() {}

    public var count: Int { heap.count }

    /// The time indexed for `lead`, if any.
    public func fire(of lead: LeadID) -> Date? {
        position[lead].map { heap[$0].fire }
    }

    /// Sets (or, with nil, removes) when `lead`'s next alert can fall due.
    public mutating func set(_ lead: LeadID, _ fire: Date?) {
        guard let fire else {
            remove(lead)
            return
        }
        if let i = position[lead] {
            let old = heap[i].fire
            guard old != fire else { return }
            heap[i].fire = fire
            if fire < old { siftUp(i) } else { siftDown(i) }
        } else {
            heap.append(Entry(fire: fire, lead: lead))
            position[lead] = heap.count - 1
            siftUp(heap.count - 1)
        }
    }

    public mutating func remove(_ lead: LeadID) {
        guard let i = position[lead] else { return }
        position[lead] = nil
        let last = heap.removeLast()
        guard i < heap.count else { return }
        heap[i] = last
        position[last.lead] = i
        siftDown(i)
        siftUp(i)
    }

    /// The leads whose indexed time is at or before `t` (in no particular order), and the
    /// earliest indexed time after `t`. Costs what it returns, not the size of the index.
    public func split(at t: Date) -> (due: [LeadID], nextAfter: Date?) {
        var due: [LeadID] = []
        var next: Date?
        var stack = heap.isEmpty ? [] : [0]
        while let i = stack.popLast() {
            let entry = heap[i]
            if entry.fire > t {
                // Everything below is later still: only this one can be the next.
                if next.map({ entry.fire < $0 }) ?? true { next = entry.fire }
                continue
            }
            due.append(entry.lead)
            let left = 2 * i + 1
            if left < heap.count { stack.append(left) }
            if left + 1 < heap.count { stack.append(left + 1) }
        }
        return (due, next)
    }

    private mutating func siftUp(_ start: Int) {
        var i = start
        while i > 0 {
            let parent = (i - 1) / 2
            guard heap[i].precedes(heap[parent]) else { break }
            swapAt(i, parent)
            i = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var i = start
        while true {
            var smallest = i
            let left = 2 * i + 1
            if left < heap.count && heap[left].precedes(heap[smallest]) { smallest = left }
            if left + 1 < heap.count && heap[left + 1].precedes(heap[smallest]) { smallest = left + 1 }
            guard smallest != i else { return }
            swapAt(i, smallest)
            i = smallest
        }
    }

    private mutating func swapAt(_ a: Int, _ b: Int) {
        heap.swapAt(a, b)
        position[heap[a].lead] = a
        position[heap[b].lead] = b
    }
}

extension AlertIndex: Equatable {
    public static func == (lhs: AlertIndex, rhs: AlertIndex) -> Bool {
        lhs.heap.count == rhs.heap.count && lhs.heap.allSatisfy { rhs.fire(of: $0.lead) == $0.fire }
    }
}

/// What a lead's alerts depend on; when an event leaves it as it was (a note), the
/// lead's entry in the ``AlertIndex`` stands and nothing is recomputed.
struct AlertState: Equatable {
    let open: Bool
    let kind: LeadKind
    let status: LeadStatus
    let owner: String?
    let backup: String?
    let due: Date?
    let late: Date?
    let unownedSince: Date?
    let noStepSince: Date?
    let raised: [AlertKind: Date]
    let backupAskedAt: Date?
    let appointment: Appointment?
    let outcomeChasedFor: Date?

    init(_ lead: Lead) {
        open = lead.isOpen
        kind = lead.kind
        status = lead.status
        owner = lead.owner
        backup = lead.backup
        due = lead.due
        late = lead.late
        unownedSince = lead.unownedSince
        noStepSince = lead.noStepSince
        raised = lead.raised
        backupAskedAt = lead.backupAskedAt
        appointment = lead.appointment
        outcomeChasedFor = lead.outcomeChasedFor
    }
}
