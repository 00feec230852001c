import Foundation

/// ISO 8601 instants as Leadline writes and reads them, without Foundation formatters.
///
/// The wire shows the shop's local time with its offset (`2026-11-23T08:05:00-06:00`),
/// the journal stores UTC with milliseconds (`2026-11-23T14:05:00.000Z`); both read
/// back through ``parse(_:)``. Hand-written because it runs once per event on the hot
/// path, and `DateFormatter` is neither cheap nor `Sendable`.
public enum Timestamp {
    /// The most bytes one instant takes written out (a year of any size, seconds,
    /// milliseconds and an offset), so a writer can make room once.
    public static let maxWrittenBytes = 48

    /// `2026-11-23T08:05:00-06:00` in `zone` (`Z` when the offset is zero).
    public static func local(_ date: Date, in zone: TimeZone) -> String {
        let offsets = ZoneOffsets.of(zone)
        return written { writeLocal(date, in: offsets, at: $0) }
    }

    /// ``local(_:in:)`` written at `start`, which has room for ``maxWrittenBytes``;
    /// returns how many bytes it wrote. A protocol line writes its times this way,
    /// straight into its buffer: `LIST` writes two for each of thousands of rows.
    /// (A writer of many times keeps a ``LocalTimeWriter`` instead.)
    public static func writeLocal(_ date: Date, in zone: ZoneOffsets, at start: UnsafeMutablePointer<UInt8>) -> Int {
        var writer = LocalTimeWriter(zone)
        return writer.write(date, at: start)
    }

    /// `2026-11-23T14:05:00.123Z`: UTC with milliseconds, for the journal.
    public static func utc(_ date: Date) -> String {
        written { writeUTC(date, at: $0) }
    }

    /// ``utc(_:)`` written at `start`, which has room for ``maxWrittenBytes``; returns
    /// how many bytes it wrote (a journal line writes its times straight in).
    public static func writeUTC(_ date: Date, at start: UnsafeMutablePointer<UInt8>) -> Int {
        let millis = Int((date.timeIntervalSince1970 * 1000).rounded())
        let seconds = millis.floorDiv(1000)
        var w = DigitCursor(start)
        w.civil(seconds)
        w.put(0x2E)
        w.digits(millis - seconds * 1000, 3)
        w.put(0x5A)
        return w.count
    }

    /// The string `write` writes into a scratch buffer of ``maxWrittenBytes``.
    private static func written(_ write: (UnsafeMutablePointer<UInt8>) -> Int) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxWrittenBytes) { scratch in
            let count = write(scratch.baseAddress!)
            return String(decoding: UnsafeBufferPointer(rebasing: scratch[..<count]), as: UTF8.self)
        }
    }

    /// Rounds to the millisecond, the journal's precision, so that replayed state
    /// equals live state exactly.
    public static func truncatedToMillis(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000)
    }

    /// Reads `YYYY-MM-DDTHH:MM[:SS[.fff]]` followed by `Z` or `±HH:MM`.
    ///
    /// Also reads every year the writers can write: ISO 8601's expanded form, a sign
    /// and four or more digits (`-0001-12-31T...`, `+10000-01-01T...`), so that any
    /// instant written once reads back. Requests never get that far (``TimeBounds``).
    public static func parse(_ text: String) -> Date? {
        var p = Scanner(Array(text.utf8))
        guard let y = p.year(), p.take(0x2D), let mo = p.digits(2), p.take(0x2D), let d = p.digits(2),
              p.take(0x54) || p.take(0x74), let h = p.digits(2), p.take(0x3A), let mi = p.digits(2)
        else { return nil }
        var sec = 0
        var fraction = 0.0
        if p.take(0x3A) {
            guard let s = p.digits(2) else { return nil }
            sec = s
            if p.take(0x2E) {
                var scale = 0.1
                var any = false
                while let digit = p.digit() { fraction += Double(digit) * scale; scale /= 10; any = true }
                guard any else { return nil }
            }
        }
        guard (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, sec < 61 else { return nil }
        var offset = 0
        if p.take(0x5A) || p.take(0x7A) {
            offset = 0
        } else if let sign = p.peek(), sign == 0x2B || sign == 0x2D {
            p.index += 1
            guard let oh = p.digits(2), p.take(0x3A), let om = p.digits(2), oh < 24, om < 60 else { return nil }
            offset = (oh * 3600 + om * 60) * (sign == 0x2D ? -1 : 1)
        } else {
            return nil
        }
        guard p.atEnd else { return nil }
        let days = daysFromCivil(y, mo, d)
        let seconds = days * 86_400 + h * 3600 + mi * 60 + sec - offset
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    // MARK: - Civil calendar arithmetic (proleptic Gregorian, H. Hinnant's algorithms)

    /// Whether `year-month-day` names a day the calendar has (not the 30th of February):
    /// the day count of a date that does not exist names another one.
    public static func isCivilDate(_ year: Int, _ month: Int, _ day: Int) -> Bool {
        (1...12).contains(month) && (1...31).contains(day) && civilFromDays(daysFromCivil(year, month, day)) == (year, month, day)
    }

    /// Days since 1970-01-01 of a civil date.
    public static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date of a day count since 1970-01-01.
    public static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }
        var atEnd: Bool { index == bytes.count }
        func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }
        mutating func take(_ c: UInt8) -> Bool {
            guard peek() == c else { return false }
            index += 1
            return true
        }
        mutating func digit() -> Int? {
            guard let c = peek(), c >= 0x30, c <= 0x39 else { return nil }
            index += 1
            return Int(c - 0x30)
        }
        /// Four digits, or a sign and four or more (at most nine).
        mutating func year() -> Int? {
            guard let sign = peek(), sign == 0x2B || sign == 0x2D else { return digits(4) }
            index += 1
            var v = 0
            var count = 0
            while let d = digit() {
                guard count < 9 else { return nil }
                v = v * 10 + d
                count += 1
            }
            guard count >= 4 else { return nil }
            return sign == 0x2D ? -v : v
        }

        mutating func digits(_ n: Int) -> Int? {
            var v = 0
            for _ in 0..<n {
                guard let d = digit() else { return nil }
                v = v * 10 + d
            }
            return v
        }
    }
}

