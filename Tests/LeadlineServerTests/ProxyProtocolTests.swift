import Foundation
import LeadlineServer
import LeadlineTestSupport
import Testing

/// A shop that terminates TLS in HAProxy or stunnel still sees each technician's real
/// address: a PROXY v1 header from a trusted proxy names it, for logs, `WHO` and the
/// per-address limits. From anyone else, a header is refused.
@Suite struct ProxyProtocolTests {
    static let proxy = "127.0.0.2"

    static func server(_ configure: @escaping @Sendable (inout ServerConfiguration) -> Void = { _ in }) throws -> TestServer {
        try TestServer { config in
            config.trustedProxies = [Self.proxy]
            configure(&config)
        }
    }

    /// Through the proxy to the plaintext port, and to the TLS port (the header before
    /// the handshake, as HAProxy's `send-proxy` does in TCP mode).
    @Test func theRealAddressIsLoggedAndShownInWHO() throws {
        let server = try Self.server()
        let ana = try LineClient(port: server.port, from: Self.proxy)
        ana.sendRaw(Array("PROXY TCP4 203.0.113.7 192.0.2.1 51234 7700\r\n".utf8))
        #expect(ana.readLine()?.hasPrefix("HELLO ") == true)
        #expect(ana.reply("LOGIN ana \(server.tokens["ana"]!)") == "OK LOGIN user=ana role=csr")
        #expect(server.logLines.all.contains("203.0.113.7:51234 logged in as ana (csr)"))

        let tess = try LineClient(tlsPort: server.tlsPort!, from: Self.proxy,
                                  preamble: "PROXY TCP6 2001:db8::42 2001:db8::1 40000 7701\r\n")
        #expect(tess.readLine()?.hasPrefix("HELLO ") == true)
        #expect(tess.reply("LOGIN tess \(server.tokens["tess"]!)") == "OK LOGIN user=tess role=tech")

        let olive = try server.client("olive")
        let who = olive.request("WHO")
        #expect(who.contains("PERSON ana role=csr online=1 from=203.0.113.7 presence=here"), "\(who)")
        #expect(who.contains("PERSON tess role=tech online=1 from=2001:db8::42 presence=here"), "\(who)")
    }

    /// Limits count by the real address: two households behind one proxy each get their
    /// own share of waiting connections.
    @Test func perAddressLimitsCountTheRealAddress() throws {
        let server = try Self.server { $0.limits.maxUnauthenticatedPerAddress = 1 }
        func waiting(from address: String) throws -> LineClient {
            let c = try LineClient(port: server.port, from: Self.proxy)
            c.sendRaw(Array("PROXY TCP4 \(address) 192.0.2.1 5000 7700\r\n".utf8))
            #expect(c.readLine()?.hasPrefix("HELLO ") == true)
            return c
        }
        let first = try waiting(from: "198.51.100.1")
        let second = try waiting(from: "198.51.100.2")
        #expect(second.request("PING") == ["OK PING :"])
        #expect(first.request("PING") == ["OK PING :"], "a different address: both stay")
        _ = try waiting(from: "198.51.100.2")
        #expect(second.readLine()?.hasPrefix("BYE BUSY") == true, "the same address: its older connection makes room")
    }

    /// The proxy's own health check (`UNKNOWN`), or a connection from its host with no
    /// header at all, is served as coming from the proxy.
    @Test func unknownOrNoHeaderKeepsTheProxysAddress() throws {
        let server = try Self.server()
        let check = try LineClient(port: server.port, from: Self.proxy)
        check.sendRaw(Array("PROXY UNKNOWN\r\n".utf8))
        #expect(check.readLine()?.hasPrefix("HELLO ") == true)
        #expect(check.reply("LOGIN ben \(server.tokens["ben"]!)") == "OK LOGIN user=ben role=csr")
        let direct = try LineClient(port: server.port, from: Self.proxy)
        #expect(direct.readLine()?.hasPrefix("HELLO ") == true)
        #expect(direct.reply("LOGIN cara \(server.tokens["cara"]!)") == "OK LOGIN user=cara role=csr")
        #expect(server.logLines.all.contains { $0.hasPrefix("\(Self.proxy):") && $0.hasSuffix("logged in as ben (csr)") })
        #expect(server.logLines.all.contains { $0.hasPrefix("\(Self.proxy):") && $0.hasSuffix("logged in as cara (csr)") })
    }

    /// A header from an address that is not a trusted proxy is refused: anyone could
    /// otherwise claim any address.
    @Test func aHeaderFromAnyoneElseIsRefused() throws {
        let server = try Self.server()
        let spoofer = try server.client(over: .tcp)
        spoofer.sendRaw(Array("PROXY TCP4 10.9.9.9 192.0.2.1 5000 7700\r\n".utf8))
        #expect(spoofer.readLine() == "BYE PROXY :PROXY headers are taken only from the proxies the server trusts (--proxy-from)")
        #expect(eventually { server.logLines.all.contains { $0.contains("sent a PROXY header but is not a trusted proxy") } })
    }

    /// The proxy's host sent its header after the grace second: it is told the header
    /// came late (not that it is not trusted), and the connection closes.
    @Test func aLateHeaderFromTheProxyIsToldItIsLate() throws {
        let server = try Self.server()
        let late = try LineClient(port: server.port, from: Self.proxy)
        #expect(late.readLine(timeout: 5)?.hasPrefix("HELLO ") == true, "taken as direct after the grace second")
        late.sendRaw(Array("PROXY TCP4 203.0.113.7 192.0.2.1 51234 7700\r\n".utf8))
        #expect(late.readLine() == "BYE PROXY :a PROXY header is taken only as the connection's first bytes, within 1 second; this one came late, or twice")
        #expect(eventually { server.logLines.all.contains { $0.contains("sent a PROXY line after its connection was taken") } })
    }

    /// A malformed header from the proxy closes that connection with a log line.
    @Test func aMalformedHeaderIsClosed() throws {
        let server = try Self.server()
        let broken = try LineClient(port: server.port, from: Self.proxy)
        broken.sendRaw(Array("PROXY TCP4 not-an-address 192.0.2.1 5000 7700\r\n".utf8))
        #expect(broken.readLine() == nil && broken.sawEndOfStream)
        #expect(eventually { server.logLines.all.contains { $0.contains("a malformed PROXY header") } })
    }
}
