import Foundation
import LeadlineCore
import LeadlineTransport

/// Reads the JSON config file into a ``ServerConfiguration``, strictly: an unknown
/// key or a bad value stops start-up with the key's path and the reason.
///
/// ```json
/// { "listen": { "host": "127.0.0.1", "port": 7700 },
///   "tls": { "listen": "0.0.0.0:7701", "certificate": "fullchain.pem", "key": "privkey.pem" },
///   "trustedProxies": ["10.0.0.5"],
///   "data": "leadline-data", "name": "leadline",
///   "limits": { "maxLine": 4096, "loginTimeoutSeconds": 60 },
///   "policy": { "timeZone": "America/Chicago" } }
/// ```
public enum ConfigurationFile {
    public static func load(path: String, into config: inout ServerConfiguration) throws(ServerError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ServerError.configuration("cannot read the config file \(path)")
        }
        try apply(data, from: path, to: &config)
    }

    public static func apply(_ data: Data, from path: String, to config: inout ServerConfiguration) throws(ServerError) {
        let root: ConfigObject
        do {
            guard case .object(let dict) = try JSONDecoder().decode(JSONValue.self, from: data) else {
                throw ServerError.configuration("\(path): the config must be a JSON object")
            }
            root = ConfigObject(file: path, path: "", values: dict)
        } catch let error as ServerError {
            throw error
        } catch {
            throw ServerError.configuration("\(path): not valid JSON (\(error))")
        }
        try root.allow(["listen", "tls", "trustedProxies", "data", "name", "limits", "policy"])
        if let listen = try root.object("listen") {
            try listen.allow(["host", "port"])
            if let host = try listen.string("host") { config.host = host }
            if let port = try listen.int("port", 0...65535) { config.port = UInt16(port) }
        }
        if let tls = try root.object("tls") { config.tls = try tlsSettings(tls) }
        if let proxies = try root.array("trustedProxies") {
            config.trustedProxies = try proxies.map { value throws(ServerError) -> String in
                guard case .string(let address) = value, Endpoint.isNumericAddress(address) else {
                    throw root.error("trustedProxies", "must list IP addresses, like \"127.0.0.1\"; got \(value.described)")
                }
                return address
            }
        }
        if let data = try root.string("data") { config.dataDirectory = data }
        if let name = try root.string("name") {
            guard !name.isEmpty, !name.contains(" ") else { throw root.error("name", "must be one word") }
            config.name = name
        }
        if let limits = try root.object("limits") { try applyLimits(limits, to: &config.limits) }
        if let policy = try root.object("policy") { try PolicyFile.apply(policy, to: &config.policy) }
    }

    private static func tlsSettings(_ o: ConfigObject) throws(ServerError) -> TLSSettings {
        try o.allow(["listen", "certificate", "key"])
        var settings = TLSSettings()
        if let listen = try o.string("listen") {
            guard let endpoint = Endpoint(listen, defaultHost: settings.host, defaultPort: settings.port, allowsAnyPort: true) else {
                throw o.error("listen", "must be an address like \"0.0.0.0:7701\"; got \"\(listen)\"")
            }
            (settings.host, settings.port) = (endpoint.host, endpoint.port)
        }
        settings.certificate = try o.string("certificate")
        settings.key = try o.string("key")
        guard (settings.certificate == nil) == (settings.key == nil) else {
            throw o.error(settings.certificate == nil ? "certificate" : "key",
                          "the certificate and its key go together: give both, or neither for a self-signed certificate")
        }
        return settings
    }

    private static func applyLimits(_ o: ConfigObject, to limits: inout Limits) throws(ServerError) {
        try o.allow(["maxLine", "maxOutboundBytes", "outboundHighWater", "maxInboundBytes", "loginTimeoutSeconds",
                     "maxConnections", "maxUnauthenticated", "maxUnauthenticatedPerAddress", "sinceWindow", "snapshotEveryEvents", "maxLoginFailures", "loginFailureDelaySeconds",
                     "requestsPerSecond", "requestBurst", "closeLingerSeconds", "maxUploadBytes", "pollSpinMicroseconds"])
        if let v = try o.int("maxLine", 256...1_048_576) { limits.maxLine = v }
        if let v = try o.int("maxOutboundBytes", 65_536...1 << 30) { limits.maxOutboundBytes = v }
        if let v = try o.int("outboundHighWater", 4096...1 << 30) { limits.outboundHighWater = v }
        if let v = try o.int("maxInboundBytes", 4096...1 << 30) { limits.maxInboundBytes = v }
        if let v = try o.number("loginTimeoutSeconds", 0.1...86_400) { limits.loginTimeout = v }
        if let v = try o.int("maxConnections", 1...1_000_000) { limits.maxConnections = v }
        if let v = try o.int("maxUnauthenticated", 1...1_000_000) { limits.maxUnauthenticated = v }
        if let v = try o.int("maxUnauthenticatedPerAddress", 1...1_000_000) { limits.maxUnauthenticatedPerAddress = v }
        if let v = try o.int("sinceWindow", 0...1_000_000_000) { limits.sinceWindow = v }
        if let v = try o.int("snapshotEveryEvents", 0...1_000_000_000) { limits.snapshotEveryEvents = v }
        if let v = try o.int("maxLoginFailures", 1...100) { limits.maxLoginFailures = v }
        if let v = try o.number("loginFailureDelaySeconds", 0...60) { limits.loginFailureDelay = v }
        if let v = try o.number("requestsPerSecond", 0...1e9) { limits.requestsPerSecond = v }
        if let v = try o.number("requestBurst", 1...1e9) { limits.requestBurst = v }
        if let v = try o.number("closeLingerSeconds", 0...60) { limits.closeLinger = v }
        if let v = try o.int("maxUploadBytes", 65_536...1 << 34) { limits.maxUploadBytes = v }
        if let v = try o.int("pollSpinMicroseconds", 0...10_000) { limits.pollSpin = .microseconds(v) }
        if limits.outboundHighWater > limits.maxOutboundBytes {
            throw o.error("outboundHighWater", "must not exceed maxOutboundBytes (\(limits.maxOutboundBytes))")
        }
    }
}

