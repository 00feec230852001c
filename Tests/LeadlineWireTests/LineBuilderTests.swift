import Foundation
import LeadlineCore
import LeadlineWire
import Testing

/// The builder writes into a buffer of its own through a pointer; these check what a
/// slip in its bookkeeping would break: growing, numbers, times, quoting, reuse.
@Suite struct LineBuilderTests {
    let chicago = TimeZone(identifier: "America/Chicago")!

    func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func growsFarPastItsFirstCapacity() {
        var b = LineBuilder(zone: chicago, capacity: 1)
        var expected = ""
        for i in 0..<5_000 {
            let value = i % 3 == 0 ? "two words \(i)" : "v\(i)"
            b.word(number: i)
            b.field(Field("k", value))
            b.endLine()
            expected += "\(i) k=\(i % 3 == 0 ? "\"\(value)\"" : value)\n"
        }
        #expect(b.count == expected.utf8.count)
        #expect(text(b.take()) == expected)
    }

    @Test func numbersOfEverySize() {
        var b = LineBuilder(zone: chicago)
        for n in [0, 7, 10, 99, 100, -1, -250, Int.max, Int.min] {
            b.word(number: n)
            b.field("n", number: n)
        }
        let expected = [0, 7, 10, 99, 100, -1, -250, Int.max, Int.min].map { "\($0) n=\($0)" }.joined(separator: " ")
        #expect(text(b.take()) == expected)
    }

    @Test func timesInTheZoneAndNone() {
        var b = LineBuilder(zone: chicago)
        b.field("due", time: Timestamp.parse("2026-07-04T17:30:09Z"))
        b.field("late", time: nil)
        b.field("far", time: Timestamp.parse("+10000-01-01T06:00:00Z"))
        #expect(text(b.take()) == "due=2026-07-04T12:30:09-05:00 late=none far=+10000-01-01T00:00:00-06:00")
    }

    @Test func longValuesThatMustBeQuoted() {
        let value = String(repeating: #"a "b" \c "#, count: 400)
        var b = LineBuilder(zone: chicago, capacity: 16)
        b.field("note", text: value)
        b.text("free text")
        let escaped = value.replacingOccurrences(of: #"\"#, with: #"\\"#).replacingOccurrences(of: #"""#, with: #"\""#)
        #expect(text(b.take()) == #"note=""# + escaped + #"" :free text"#)
    }

    @Test func takeLeavesItEmptyAndReadyForTheNextLine() {
        var b = LineBuilder(zone: chicago)
        b.word("OK"); b.word("PING"); b.endLine()
        #expect(text(b.take()) == "OK PING\n")
        #expect(b.count == 0)
        b.word("OK"); b.field("n", number: 1)
        #expect(text(b.take()) == "OK n=1")
    }
}

/// Values are checked for the bytes that need quotes eight at a time and copied in words;
/// these put each such byte at every place in values of every length around those
/// word sizes, and compare with the rule written plainly.
@Suite struct LineBuilderQuotingTests {
    /// The rule as the protocol states it: quoted when empty or holding a space, tab,
    /// quote or backslash, with quotes and backslashes escaped inside.
    static func expected(_ value: String) -> String {
        let special: Set<Character> = [" ", "\t", "\"", "\\"]
        guard value.isEmpty || value.contains(where: special.contains) else { return value }
        return "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    @Test func everyLengthWithEachSpecialByteAtEveryPlace() {
        // A small first capacity, so the buffer also grows under these values.
        var b = LineBuilder(zone: TimeZone(identifier: "UTC")!, capacity: 16)
        for length in 0...40 {
            let plain = String((0..<length).map { Character(UnicodeScalar(UInt8(0x61 + $0 % 26))) })
            var values = [plain]
            for place in 0..<length {
                for special in [" ", "\t", "\"", "\\", "é"] {
                    var chars = Array(plain)
                    chars[place] = Character(special)
                    values.append(String(chars))
                }
            }
            for value in values {
                b.field("v", text: value)
                let written = String(decoding: b.take(), as: UTF8.self)
                #expect(written == "v=" + Self.expected(value), "length \(length): \(value.debugDescription)")
            }
        }
    }

    @Test func wordsAreWrittenAsTheyAre() {
        var b = LineBuilder(zone: TimeZone(identifier: "UTC")!)
        b.field("status", word: "needs-callback")
        b.field("ack", word: "owed")
        #expect(String(decoding: b.take(), as: UTF8.self) == "status=needs-callback ack=owed")
    }
}
