import Foundation
import LeadlineCore

/// Writes protocol lines straight into bytes: words, `key=value` fields (quoted when
/// they need it), and ` :free text`.
///
/// Times are written in the shop's zone with their offset, so a person reads local
/// time and a program still has an exact instant.
///
/// The bytes live in a buffer of the builder's own, written through a pointer: room is
/// made once per piece (a word, a field, a time) and the piece is then stored byte by
/// byte with no check, where an array would check its capacity and uniqueness for
/// every byte. `LIST` writes a dozen fields on each of thousands of rows this way. The
/// builder cannot be copied (two copies would share the buffer); ``take()`` hands the
/// bytes over as an array.
public struct LineBuilder: ~Copyable {
    /// Writes times in the shop's zone (its offsets tabled: ``ZoneOffsets``).
    private var times: LocalTimeWriter
    public var offsets: ZoneOffsets { times.offsets }
    public var zone: TimeZone { offsets.zone }
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// How many bytes are written.
    public private(set) var count = 0
    private var lineStart = true

    public init(offsets: ZoneOffsets, capacity: Int = 160) {
        times = LocalTimeWriter(offsets)
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    /// A builder for `zone`, with the zone's shared table.
    public init(zone: TimeZone, capacity: Int = 160) {
        self.init(offsets: .of(zone), capacity: capacity)
    }

    deinit { base.deallocate() }

    /// Hands the bytes written over to the caller, leaving the builder empty (its
    /// buffer kept for what is written next).
    public mutating func take() -> [UInt8] {
        let written = [UInt8](UnsafeBufferPointer(start: base, count: count))
        count = 0
        lineStart = true
        return written
    }

    public mutating func tag(_ tag: String?) {
        if let tag { word(tag) }
    }

    public mutating func word(_ w: String) {
        separate()
        raw(w)
    }

    /// A number as a word (a lead's id after `LEAD`).
    public mutating func word(number n: Int) {
        separate()
        number(n)
    }

    public mutating func field(_ f: Field) {
        separate()
        raw(f.key)
        put(0x3D)
        switch f.value {
        case .text(let s): value(s)
        case .number(let n): number(n)
        case .time(let d): time(d)
        }
    }

    public mutating func fields(_ fs: [Field]) {
        for f in fs { field(f) }
    }

    // Fields written straight from values, with no `Field` made: for rows written by
    // the thousand (`LIST`).

    /// `key=text`, quoted when it needs it.
    public mutating func field(_ key: StaticString, text: String) {
        writeKey(key)
        value(text)
    }

    /// `key=word`, for a word that never needs quotes: one of the protocol's own
    /// (a status, a kind), not anything a person typed.
    public mutating func field(_ key: StaticString, word: String) {
        assert(!word.isEmpty && !word.withUTF8Bytes { ByteScan.holdsAny(of: Self.needQuotes, in: $0) },
               "\(word) is not a word: write it with field(_:text:)")
        writeKey(key)
        raw(word)
    }

    public mutating func field(_ key: StaticString, number n: Int) {
        writeKey(key)
        number(n)
    }

    /// `key=<time>`, or `key=none`.
    public mutating func field(_ key: StaticString, time: Date?) {
        writeKey(key)
        if let time { self.time(time) } else { raw("none") }
    }

    /// Free text, after ` :`.
    public mutating func text(_ t: String?) {
        guard let t else { return }
        separate()
        put(0x3A)
        raw(t)
    }

    public mutating func endLine() {
        put(0x0A)
        lineStart = true
    }

    // MARK: - Pieces

    /// ` key=` (no space first on a line), room made once for all of it. Inlined, as are
    /// the buffer's small helpers below: a `LIST` row writes twenty of these pieces, and
    /// a call for each was a tenth of its CPU.
    @inline(__always)
    private mutating func writeKey(_ key: StaticString) {
        key.withUTF8Buffer { key in
            reserve(key.count + 2)
            if !lineStart {
                base[count] = 0x20
                count += 1
            }
            lineStart = false
            store(key)
            base[count] = 0x3D
            count += 1
        }
    }

    @inline(__always)
    private mutating func separate() {
        if !lineStart { put(0x20) }
        lineStart = false
    }

    private mutating func number(_ n: Int) {
        reserve(20)
        var digits = DigitCursor(base + count)
        digits.number(n)
        count += digits.count
    }

    private mutating func time(_ date: Date) {
        reserve(Timestamp.maxWrittenBytes)
        count += times.write(date, at: base + count)
    }

    /// A string's bytes as they are.
    private mutating func raw(_ s: String) {
        s.withUTF8Bytes { copy($0) }
    }

    /// A value as it is, or in quotes (with `"` and `\` escaped) when it is empty or
    /// holds a space, tab, quote or backslash. One pass over the string's own bytes.
    private mutating func value(_ s: String) {
        s.withUTF8Bytes { value(utf8: $0) }
    }

    private mutating func value(utf8: UnsafeBufferPointer<UInt8>) {
        guard utf8.isEmpty || ByteScan.holdsAny(of: Self.needQuotes, in: utf8) else {
            copy(utf8)
            return
        }
        guard ByteScan.holdsAny(of: Self.needEscapes, in: utf8) else {
            // Quoted as it is, in one copy: the usual case (`name="Ana Ruiz"`).
            reserve(utf8.count + 2)
            base[count] = 0x22
            count += 1
            store(utf8)
            base[count] = 0x22
            count += 1
            return
        }
        reserve(utf8.count * 2 + 2)
        base[count] = 0x22
        count += 1
        for c in utf8 {
            if c == 0x22 || c == 0x5C {
                base[count] = 0x5C
                count += 1
            }
            base[count] = c
            count += 1
        }
        base[count] = 0x22
        count += 1
    }

    /// Bytes that make a value need quotes: a space, a tab, a quote, a backslash.
    private static var needQuotes: ByteScan.Set { ByteScan.Set(0x20, 0x09, 0x22, 0x5C) }
    /// Bytes escaped inside quotes.
    private static var needEscapes: ByteScan.Set { ByteScan.Set(0x22, 0x5C) }

    // MARK: - The buffer

    @inline(__always)
    private mutating func put(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    /// `bytes`, with room made for `extra` more after them.
    @inline(__always)
    private mutating func copy(_ bytes: UnsafeBufferPointer<UInt8>, extra: Int = 0) {
        reserve(bytes.count + extra)
        store(bytes)
    }

    /// `bytes` where room is already made.
    ///
    /// Most pieces are short (a key, a name, a phone number): 4 to 16 bytes go as two
    /// overlapping words (of 8 bytes, or of 4 below 8) rather than through a call to
    /// `memmove`, which costs more than the copy at that size.
    @inline(__always)
    private mutating func store(_ bytes: UnsafeBufferPointer<UInt8>) {
        let n = bytes.count
        guard let from = bytes.baseAddress else { return }
        let to = base + count
        if n >= 8 && n <= 16 {
            let raw = UnsafeRawPointer(from), out = UnsafeMutableRawPointer(to)
            let head = raw.loadUnaligned(as: UInt64.self)
            let tail = raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
            out.storeBytes(of: head, as: UInt64.self)
            out.storeBytes(of: tail, toByteOffset: n - 8, as: UInt64.self)
        } else if n >= 4 && n < 8 {
            let raw = UnsafeRawPointer(from), out = UnsafeMutableRawPointer(to)
            let head = raw.loadUnaligned(as: UInt32.self)
            let tail = raw.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
            out.storeBytes(of: head, as: UInt32.self)
            out.storeBytes(of: tail, toByteOffset: n - 4, as: UInt32.self)
        } else if n < 4 {
            for i in 0..<n { to[i] = from[i] }
        } else {
            to.initialize(from: from, count: n)
        }
        count += n
    }

    /// Makes room for `n` more bytes, doubling the buffer when it must grow.
    @inline(__always)
    private mutating func reserve(_ n: Int) {
        if count + n > capacity { grow(toHold: n) }
    }

    @inline(never)
    private mutating func grow(toHold n: Int) {
        let grown = max(capacity * 2, count + n)
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        moved.initialize(from: base, count: count)
        base.deallocate()
        base = moved
        capacity = grown
    }
}
