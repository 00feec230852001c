/// The board's leads, by id, each held in an immutable box, so the server's two boards
/// (speculative and durable) share every lead they agree on instead of each owning a
/// copy: copying the table copies pointers, and a lead that changes gets a new box in
/// the board that changed it. ``adopt(_:from:)`` lets the durable board take the
/// speculative board's box once they agree again, so a lead at rest is held once.
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

    private var boxes = LeadIDMap<Box>()

    public init() {}

    public subscript(id: LeadID) -> Lead? {
        get { boxes[id]?.lead }
        set { boxes[id] = newValue.map(Box.make) }
    }

    /// Calls `body` with the address of lead `id` where the table holds it, without
    /// copying it out (a `LIST` writes thousands of rows), and returns what it returns;
    /// nil when there is no such lead. An address, not the lead: Swift copies a lead
    /// handed to a closure (360 bytes and a retain of every string in it), where
    /// `lead.pointee.name` reads one field where it lies.
    @discardableResult
    public func withLead<R>(_ id: LeadID, _ body: (UnsafePointer<Lead>) -> R) -> R? {
        guard let box = boxes[id] else { return nil }
        return box.withUnsafeMutablePointerToHeader { body(UnsafePointer($0)) }
    }

    public var count: Int { boxes.count }
    public var isEmpty: Bool { boxes.count == 0 }
    /// The ids of every lead, ascending.
    public var keys: [LeadID] { boxes.keys }
    /// Every lead, by ascending id, read one at a time.
    public var values: some Sequence<Lead> { boxes.values.lazy.map(\.lead) }

    /// Takes `other`'s box for lead `id` when the two hold the same lead: one copy
    /// instead of two.
    public mutating func adopt(_ id: LeadID, from other: LeadTable) {
        guard let theirs = other.boxes[id], let mine = boxes[id], theirs !== mine, theirs.holdsSameLead(as: mine) else { return }
        boxes[id] = theirs
    }

    public func makeIterator() -> some IteratorProtocol<(key: LeadID, value: Lead)> {
        boxes.entries.lazy.map { (key: $0.key, value: $0.value.lead) }.makeIterator()
    }

    /// Calls `body` with the address of every lead where the table holds it, in no
    /// promised order: no lead copied (see ``withLead(_:_:)``).
    public func forEachLead(_ body: (UnsafePointer<Lead>) -> Void) {
        boxes.forEachValue { _, box in box.withUnsafeMutablePointerToHeader { body(UnsafePointer($0)) } }
    }

    /// Calls `body` with every lead, without copying the table's list of them.
    public func forEach(_ body: (Lead) -> Void) {
        boxes.forEachValue { _, box in body(box.lead) }
    }

    public static func == (a: LeadTable, b: LeadTable) -> Bool {
        guard a.boxes.count == b.boxes.count else { return false }
        var same = true
        a.boxes.forEachValue { id, box in
            if same, !(b.boxes[id].map { $0 === box || $0.holdsSameLead(as: box) } ?? false) { same = false }
        }
        return same
    }
}
