import LeadlineCore
import LeadlineWire
import Testing

@Suite struct RequestDecoderTests {
    func decode(_ line: String) -> TaggedRequest? {
        guard case .success(let r)? = RequestDecoder.decode(line) else { return nil }
        return r
    }

    func error(_ line: String) -> RequestError? {
        guard case .failure(let e)? = RequestDecoder.decode(line) else { return nil }
        return e
    }

    /// Every verb the decoder builds (its switch over ``Verb`` is exhaustive) has
    /// exactly one entry in the catalog, which the parser and HELP read.
    @Test func everyVerbHasOneCatalogEntry() {
        let specs = VerbCatalog.verbs.map(\.verb)
        #expect(specs.count == Verb.allCases.count)
        #expect(Set(specs) == Set(Verb.allCases))
        for verb in Verb.allCases { #expect(VerbCatalog.spec(verb.rawValue)?.verb == verb) }
    }

    /// A byte-order mark before a request (some Windows tools write one) is not part of
    /// its verb: it was answered "unknown verb PING; did you mean PING?".
    @Test func aByteOrderMarkBeforeTheVerbIsSkipped() {
        #expect(decode("\u{FEFF}PING hello")?.request == .ping("hello"))
        #expect(RequestDecoder.decode("\u{FEFF}") == nil, "a mark alone is a blank line")
    }

    @Test func blankLinesAreIgnored() {
        #expect(RequestDecoder.decode("") == nil)
        #expect(RequestDecoder.decode("   \t ") == nil)
    }

    /// Blanks around the line and between its first words are spaces and tabs, in any
    /// number; text beyond them is kept as typed, accents and all.
    @Test func blanksAroundWordsAreSkipped() {
        #expect(decode(" \t CLAIM \t 42\t ")?.request == .command(.claim(42)))
        #expect(decode("\t@t1\t\tclaim 42")?.tag == "@t1")
        #expect(decode("NOTE 7 :café  crème\t")?.request == .command(.note(7, text: "café  crème")))
        #expect(error("ÇLAIM 42")?.error.message.hasPrefix("unknown verb ÇLAIM") == true)
    }

    /// `CLOCK ADVANCE` takes a time with a space as typed, or quoted like any other
    /// argument (PROTOCOL.md, times).
    @Test func aClockAdvanceMayBeQuoted() {
        let typed = decode("CLOCK ADVANCE tue 09:05")?.request
        #expect(typed == .clock(advance: .to(TimeSpec.parse("tue 09:05")!)))
        #expect(decode(#"CLOCK ADVANCE "tue 09:05""#)?.request == typed)
        #expect(decode("CLOCK ADVANCE 15m")?.request == .clock(advance: .by(900)))
        #expect(error(#"CLOCK ADVANCE """#)?.error.message.contains("CLOCK ADVANCE needs") == true)
    }

    @Test func verbsAreCaseInsensitive() {
        #expect(decode("claim 42")?.request == .command(.claim(42)))
        #expect(decode("Claim 42")?.verb == "CLAIM")
    }

    @Test func tagsComeFirst() {
        let r = decode("@a-1.x_y CLAIM 42")
        #expect(r?.tag == "@a-1.x_y")
        #expect(r?.request == .command(.claim(42)))
        #expect(error("@ CLAIM 42")?.error.code == .badSyntax)
        #expect(error("@bad!tag CLAIM 42")?.error.code == .badSyntax)
        #expect(error("@" + String(repeating: "a", count: 33) + " PING")?.error.code == .badSyntax)
        #expect(error("@t1")?.error.code == .badSyntax)
        #expect(error("@t1 CLAIM x")?.tag == "@t1")
    }

    @Test func unknownVerbsGetAHint() {
        let e = error("CLAM 42")
        #expect(e?.error.code == .unknown)
        #expect(e?.error.message.contains("did you mean CLAIM?") == true)
        #expect(error("XYZZY")?.error.message.contains("did you mean") == false)
    }

    @Test func newTakesKeyValuesAndQuotedStrings() {
        let r = decode(#"NEW kind=missed-call name="Jane \"JJ\" Roe" phone=555-0100 service="no heat" source=voicemail urgency=urgent :call after 5"#)
        guard case .command(.newLead(let lead))? = r?.request else {
            Issue.record("not a NEW")
            return
        }
        #expect(lead.kind == .missedCall)
        #expect(lead.name == #"Jane "JJ" Roe"#)
        #expect(lead.phone == "555-0100")
        #expect(lead.service == "no heat")
        #expect(lead.source == .voicemail)
        #expect(lead.urgency == .urgent)
        #expect(lead.note == "call after 5")
    }

    @Test func backslashesInQuotes() {
        guard case .command(.newLead(let lead))? = decode(#"NEW name="a\\b" phone=1234"#)?.request else {
            Issue.record("not a NEW")
            return
        }
        #expect(lead.name == #"a\b"#)
    }

    @Test func argumentErrorsNameTheArgument() {
        let cases: [(String, String)] = [
            ("CLAIM", "lead"),
            ("CLAIM abc", "lead"),
            ("CLAIM -4", "lead"),
            ("CLAIM 42 43", "43"),
            ("NEW kind=bogus phone=1", "kind"),
            ("NEW colour=red", "colour"),
            ("NEW phone=1 phone=2", "phone"),
            (#"NEW name="unterminated"#, "name"),
            (#"NEW name="x"y phone=1"#, "name"),
            ("NEW phone=555 extra", "extra"),
            ("ATTEMPT 42 call", "outcome"),
            ("ATTEMPT 42 phone no-answer", "channel"),
            ("ATTEMPT 42 call maybe", "outcome"),
            ("ATTEMPT 42 call no-answer next=someday", "next"),
            ("STATUS 42 pending", "status"),
            ("LIST everything", "filter"),
            ("WATCH tv", "mode"),
            ("SINCE yesterday", "seq"),
            ("KEEPALIVE 0.5", "seconds"),
            ("USER ADD maria", "role"),
            ("USER ADD maria role=boss", "role"),
            ("USER FIRE maria", "action"),
            ("USER list", "action"),
            ("IMPORT leads extra", "extra"),
            ("IMPORT leads strict oops", "oops"),
            ("EXPORT leads all from=2026-12-02 to=2026-12-01", "to"),
            ("EXPORT events from=2026-12-02 to=2026-12-01", "to"),
            ("LOGIN ana", "token"),
            ("NOTE 42", "text"),
            ("CLAIM 42 :why", "text"),
        ]
        for (line, argument) in cases {
            let e = error(line)
            #expect(e?.error.code == .invalid, "\(line)")
            #expect(e?.error.fields.first == Field("arg", argument), "\(line): \(e?.error.message ?? "-")")
        }
    }

    @Test func freeTextWithOrWithoutColon() {
        #expect(decode("NOTE 42 left voicemail, retry 3:30")?.request == .command(.note(42, text: "left voicemail, retry 3:30")))
        #expect(decode("NOTE 42 :left voicemail")?.request == .command(.note(42, text: "left voicemail")))
        #expect(decode("NOTE 42 price=1200 quoted")?.request == .command(.note(42, text: "price=1200 quoted")))
        #expect(decode("RELEASE 42 going to a job site")?.request == .command(.release(42, reason: "going to a job site")))
        #expect(decode("RELEASE 42")?.request == .command(.release(42, reason: nil)))
        #expect(decode("PING hello world")?.request == .ping("hello world"))
        #expect(decode("PING")?.request == .ping(nil))
    }

    @Test func attemptKeysThenNote() {
        let r = decode("ATTEMPT 42 call no-answer next=15:30 :left voicemail")
        #expect(r?.request == .command(.attempt(42, channel: .call, outcome: .noAnswer,
                                                next: TimeSpec.parse("15:30"), note: "left voicemail")))
        let bare = decode("ATTEMPT 42 text no-answer sent the usual text")
        #expect(bare?.request == .command(.attempt(42, channel: .text, outcome: .noAnswer, next: nil, note: "sent the usual text")))
        let quotedTime = decode(#"ATTEMPT 42 call connected next="thu 9am""#)
        #expect(quotedTime?.request == .command(.attempt(42, channel: .call, outcome: .connected,
                                                         next: TimeSpec.parse("thu 9am"), note: nil)))
    }

    @Test func statusWithProofs() {
        var expected = StatusRequest(lead: 42, status: .disqualified)
        expected.reason = "out of area"
        #expect(decode(#"STATUS 42 disqualified reason="out of area""#)?.request == .command(.setStatus(expected)))
        var booked = StatusRequest(lead: 42, status: .booked)
        booked.appointment = TimeSpec.parse("tomorrow 9am")
        booked.tech = "tess"
        booked.note = "bring the ladder"
        #expect(decode(#"STATUS 42 booked appt="tomorrow 9am" tech=tess bring the ladder"#)?.request == .command(.setStatus(booked)))
    }

    @Test func assignForms() {
        #expect(decode("ASSIGN 42 maria backup=devon")?.request == .command(.assign(42, owner: .person("maria"), backup: .person("devon"))))
        #expect(decode("ASSIGN 42 backup=devon")?.request == .command(.assign(42, owner: .keep, backup: .person("devon"))))
        #expect(decode("ASSIGN 42 none backup=none")?.request == .command(.assign(42, owner: .nobody, backup: .nobody)))
        #expect(decode("ASSIGN 42 Maria")?.request == .command(.assign(42, owner: .person("maria"), backup: .keep)))
    }

    /// `MERGE <duplicate> [into] <lead> [force]`: anything else is refused, naming the
    /// first word out of place.
    @Test func mergeForms() {
        #expect(decode("MERGE 43 into 42")?.request == .command(.merge(43, into: 42)))
        #expect(decode("MERGE 43 42")?.request == .command(.merge(43, into: 42)))
        #expect(decode("MERGE 43 INTO 42 Force")?.request == .command(.merge(43, into: 42, force: true)))
        #expect(decode("MERGE 43 42 force")?.request == .command(.merge(43, into: 42, force: true)))
        for (line, named) in [("MERGE 9 8 force extra", "extra"), ("MERGE 9 zzz 8", "lead"), ("MERGE 9 into 8 bogus", "bogus"),
                              ("MERGE 9 into", "target"), ("MERGE 9 8 8", "8")] {
            let refused = error(line)
            #expect(refused?.error.fields.first { $0.key == "arg" }?.value == .text(named), "\(line): \(String(describing: refused))")
        }
        #expect(error("MERGE 9 zzz 8")?.error.message.contains("\"zzz\"") == true)
    }

    @Test func sessionVerbs() {
        #expect(decode("LOGIN Maria s3cret")?.request == .login(name: "maria", token: "s3cret"))
        #expect(decode("LIST")?.request == .list(.open))
        #expect(decode("LIST mine")?.request == .list(.mine))
        #expect(decode("LIST open limit=50 after=3.1764512345000.42")?.request
                == .list(.open, after: ListPosition(cursor: "3.1764512345000.42"), limit: 50))
        #expect(decode("LIST closed after=c.7")?.request == .list(.closed, after: ListPosition(cursor: "c.7")))
        #expect(decode("WATCH")?.request == .watch(.board))
        #expect(decode("WATCH alerts")?.request == .watch(.alerts))
        #expect(decode("SINCE 1040")?.request == .since(1040))
        #expect(decode("KEEPALIVE 30")?.request == .keepalive(seconds: 30))
        #expect(decode("KEEPALIVE off")?.request == .keepalive(seconds: nil))
        #expect(decode("HELP claim")?.request == .help(topic: "CLAIM"))
        #expect(decode("QUIT")?.request == .quit)
        #expect(decode("WHO")?.request == .who)
        #expect(decode("SHOW 7")?.request == .show(7))
        #expect(decode("USER ADD maria role=csr")?.request == .addUser(name: "maria", role: .csr))
        #expect(decode("USER token maria")?.request == .issueToken(name: "maria"))
        #expect(decode("USER REMOVE maria")?.request == .removeUser(name: "maria"))
    }

    @Test func everyVerbHasHelpAndAnExampleThatParses() {
        for spec in VerbCatalog.verbs {
            let lines = HelpText.verb(spec)
            #expect(lines.first?.hasPrefix("usage: ") == true)
            for example in spec.examples where !example.contains("...") {
                #expect(decode(example) != nil, "example \(example) does not parse: \(error(example)?.error.message ?? "")")
            }
        }
        let overview = HelpText.overview().joined(separator: "\n")
        for spec in VerbCatalog.verbs { #expect(overview.contains(spec.name)) }
    }
}
