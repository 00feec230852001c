import COpenSSL

/// Why TLS could not be set up or went wrong, in words (OpenSSL's own reason included).
public struct TLSError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }

    /// `what`, with the reasons OpenSSL queued (and the queue cleared).
    static func openSSL(_ what: String) -> TLSError {
        TLSError(what + (OpenSSLErrors.drain().map { ": \($0)" } ?? ""))
    }
}

/// OpenSSL's thread-local error queue, read and cleared.
enum OpenSSLErrors {
    /// The reasons queued since the last call, oldest first, joined; nil when none.
    static func drain() -> String? {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            if let reason = ERR_reason_error_string(code) {
                reasons.append(String(cString: reason))
            } else {
                reasons.append("error \(code)")
            }
        }
        return reasons.isEmpty ? nil : reasons.joined(separator: "; ")
    }
}
