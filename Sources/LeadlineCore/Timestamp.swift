import Foundation

/// ISO 8601 instants as Leadline writes and reads them, without Foundation formatters.
///
/// The wire shows the shop's local time with its offset (`2026-11-23T08:05:00-06:00`),
/// the journal stores UTC with milliseconds (`2026-11-23T14:05:00.000Z`); both read
/// back through ``parse(_:)``. Hand-written because it runs once per event on the hot
/// path, and `DateFormatter` is neither cheap nor `Sendable`.
public enum Timestamp {
    /// `2026-11-23T08:05:00-06:00` in `zone` (`Z` when the offset is zero).
    public static func local(_ date: Date, in zone: TimeZone) -> String {
        var bytes: [UInt8] = []
        appendLocal(date, in: zone, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// ``local(_:in:)`` written straight into `bytes` (a protocol line being built).
    public static func appendLocal(_ date: Date, in zone: TimeZone, to bytes: inout [UInt8]) {
        let offset = zone.secondsFromGMT(for: date)
        appendCivil(Int(floor(date.timeIntervalSince1970)) + offset, to: &bytes)
        if offset == 0 {
            bytes.append(0x5A)
            return
        }
        let a = abs(offset) / 60
        bytes.append(offset < 0 ? 0x2D : 0x2B)
        appendDigits(a / 60, 2, to: &bytes)
        bytes.append(0x3A)
        appendDigits(a % 60, 2, to: &bytes)
    }

    /// `2026-11-23T14:05:00.123Z`: UTC with milliseconds, for the journal.
    public static func utc(_ date: Date) -> String {
        let millis = Int((date.timeIntervalSince1970 * 1000).rounded())
        let seconds = millis.floorDiv(1000)
        let ms = millis - seconds * 1000
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        appendCivil(seconds, to: &bytes)
        bytes.append(0x2E)
        appendDigits(ms, 3, to: &bytes)
        bytes.append(0x5A)
        return String(decoding: bytes, as: UTF8.self)
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

    /// `YYYY-MM-DDTHH:MM:SS`, written as bytes: it runs twice for every row of a `LIST`,
    /// so no intermediate strings.
    private static func appendCivil(_ seconds: Int, to bytes: inout [UInt8]) {
        let days = seconds.floorDiv(86_400)
        let rest = seconds - days * 86_400
        let (y, m, d) = civilFromDays(days)
        appendYear(y, to: &bytes)
        bytes.append(0x2D)
        appendDigits(m, 2, to: &bytes)
        bytes.append(0x2D)
        appendDigits(d, 2, to: &bytes)
        bytes.append(0x54)
        appendDigits(rest / 3600, 2, to: &bytes)
        bytes.append(0x3A)
        appendDigits(rest % 3600 / 60, 2, to: &bytes)
        bytes.append(0x3A)
        appendDigits(rest % 60, 2, to: &bytes)
    }

    /// Four digits for the years 0 to 9999; otherwise ISO 8601's expanded form, with a
    /// sign (`-0001`, `+10000`), which ``parse(_:)`` reads back.
    private static func appendYear(_ year: Int, to bytes: inout [UInt8]) {
        if !(0...9999).contains(year) { bytes.append(year < 0 ? 0x2D : 0x2B) }
        appendDigits(abs(year), 4, to: &bytes)
    }

    /// `n` (not negative) in decimal, zero-padded to at least `width` digits.
    private static func appendDigits(_ n: Int, _ width: Int, to bytes: inout [UInt8]) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var v = n
        withUnsafeMutableBytes(of: &digits) { buf in
            repeat {
                buf[count] = UInt8(truncatingIfNeeded: 0x30 + v % 10)
                v /= 10
                count += 1
            } while v > 0 && count < 20
        }
        for _ in count..<max(count, width) { bytes.append(0x30) }
        withUnsafeBytes(of: &digits) { buf in
            for i in stride(from: count - 1, through: 0, by: -1) { bytes.append(buf[i]) }
        }
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
