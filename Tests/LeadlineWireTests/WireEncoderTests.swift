import Foundation
import LeadlineCore
import LeadlineWire
import Testing

@Suite struct WireEncoderTests {
    let encoder = WireEncoder(zone: TimeZone(identifier: "America/Chicago")!)

    func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func okAndErrLines() {
        #expect(text(encoder.ok(tag: "@a1", verb: "CLAIM", fields: [Field("lead", 1), Field("seq", 7)])) == "@a1 OK CLAIM lead=1 seq=7\n")
        #expect(text(encoder.ok(tag: nil, verb: "PING", text: "hi there")) == "OK PING :hi there\n")
        let e = CommandError(.conflict, fields: [Field("lead", 1), Field("owner", "ana")], "lead 1 is already claimed by ana")
        #expect(text(encoder.error(tag: nil, e)) == "ERR CONFLICT lead=1 owner=ana :lead 1 is already claimed by ana\n")
    }

    @Test func valuesAreQuotedWhenTheyMustBe() {
        let line = text(encoder.data(tag: nil, "X", [Field("a", "plain"), Field("b", "two words"), Field("c", ""),
                                                    Field("d", #"say "hi""#), Field("e", #"back\slash"#)]))
        #expect(line == #"X a=plain b="two words" c="" d="say \"hi\"" e="back\\slash""# + "\n")
    }

    @Test func timesAreLocalWithOffset() {
        let at = Timestamp.parse("2026-11-23T14:05:00Z")!
        #expect(text(encoder.data(tag: nil, "X", [Field("due", at)])) == "X due=2026-11-23T08:05:00-06:00\n")
    }

    @Test func eventLines() {
        let at = Timestamp.parse("2026-11-23T14:05:00Z")!
        let event = Event(seq: 7, at: at, by: "ana", change: .claimed(Claim(lead: 1, owner: "ana")))
        #expect(text(encoder.event(event)) == "EVENT 7 CLAIMED lead=1 owner=ana by=ana at=2026-11-23T08:05:00-06:00\n")
        let note = Event(seq: 8, at: at, by: "ana", change: .noted(lead: 1, text: "left vm: retry 3:30"))
        #expect(text(encoder.history(tag: "@s", note)) == "@s HISTORY 8 NOTED lead=1 by=ana at=2026-11-23T08:05:00-06:00 :left vm: retry 3:30\n")
    }

    /// What the encoder writes, the decoder's scanner reads back.
    @Test func encodedValuesReadBack() throws {
        for value in ["plain", "two words", "", #"q"uote"#, #"b\ack"#, "tab\there", "café", "a=b"] {
            let line = text(encoder.data(tag: nil, "NEW", [Field("name", value)])).dropLast()
            var scanner = ArgumentScanner(line.dropFirst(4))
            #expect(try scanner.next() == .pair(key: "name", value: value))
        }
    }
}
