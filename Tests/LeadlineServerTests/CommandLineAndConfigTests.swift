import Foundation
import LeadlineCore
import LeadlineServer
import Testing

@Suite struct CommandLineTests {
    /// One period for an offline report: two given is pointed out, not chosen between.
    @Test func anOfflineReportTakesOnePeriod() {
        for arguments in [["report", "--week", "2026-11-23", "--day", "2026-11-23"], ["report", "day", "today", "--week", "2026-11-23"],
                          ["report", "--to", "2026-11-23"]] {
            guard case .failure(let error) = ServerCommandLine.parse(arguments) else {
                Issue.record("accepted \(arguments)")
                continue
            }
            #expect("\(error)".contains("one period at a time") || "\(error)".contains("--to goes with --from"), "\(error)")
        }
        #expect((try? ServerCommandLine.parse(["report", "--from", "2026-11-23", "--to", "2026-11-24"]).get()) != nil)
    }

    @Test func serveOptions() throws {
        var expected = ServeOptions()
        expected.host = "0.0.0.0"
        expected.port = 7800
        expected.data = "/var/lib/leadline"
        expected.config = "shop.json"
        let parsed = try ServerCommandLine.parse(["--host", "0.0.0.0", "--port=7800", "--data", "/var/lib/leadline", "--config", "shop.json"]).get()
        #expect(parsed == .serve(expected))
        #expect(try ServerCommandLine.parse([]).get() == .serve(ServeOptions()))
        #expect(try ServerCommandLine.parse(["--help"]).get() == .help)
        #expect(try ServerCommandLine.parse(["--version"]).get() == .version)
    }

    /// TLS and proxy flags, laid over the config file's settings.
    @Test func tlsAndProxyOptions() throws {
        guard case .serve(let options) = try ServerCommandLine.parse([
            "--tls-listen", "0.0.0.0:7711", "--tls-cert", "/etc/le/fullchain.pem", "--tls-key=/etc/le/privkey.pem",
            "--proxy-from", "127.0.0.1, 10.0.0.5",
        ]).get() else {
            Issue.record("not a serve")
            return
        }
        var config = ServerConfiguration()
        try options.applyListeners(to: &config)
        #expect(config.tls == TLSSettings(host: "0.0.0.0", port: 7711, certificate: "/etc/le/fullchain.pem", key: "/etc/le/privkey.pem"))
        #expect(config.trustedProxies == ["127.0.0.1", "10.0.0.5"])
        // The default TLS port, and a self-signed certificate when none is named.
        guard case .serve(let bare) = try ServerCommandLine.parse(["--tls-listen", "shop.local"]).get() else { return }
        var plain = ServerConfiguration()
        try bare.applyListeners(to: &plain)
        #expect(plain.tls == TLSSettings(host: "shop.local", port: 7701))
        // A certificate alone, or one without a TLS listener, is a mistake.
        for arguments in [["--tls-listen", ":7701", "--tls-cert", "c.pem"], ["--tls-cert", "c.pem", "--tls-key", "k.pem"]] {
            guard case .serve(let partial) = try ServerCommandLine.parse(arguments).get() else { continue }
            var config = ServerConfiguration()
            #expect(throws: UsageError.self, "\(arguments)") { try partial.applyListeners(to: &config) }
        }
        var folder = ServeOptions()
        folder.data = "d"
        #expect(try ServerCommandLine.parse(["tls", "fingerprint", "--data", "d"]).get() == .tlsFingerprint(folder))
    }

    @Test func userCommands() throws {
        var options = ServeOptions()
        options.data = "d"
        #expect(try ServerCommandLine.parse(["user", "add", "maria", "--role", "csr", "--data", "d"]).get() == .user(.add(name: "maria", role: .csr), options))
        #expect(try ServerCommandLine.parse(["user", "list"]).get() == .user(.list, ServeOptions()))
        #expect(try ServerCommandLine.parse(["user", "remove", "maria"]).get() == .user(.remove(name: "maria"), ServeOptions()))
        #expect(try ServerCommandLine.parse(["user", "token", "maria"]).get() == .user(.token(name: "maria"), ServeOptions()))
    }

    @Test func mistakesAreExplained() {
        let cases: [([String], String)] = [
            (["--frobnicate"], "unknown option --frobnicate"),
            (["--port", "99999"], "--port must be a number from 0 to 65535"),
            (["--port"], "--port needs a value"),
            (["user", "add", "maria"], "needs --role ROLE"),
            (["user", "add", "maria", "--role", "boss"], "--role must be one of"),
            (["user", "list", "--role", "csr"], "--role belongs to"),
            (["user", "fire", "maria"], "unknown user command"),
            (["serve", "now"], "unexpected \"now\""),
            (["dance"], "unknown command \"dance\""),
            (["--tls-listen", "shop:https"], "--tls-listen takes ADDR:PORT"),
            (["--proxy-from", "haproxy.local"], "--proxy-from takes IP addresses"),
            (["tls"], "leadlined tls needs: fingerprint"),
            (["tls", "renew"], "unknown tls command"),
        ]
        for (arguments, message) in cases {
            guard case .failure(let error) = ServerCommandLine.parse(arguments) else {
                Issue.record("\(arguments) was accepted")
                continue
            }
            #expect(error.description.contains(message), "\(arguments): \(error)")
        }
    }
}