extension Int {
    /// Division rounding toward negative infinity.
    func floorDiv(_ d: Int) -> Int {
        let q = self / d
        return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
    }
}

/// Writes numbers and instants forward from a pointer, with no intermediate strings;
/// the caller has made room (``Timestamp/maxWrittenBytes`` for an instant, 20 bytes
/// for a number).
public struct DigitCursor {
    private let start: UnsafeMutablePointer<UInt8>
    public private(set) var count = 0

    public init(_ start: UnsafeMutablePointer<UInt8>) { self.start = start }

    mutating func put(_ byte: UInt8) {
        start[count] = byte
        count += 1
    }

    /// `n` in decimal, with a `-` when it is negative.
    public mutating func number(_ n: Int) {
        if n < 0 { put(0x2D) }
        digits(n.magnitude, 1)
    }

    /// `n` (not negative) in decimal, zero-padded to at least `width` digits.
    mutating func digits(_ n: Int, _ width: Int) {
        digits(n.magnitude, width)
    }

    private mutating func digits(_ n: UInt, _ width: Int) {
        var length = 1
        var rest = n / 10
        while rest > 0 { length += 1; rest /= 10 }
        for _ in length..<max(length, width) { put(0x30) }
        var v = n
        var i = count + length - 1
        while i >= count {
            start[i] = UInt8(truncatingIfNeeded: 0x30 + v % 10)
            v /= 10
            i -= 1
        }
        count += length
    }

    /// `YYYY-MM-DDTHH:MM:SS` of `seconds` since 1970 (already in the zone's local time).
    mutating func civil(_ seconds: Int) {
        let days = seconds.floorDiv(86_400)
        civil(Timestamp.civilFromDays(days), secondOfDay: seconds - days * 86_400)
    }

    /// `YYYY-MM-DDTHH:MM:SS` of a day's date and a second within it.
    mutating func civil(_ date: (year: Int, month: Int, day: Int), secondOfDay rest: Int) {
        year(date.year)
        put(0x2D)
        two(date.month)
        put(0x2D)
        two(date.day)
        put(0x54)
        two(rest / 3600)
        put(0x3A)
        two(rest % 3600 / 60)
        put(0x3A)
        two(rest % 60)
    }

    /// `Z` for UTC, else the offset as `±HH:MM`.
    mutating func offset(_ seconds: Int) {
        guard seconds != 0 else { return put(0x5A) }
        let minutes = abs(seconds) / 60
        put(seconds < 0 ? 0x2D : 0x2B)
        two(minutes / 60 % 100)
        put(0x3A)
        two(minutes % 60)
    }

    /// Two digits of `n` (0 to 99), with no length to work out first: a time writes five
    /// such pairs.
    private mutating func two(_ n: Int) {
        start[count] = UInt8(truncatingIfNeeded: 0x30 + n / 10)
        start[count + 1] = UInt8(truncatingIfNeeded: 0x30 + n % 10)
        count += 2
    }

    /// Four digits for the years 0 to 9999; otherwise ISO 8601's expanded form, with a
    /// sign (`-0001`, `+10000`), which ``Timestamp/parse(_:)`` reads back.
    private mutating func year(_ y: Int) {
        if (0...9999).contains(y) {
            two(y / 100)
            two(y % 100)
            return
        }
        put(y < 0 ? 0x2D : 0x2B)
        digits(y.magnitude, 4)
    }
}
