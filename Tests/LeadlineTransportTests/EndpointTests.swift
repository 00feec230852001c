import LeadlineTransport
import Testing

@Suite struct EndpointTests {
    func read(_ text: String) -> Endpoint? { Endpoint(text, defaultHost: "127.0.0.1", defaultPort: 7701) }

    @Test func readsTheWaysPeopleWriteAddresses() {
        #expect(read("shop.example.com:7801") == Endpoint(host: "shop.example.com", port: 7801))
        #expect(read("shop.example.com") == Endpoint(host: "shop.example.com", port: 7701))
        #expect(read(":7802") == Endpoint(host: "127.0.0.1", port: 7802))
        #expect(read("7803") == Endpoint(host: "127.0.0.1", port: 7803))
        #expect(read("[2001:db8::1]:7804") == Endpoint(host: "2001:db8::1", port: 7804))
        #expect(read("[::1]") == Endpoint(host: "::1", port: 7701))
        #expect(read("2001:db8::1") == Endpoint(host: "2001:db8::1", port: 7701), "a bare IPv6 address")
        #expect(read("0.0.0.0:0") == nil, "port 0 only for listeners")
        #expect(Endpoint("0.0.0.0:0", defaultHost: "", defaultPort: 1, allowsAnyPort: true) == Endpoint(host: "0.0.0.0", port: 0))
        #expect(read("shop:http") == nil)
        #expect(read("shop:99999") == nil)
        #expect(read("a b:1") == nil)
    }

    @Test func writesThemBack() {
        #expect(Endpoint(host: "2001:db8::1", port: 7701).description == "[2001:db8::1]:7701")
        #expect(Endpoint(host: "shop", port: 7700).description == "shop:7700")
        #expect(Endpoint.isNumericAddress("10.0.0.5") && Endpoint.isNumericAddress("::1"))
        #expect(!Endpoint.isNumericAddress("shop.example.com"))
    }
}
