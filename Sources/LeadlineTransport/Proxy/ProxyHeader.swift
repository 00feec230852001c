/// The PROXY protocol's version 1 header (HAProxy's, also spoken by stunnel and
/// nginx): one text line a proxy sends before the client's bytes, naming the client's
/// real address, so logs, `WHO` and per-address limits see the technician's phone,
/// not the proxy.
///
/// `PROXY TCP4 203.0.113.7 192.0.2.1 51234 7700\r\n`, at most 107 bytes;
/// `PROXY UNKNOWN\r\n` when the proxy does not know (a health check): the connection
/// keeps the proxy's own address. Pure: fed the first bytes, it says what they are.
public enum ProxyHeader: Equatable, Sendable {
    /// The bytes so far could still become a header: wait for more.
    case incomplete
    /// The connection does not begin with a header (the proxy's host connecting itself).
    case absent
    /// A header of `length` bytes naming the client (nil: `UNKNOWN`).
    case header(length: Int, client: Peer?)
    /// It began as a header but is not a valid one.
    case malformed(String)

    /// The longest version 1 header, line break included.
    public static let maxLength = 107
    private static let signature = Array("PROXY ".utf8)

    /// Reads the start of a connection.
    public static func parse(_ bytes: some Collection<UInt8>) -> ProxyHeader {
        let start = Array(bytes.prefix(maxLength))
        let compared = min(start.count, signature.count)
        guard start[0..<compared].elementsEqual(signature[0..<compared]) else { return .absent }
        if let lf = start.firstIndex(of: 0x0A), start.firstIndex(of: 0x0D).map({ $0 > lf }) ?? true {
            return .malformed("the line does not end with CRLF")
        }
        guard let cr = start.firstIndex(of: 0x0D) else {
            return start.count >= maxLength ? .malformed("no line break within \(maxLength) bytes") : .incomplete
        }
        guard cr + 1 < start.count else { return .incomplete }
        guard start[cr + 1] == 0x0A else { return .malformed("the line does not end with CRLF") }
        let line = String(decoding: start[signature.count..<cr], as: UTF8.self)
        let words = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        let length = cr + 2
        if words.first == "UNKNOWN" { return .header(length: length, client: nil) }
        guard words.count == 5, words[0] == "TCP4" || words[0] == "TCP6" else {
            return .malformed("expected TCP4, TCP6 or UNKNOWN, then two addresses and two ports")
        }
        let (source, sourcePort) = (words[1], words[3])
        let v6 = words[0] == "TCP6"
        guard Endpoint.isNumericAddress(source), source.contains(":") == v6, Endpoint.isNumericAddress(words[2]) else {
            return .malformed("\(source) is not an \(v6 ? "IPv6" : "IPv4") address")
        }
        guard let port = UInt16(sourcePort), UInt16(words[4]) != nil else { return .malformed("a port is not a number from 0 to 65535") }
        return .header(length: length, client: Peer(address: source, port: port))
    }
}