/// A JSON value read strictly: a number is never a boolean, `1.5` is never a whole number.
enum JSONValue: Decodable {
    case bool(Bool), int(Int), double(Double), string(String), array([JSONValue]), object([String: JSONValue]), null

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .double(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    var described: String {
        switch self {
        case .bool(let b): return String(b)
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .string(let s): return "\"\(s)\""
        case .array: return "a list"
        case .object: return "an object"
        case .null: return "null"
        }
    }
}

/// One JSON object of the config, with the path that names it in errors.
struct ConfigObject {
    let file: String
    let path: String
    let values: [String: JSONValue]

    func error(_ key: String, _ reason: String) -> ServerError {
        ServerError.configuration("\(file): \(path)\(key): \(reason)")
    }

    func allow(_ keys: Set<String>) throws(ServerError) {
        for key in values.keys.sorted() where !keys.contains(key) {
            throw error(key, "unknown setting (known here: \(keys.sorted().joined(separator: ", ")))")
        }
    }

    func object(_ key: String) throws(ServerError) -> ConfigObject? {
        guard let value = values[key] else { return nil }
        guard case .object(let dict) = value else { throw error(key, "must be an object { ... }, got \(value.described)") }
        return ConfigObject(file: file, path: path + key + ".", values: dict)
    }

    func string(_ key: String) throws(ServerError) -> String? {
        guard let value = values[key] else { return nil }
        guard case .string(let s) = value else { throw error(key, "must be a string, got \(value.described)") }
        return s
    }

    func int(_ key: String, _ range: ClosedRange<Int>) throws(ServerError) -> Int? {
        guard let value = values[key] else { return nil }
        guard case .int(let n) = value else {
            throw error(key, "must be a whole number from \(range.lowerBound) to \(range.upperBound), got \(value.described)")
        }
        guard range.contains(n) else {
            throw error(key, "must be from \(range.lowerBound) to \(range.upperBound), got \(n)")
        }
        return n
    }

    func number(_ key: String, _ range: ClosedRange<Double>) throws(ServerError) -> Double? {
        guard let value = values[key] else { return nil }
        let n: Double
        switch value {
        case .int(let i): n = Double(i)
        case .double(let d): n = d
        default: throw error(key, "must be a number, got \(value.described)")
        }
        guard range.contains(n) else { throw error(key, "must be from \(range.lowerBound) to \(range.upperBound), got \(n)") }
        return n
    }

    func array(_ key: String) throws(ServerError) -> [JSONValue]? {
        guard let value = values[key] else { return nil }
        guard case .array(let a) = value else { throw error(key, "must be a list [ ... ], got \(value.described)") }
        return a
    }
}
