import LeadlineTransport
import Testing

@Suite struct ProxyHeaderTests {
    func parse(_ text: String) -> ProxyHeader { ProxyHeader.parse(Array(text.utf8)) }

    @Test func readsTheClientOfBothFamilies() {
        #expect(parse("PROXY TCP4 203.0.113.7 192.0.2.1 51234 7700\r\nLOGIN") ==
                .header(length: 45, client: Peer(address: "203.0.113.7", port: 51234)))
        #expect(parse("PROXY TCP6 2001:db8::42 2001:db8::1 40000 7701\r\n") ==
                .header(length: 48, client: Peer(address: "2001:db8::42", port: 40000)))
        #expect(parse("PROXY UNKNOWN\r\n") == .header(length: 15, client: nil))
        #expect(parse("PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n") == .header(length: 35, client: nil))
    }

    @Test func waitsForTheRestOfAHeaderAndPassesOtherBytes() {
        #expect(parse("") == .incomplete)
        #expect(parse("PRO") == .incomplete)
        #expect(parse("PROXY TCP4 203.0.113.7") == .incomplete)
        #expect(parse("PROXY TCP4 203.0.113.7 192.0.2.1 1 2\r") == .incomplete)
        #expect(parse("LOGIN ana x\n") == .absent)
        #expect(parse("\u{16}\u{03}\u{01}") == .absent, "a TLS hello")
        #expect(parse("PROD") == .absent)
    }

    @Test func refusesWhatIsNotAHeader() {
        for bad in ["PROXY TCP4 203.0.113.7 192.0.2.1 51234\r\n", "PROXY TCP4 2001:db8::1 192.0.2.1 1 2\r\n",
                    "PROXY TCP6 203.0.113.7 192.0.2.1 1 2\r\n", "PROXY UDP4 1.2.3.4 1.2.3.4 1 2\r\n",
                    "PROXY TCP4 1.2.3.4 1.2.3.4 1 70000\r\n", "PROXY TCP4 1.2.3.4 1.2.3.4 1 2\n", "PROXY TCP4 a b c d\r\n"] {
            guard case .malformed = parse(bad) else {
                Issue.record("accepted: \(bad.debugDescription)")
                continue
            }
        }
        guard case .malformed = parse("PROXY " + String(repeating: "9", count: 120)) else {
            Issue.record("no line break within 107 bytes must be refused")
            return
        }
    }
}
