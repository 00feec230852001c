/// The board's leads, by id, each held in an immutable box, so the server's two boards
/// (speculative and durable) share every lead they agree on instead of each owning a
/// copy: copying the table copies pointers, and a lead that changes gets a new box in
/// the board that changed it. ``adopt(_:from:)`` lets the durable board take the
/// speculative board's box once they agree again, so a lead at rest is held once.
///
/// A closed lead may be out of memory, in a ``ClosedLeadStore``: the table keeps where
/// it lies, and reads it back when asked.
///
/// Sendable although its boxes, being managed buffers, cannot say so themselves: a box
/// is never changed after it is made, so sharing one between threads is safe.
public struct LeadTable: @unchecked Sendable, Equatable, Sequence {
    /// One lead, never changed once boxed. The lead is the header of a managed buffer
    /// (with no elements) rather than a stored property so that it can be lent by
    /// address: Swift copies a struct stored in a class out (here 360 bytes and a
    /// retain of every string in it) before handing it to a closure.
    public final class Box: ManagedBuffer<Lead, UInt8> {
        static func make(_ lead: Lead) -> Box {
            unsafeDowncast(Box.create(minimumCapacity: 0) { _ in lead }, to: Box.self)
        }

        var lead: Lead { header }

        /// Compares the two leads where they lie, without copying either out.
        func holdsSameLead(as other: Box) -> Bool {
            withUnsafeMutablePointerToHeader { mine in
                other.withUnsafeMutablePointerToHeader { theirs in mine.pointee == theirs.pointee }
            }
        }
    }

    /// A lead in memory, or where the store holds it, in eight-byte units: the slot
    /// takes eight bytes either way, as a box alone did (a full offset beside a box would
    /// make it sixteen for every lead, open ones included), and a lead out of memory
    /// takes nothing more. The store's records start at multiples of eight, so 32 bits
    /// reach 32 GiB.
    enum Slot {
        case resident(Box)
        case stored(UInt32)
    }

    /// The offsets a stored slot can name: multiples of eight below 32 GiB.
    public static func canStore(at offset: UInt64) -> Bool {
        offset % 8 == 0 && offset / 8 <= UInt64(UInt32.max)
    }

    private var slots = LeadIDMap<Slot>()
    /// Reads back leads held as ``Slot/stored``; nil keeps every lead in memory.
    public var store: (any ClosedLeadStore)?

    public init() {}

    public subscript(id: LeadID) -> Lead? {
        get {
            switch slots[id] {
            case .resident(let box)?: box.lead
            case .stored(let units)?: read(id, units)?.lead
            case nil: nil
            }
        }
        set { slots[id] = newValue.map { .resident(Box.make($0)) } }
    }

    /// Lead `id` read back from the store: nil when the record there is not that lead's.
    private func read(_ id: LeadID, _ units: UInt32) -> StoredLead? {
        guard let lead = store?.read(at: UInt64(units) * 8), lead.lead.id == id else { return nil }
        return lead
    }

    /// Calls `body` with the address of lead `id` where the table holds it, without
    /// copying it out (a `LIST` writes thousands of rows), and returns what it returns;
    /// nil when there is no such lead. An address, not the lead: Swift copies a lead
    /// handed to a closure (360 bytes and a retain of every string in it), where
    /// `lead.pointee.name` reads one field where it lies. A stored lead is read back
    /// first.
    @discardableResult
    public func withLead<R>(_ id: LeadID, _ body: (UnsafePointer<Lead>) -> R) -> R? {
        switch slots[id] {
        case .resident(let box)?:
            return box.withUnsafeMutablePointerToHeader { body(UnsafePointer($0)) }
        case .stored(let units)?:
            guard let lead = read(id, units)?.lead else { return nil }
            return withUnsafePointer(to: lead, body)
        case nil:
            return nil
        }
    }

    public var count: Int { slots.count }
    public var isEmpty: Bool { slots.count == 0 }
    /// The ids of every lead, ascending.
    public var keys: [LeadID] { slots.keys }
    /// Every lead, by ascending id, read one at a time (stored ones read back).
    public var values: some Sequence<Lead> { slots.entries.lazy.compactMap { lead(in: $0.value, id: $0.key) } }

    /// Every lead in memory (every open one, and closed ones not yet stored).
    public var residentValues: some Sequence<Lead> {
        slots.values.lazy.compactMap { slot -> Lead? in if case .resident(let box) = slot { box.lead } else { nil } }
    }

