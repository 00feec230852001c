import Foundation
import LeadlineCore
import LeadlineJournal
import Testing

@Suite struct JournalCodecTests {
    let at = Timestamp.parse("2026-11-23T14:05:00.250Z")!

    @Test func eventsRoundTrip() throws {
        let events = [
            Event(seq: 1, at: at, by: nil, change: .personSaved(Person(name: "ana", role: .csr, tokenHash: "$y$j75$x"))),
            Event(seq: 2, at: at, by: "ana", change: .created(Intake(
                lead: 1, kind: .missedCall, source: .voicemail, urgency: .urgent, name: "Jane \"JJ\" Roe",
                phone: "555-0100", service: "no heat\nreally", due: at.addingTimeInterval(300), note: "café"))),
            Event(seq: 3, at: at, by: "ana", change: .claimed(Claim(lead: 1, owner: "ana")), tag: "@a1",
                  reply: "OK CLAIM lead=1 owner=ana seq=3"),
        ]
        for event in events {
            let bytes = JournalCodec.encode(event)
            #expect(bytes.last == 0x0A)
            #expect(!bytes.dropLast().contains(0x0A))
            #expect(try JournalCodec.decode(bytes.dropLast()) == JournalCodec.Decoded(line: .event(event), checksummed: true))
            // And it is ordinary JSON.
            let object = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
            #expect(object?["seq"] as? Int == Int(event.seq))
        }
    }

    @Test func theHeaderRoundTrips() throws {
        let header = JournalHeader.fresh(at: at)
        #expect(header.epoch.count == 12)
        #expect(try JournalCodec.decode(JournalCodec.encodeHeader(header).dropLast()).line == .header(header))
    }

    /// Every line ends in the CRC-32 of the bytes before `,"crc":`; a changed letter is caught.
    @Test func aChangedLetterFailsTheChecksum() throws {
        let event = Event(seq: 4, at: at, by: "ana", change: .noted(lead: 1, text: "spoke with homeowner"))
        let bytes = JournalCodec.encode(event)
        #expect(String(decoding: bytes, as: UTF8.self).hasSuffix(#""crc":""# + String(decoding: bytes.suffix(11).prefix(8), as: UTF8.self) + "\"}\n"))
        var changed = bytes
        let index = changed.firstIndex(of: UInt8(ascii: "h"))!
        changed[index] = UInt8(ascii: "H")
        #expect(throws: RecordError("its checksum does not match: the line was changed after it was written")) {
            try JournalCodec.decode(changed.dropLast())
        }
    }

    /// Lines of format version 1 carry no checksum and still read.
    @Test func linesWithoutAChecksumStillRead() throws {
        let line = #"{"seq":4,"at":"2026-11-23T14:05:00.250Z","type":"NOTED","by":"ana","lead":1,"text":"old line"}"#
        let decoded = try JournalCodec.decode(Array(line.utf8)[...])
        #expect(!decoded.checksummed)
        #expect(decoded.line == .event(Event(seq: 4, at: at, by: "ana", change: .noted(lead: 1, text: "old line"))))
        let header = #"{"seq":0,"at":"2026-11-23T14:05:00.250Z","type":"JOURNAL","version":1,"epoch":"0123456789ab"}"#
        #expect(try JournalCodec.decode(Array(header.utf8)[...]).line == .header(JournalHeader(epoch: "0123456789ab", created: at, version: 1)))
    }

    /// A `crc` key anywhere but last is not a checksum, and is refused.
    @Test func aChecksumKeyMustComeLast() {
        let line = #"{"seq":4,"crc":"00000000","at":"2026-11-23T14:05:00.250Z","type":"NOTED","by":"ana","lead":1,"text":"x"}"#
        #expect(throws: RecordError.self) { try JournalCodec.decode(Array(line.utf8)[...]) }
    }

    @Test func damagedLinesAreRefused() {
        for text in [#"{"seq":1}"#, #"{"seq":1,"at":"x","type":"NOTED","lead":1}"#, #"{"seq":1,"at":"2026-11-23T14:05:00Z","type":"WHAT"}"#,
                     "not json", #"{"seq":"1","at":"2026-11-23T14:05:00Z","type":"NOTED","lead":1}"#] {
            #expect(throws: RecordError.self, "\(text)") { try JournalCodec.decode(Array(text.utf8)[...]) }
        }
    }
}
