import Foundation

/// Where each event's line starts in the journal, by sequence number: how history is
/// read back from disk (`SHOW`, `SINCE`) instead of being kept in memory.
///
/// Dense: one offset (8 bytes) per event. A `VOID` stand-in left by a repair covers
/// several numbers; they all point at its line.
public struct JournalIndex: Sendable {
    /// offsets[seq] is where event `seq`'s line starts (seq 0 is the header).
    private var offsets: [Int64] = [0]
    /// Where the next line will start: the journal's length once everything queued is written.
    public private(set) var end: Int64 = 0

    public init() {}

    /// The last sequence number indexed.
    public var lastSeq: UInt64 { UInt64(offsets.count - 1) }

    /// Records that the line of the event numbered `seq` (through `through` for a VOID)
    /// starts at `offset` and is `length` bytes long, LF included. A number recorded
    /// before (a write that failed, whose numbers are reused) is overwritten.
    public mutating func record(seq: UInt64, through: UInt64? = nil, offset: Int64, length: Int) {
        let last = Int(max(seq, through ?? seq))
        if offsets.count > Int(seq) { offsets.removeSubrange(Int(seq)...) }
        while offsets.count <= last { offsets.append(offset) }
        end = offset + Int64(length)
    }

    /// Sets where the next line will start (after a header, or a journal read to its end).
    public mutating func setEnd(_ end: Int64) {
        self.end = end
    }

    /// Where event `seq`'s line starts, and where the line after it starts.
    public func span(of seq: UInt64) -> Range<Int64>? {
        guard seq >= 1, Int(seq) < offsets.count else { return nil }
        let start = offsets[Int(seq)]
        var next = Int(seq) + 1
        while next < offsets.count && offsets[next] == start { next += 1 }
        return start..<(next < offsets.count ? offsets[next] : end)
    }

    /// The bytes from the line of `first` through the line of `last`.
    public func span(from first: UInt64, through last: UInt64) -> Range<Int64>? {
        guard let a = span(of: first), let b = span(of: last), a.lowerBound <= b.upperBound else { return nil }
        return a.lowerBound..<b.upperBound
    }

    /// The index read back from the offsets file: every offset, and where the next line starts.
    public init(offsets: [Int64], end: Int64) {
        self.offsets = offsets.isEmpty ? [0] : offsets
        self.end = end
    }

    /// The entries from number `first` through `last` (what a snapshot adds to the
    /// offsets file: those since the one before). A copy of just those: a slice would
    /// share the index's storage, and the next event recorded would copy all of it.
    public func entries(from first: Int, through last: UInt64) -> [Int64] {
        let end = min(Int(last) + 1, offsets.count)
        return Array(offsets[min(first, end)..<end])
    }
}
