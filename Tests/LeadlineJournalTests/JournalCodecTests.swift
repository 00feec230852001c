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
            #expect(try JournalCodec.decode(bytes.dropLast()) == .event(event))
            // And it is ordinary JSON.
            let object = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
            #expect(object?["seq"] as? Int == Int(event.seq))
        }
    }

    @Test func theHeaderRoundTrips() throws {
        let header = JournalHeader.fresh(at: at)
        #expect(header.epoch.count == 12)
        #expect(try JournalCodec.decode(JournalCodec.encodeHeader(header).dropLast()) == .header(header))
    }

    @Test func damagedLinesAreRefused() {
        for text in [#"{"seq":1}"#, #"{"seq":1,"at":"x","type":"NOTED","lead":1}"#, #"{"seq":1,"at":"2026-11-23T14:05:00Z","type":"WHAT"}"#,
                     "not json", #"{"seq":"1","at":"2026-11-23T14:05:00Z","type":"NOTED","lead":1}"#] {
            #expect(throws: RecordError.self, "\(text)") { try JournalCodec.decode(Array(text.utf8)[...]) }
        }
    }
}