    private func lead(in slot: Slot, id: LeadID) -> Lead? {
        switch slot {
        case .resident(let box): box.lead
        case .stored(let units): read(id, units)?.lead
        }
    }

    /// Whether lead `id` is out of memory, in the store.
    public func isStored(_ id: LeadID) -> Bool {
        if case .stored? = slots[id] { true } else { false }
    }

    /// Where the store holds lead `id`, if it is out of memory.
    public func storedOffset(of id: LeadID) -> UInt64? {
        if case .stored(let units)? = slots[id] { UInt64(units) * 8 } else { nil }
    }

    /// Lead `id` as the store holds it, with its event numbers.
    func storedLead(_ id: LeadID) -> StoredLead? {
        guard case .stored(let units)? = slots[id] else { return nil }
        return read(id, units)
    }

    /// Lets go of lead `id`'s memory: it is in the store at `offset` (one ``canStore(at:)``).
    mutating func setStored(_ id: LeadID, at offset: UInt64) {
        precondition(Self.canStore(at: offset), "a stored lead's offset must be a multiple of 8 below 32 GiB")
        slots[id] = .stored(UInt32(offset / 8))
    }

    /// The box lead `id` is held in, when it is in memory.
    func box(of id: LeadID) -> Box? {
        if case .resident(let box)? = slots[id] { box } else { nil }
    }

    /// Takes `other`'s box for lead `id` when the two hold the same lead: one copy
    /// instead of two.
    public mutating func adopt(_ id: LeadID, from other: LeadTable) {
        guard let theirs = other.box(of: id), let mine = box(of: id), theirs !== mine, theirs.holdsSameLead(as: mine) else { return }
        slots[id] = .resident(theirs)
    }

    public func makeIterator() -> some IteratorProtocol<(key: LeadID, value: Lead)> {
        slots.entries.lazy.compactMap { entry in lead(in: entry.value, id: entry.key).map { (key: entry.key, value: $0) } }.makeIterator()
    }

    /// Calls `body` with the address of every lead where the table holds it, in no
    /// promised order: no lead in memory copied (see ``withLead(_:_:)``); a stored one
    /// read back.
    public func forEachLead(_ body: (UnsafePointer<Lead>) -> Void) {
        slots.forEachValue { id, slot in
            switch slot {
            case .resident(let box): box.withUnsafeMutablePointerToHeader { body(UnsafePointer($0)) }
            case .stored(let units): if let lead = read(id, units)?.lead { withUnsafePointer(to: lead, body) }
            }
        }
    }

    /// Calls `body` with the address of every lead in memory: every open lead is, so
    /// whatever looks only at open leads reads nothing back from the store.
    public func forEachResidentLead(_ body: (UnsafePointer<Lead>) -> Void) {
        slots.forEachValue { _, slot in
            if case .resident(let box) = slot { box.withUnsafeMutablePointerToHeader { body(UnsafePointer($0)) } }
        }
    }

    /// Calls `body` with the id of every lead out of memory, in no promised order.
    public func forEachStoredID(_ body: (LeadID) -> Void) {
        slots.forEachValue { id, slot in if case .stored = slot { body(id) } }
    }

    /// Calls `body` with every lead in memory and its box, in no promised order.
    func forEachResidentBox(_ body: (LeadID, Box) -> Void) {
        slots.forEachValue { id, slot in if case .resident(let box) = slot { body(id, box) } }
    }

    /// Calls `body` with every lead, without copying the table's list of them.
    public func forEach(_ body: (Lead) -> Void) {
        forEachLead { body($0.pointee) }
    }

    /// Two tables are equal when they hold the same leads, wherever each holds them.
    public static func == (a: LeadTable, b: LeadTable) -> Bool {
        guard a.slots.count == b.slots.count else { return false }
        var same = true
        a.slots.forEachValue { id, slot in
            guard same else { return }
            switch (slot, b.slots[id]) {
            case (.resident(let mine), .resident(let theirs)?):
                same = mine === theirs || mine.holdsSameLead(as: theirs)
            case (.stored(let mine), .stored(let theirs)?) where mine == theirs:
                break
            case (_, nil):
                same = false
            default:
                same = a[id] == b[id]
            }
        }
        return same
    }
}
