import LeadlineCore
import LeadlineWire
import Testing

@Suite struct ServerLineTests {
    @Test func readsEveryKindOfLine() {
        #expect(ServerLine.parse("HELLO leadline version=0.1.0 proto=1 epoch=9a69 max-line=4096 :hint")
            == .hello(name: "leadline", fields: WireFields([("version", "0.1.0"), ("proto", "1"), ("epoch", "9a69"), ("max-line", "4096")]), text: "hint"))
        #expect(ServerLine.parse("@t1 OK CLAIM lead=1 owner=ana seq=10")
            == .ok(tag: "@t1", verb: "CLAIM", fields: WireFields([("lead", "1"), ("owner", "ana"), ("seq", "10")]), text: nil))
        #expect(ServerLine.parse("ERR CONFLICT lead=1 owner=ana :lead 1 is already claimed by ana")
            == .err(tag: nil, code: "CONFLICT", fields: WireFields([("lead", "1"), ("owner", "ana")]), message: "lead 1 is already claimed by ana"))
        let event = ServerLine.parse(#"EVENT 9 CREATED lead=1 name="Jane Roe" due=none by=dora at=2026-11-23T08:00:00-06:00 :call after 5"#)
        guard case .event(nil, 9, "CREATED", let f, "call after 5") = event else {
            Issue.record("\(event)")
            return
        }
        #expect(f["name"] == "Jane Roe")
        #expect(f.value("due") == nil)
        #expect(f["due"] == "none")
        #expect(ServerLine.parse("@s EVENT 3 NOTED lead=1 by=ana at=x :hi").tag == "@s")
        #expect(ServerLine.parse("PING 4") == .ping("4"))
        #expect(ServerLine.parse("BYE SLOW :too slow") == .bye(code: "SLOW", text: "too slow"))
        #expect(ServerLine.parse("BYE :goodbye") == .bye(code: nil, text: "goodbye"))
        guard case .data("@x", "LEAD", ["42"], let lead, nil) = ServerLine.parse("@x LEAD 42 status=booked") else {
            Issue.record("LEAD row")
            return
        }
        #expect(lead["status"] == "booked")
    }

    /// What the encoder writes, the client's parser reads back.
    @Test func readsWhatTheServerWrites() {
        let encoder = WireEncoder(zone: .gmt)
        let fields = [Field("role", "csr"), Field("note", #"say "hi" \ bye"#)]
        let line = String(decoding: encoder.data(tag: "@t", "PERSON ana", fields, text: "away: in the field").dropLast(), as: UTF8.self)
        guard case .data("@t", "PERSON", ["ana"], let f, "away: in the field") = ServerLine.parse(line) else {
            Issue.record("\(line)")
            return
        }
        #expect(f["note"] == #"say "hi" \ bye"#)
    }
}