@Suite struct ConfigurationFileTests {
    func apply(_ json: String) throws(ServerError) -> ServerConfiguration {
        var config = ServerConfiguration()
        try ConfigurationFile.apply(Data(json.utf8), from: "shop.json", to: &config)
        return config
    }

    @Test func everySettingIsRead() throws {
        let config = try apply("""
            { "listen": { "host": "0.0.0.0", "port": 7801 }, "data": "/srv/leadline", "name": "spartan",
              "limits": { "maxLine": 8192, "loginTimeoutSeconds": 30, "maxConnections": 50, "sinceWindow": 1000,
                          "maxLoginFailures": 3, "requestsPerSecond": 10, "requestBurst": 20, "maxOutboundBytes": 1048576,
                          "outboundHighWater": 65536, "maxInboundBytes": 65536, "loginFailureDelaySeconds": 1,
                          "closeLingerSeconds": 1, "pollSpinMicroseconds": 0 },
              "policy": { "timeZone": "America/Denver" } }
            """)
        #expect(config.host == "0.0.0.0")
        #expect(config.port == 7801)
        #expect(config.dataDirectory == "/srv/leadline")
        #expect(config.name == "spartan")
        #expect(config.limits.maxLine == 8192)
        #expect(config.limits.loginTimeout == 30)
        #expect(config.limits.maxConnections == 50)
        #expect(config.limits.pollSpin == .zero)
        #expect(ServerConfiguration().limits.pollSpin == .microseconds(100))
        #expect(config.policy.timeZone.identifier == "America/Denver")
    }

    @Test func tlsAndProxySettingsAreRead() throws {
        let config = try apply("""
            { "tls": { "listen": "0.0.0.0:7701", "certificate": "/etc/le/fullchain.pem", "key": "/etc/le/privkey.pem" },
              "trustedProxies": ["127.0.0.1", "::1"] }
            """)
        #expect(config.tls == TLSSettings(host: "0.0.0.0", port: 7701, certificate: "/etc/le/fullchain.pem", key: "/etc/le/privkey.pem"))
        #expect(config.trustedProxies == ["127.0.0.1", "::1"])
        #expect(try apply(#"{"tls":{}}"#).tls == TLSSettings(), "TLS on the default address, self-signed")
    }

    @Test func mistakesNameTheSetting() {
        let cases: [(String, String)] = [
            (#"{"listen":{"port":"7700"}}"#, "shop.json: listen.port: must be a whole number"),
            (#"{"listen":{"port":70000}}"#, "shop.json: listen.port: must be from 0 to 65535, got 70000"),
            (#"{"limits":{"maxLine":10}}"#, "shop.json: limits.maxLine: must be from 256"),
            (#"{"limits":{"maxLines":4096}}"#, "shop.json: limits.maxLines: unknown setting"),
            (#"{"limits":{"pollSpinMicroseconds":20000}}"#, "shop.json: limits.pollSpinMicroseconds: must be from 0 to 10000"),
            (#"{"colour":"red"}"#, "shop.json: colour: unknown setting"),
            (#"{"policy":{"timeZone":"Mars/Olympus"}}"#, "shop.json: policy.timeZone: \"Mars/Olympus\" is not an IANA time zone"),
            (#"{"limits":{"maxOutboundBytes":70000,"outboundHighWater":80000}}"#, "limits.outboundHighWater: must not exceed"),
            (#"{"tls":{"certificate":"c.pem"}}"#, "shop.json: tls.key: the certificate and its key go together"),
            (#"{"tls":{"listen":"shop:https"}}"#, "shop.json: tls.listen: must be an address"),
            (#"{"tls":{"port":7701}}"#, "shop.json: tls.port: unknown setting"),
            (#"{"trustedProxies":["haproxy.local"]}"#, "shop.json: trustedProxies: must list IP addresses"),
            ("[1,2]", "must be a JSON object"),
            ("{not json", "not valid JSON"),
        ]
        for (json, message) in cases {
            do {
                _ = try apply(json)
                Issue.record("\(json) was accepted")
            } catch {
                #expect(error.description.contains(message), "\(json): \(error)")
            }
        }
    }
}
