/// Recognises an HTTP request line (`GET / HTTP/1.1`), so a browser or `curl`
/// pointed at the port gets one clear line instead of a stream of errors.
enum HTTPProbe {
    static func looksLikeHTTP(_ line: String) -> Bool {
        let parts = line.split(separator: " ")
        guard parts.count == 3, parts[2].hasPrefix("HTTP/") else { return false }
        return parts[0].allSatisfy { $0.isASCII && $0.isUppercase }
    }
}
