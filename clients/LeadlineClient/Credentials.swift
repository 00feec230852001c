import Foundation
import Glibc

/// The credentials file: who you are, your token, and optionally the server.
///
/// ```
/// # ~/.config/leadline/credentials (mode 600)
/// user=ana
/// token=7e5yel6hwbwzijyz7wr7bg5zbrrae4qh
/// server=leadline.example.com:7700
/// ```
/// A token is a password: the client refuses a file that anyone but its owner can
/// read, as ssh does with keys.
public struct Credentials: Sendable, Equatable {
    public var user: String?
    public var token: String?
    public var server: String?

    public init(user: String? = nil, token: String? = nil, server: String? = nil) {
        self.user = user
        self.token = token
        self.server = server
    }

    /// `LEADLINE_CREDENTIALS`, else `$XDG_CONFIG_HOME/leadline/credentials`, else
    /// `~/.config/leadline/credentials`.
    public static func defaultPath(environment: [String: String]) -> String {
        if let path = environment["LEADLINE_CREDENTIALS"], !path.isEmpty { return path }
        return PrivateFile.configPath("credentials", environment: environment)
    }

    /// Reads the file at `path`: nil if there is none; an error if others can read it
    /// or it does not parse.
    public static func load(path: String) throws(ClientError) -> Credentials? {
        guard let text = try PrivateFile.read(path) else { return nil }
        var credentials = Credentials()
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let eq = line.firstIndex(of: "=") else {
                throw ClientError.usage("\(path) line \(number + 1): expected key=value (user, token or server)")
            }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            switch key {
            case "user": credentials.user = value
            case "token": credentials.token = value
            case "server": credentials.server = value
            default: throw ClientError.usage("\(path) line \(number + 1): unknown key \(key) (user, token or server)")
            }
        }
        return credentials
    }

    /// Writes the file readable by its owner only (its folder too).
    public func save(path: String) throws(ClientError) {
        var text = "# Leadline credentials: keep this file private (chmod 600)\n"
        if let user { text += "user=\(user)\n" }
        if let token { text += "token=\(token)\n" }
        if let server { text += "server=\(server)\n" }
        try PrivateFile.write(text, to: path)
    }
}

/// Why the client stops, with its exit status.
public enum ClientError: Error, Sendable, CustomStringConvertible {
    /// A mistake in how the client was called or set up: exit 2.
    case usage(String)
    /// The server cannot be reached or refused the login: exit 3.
    case connection(String)

    public var description: String {
        switch self {
        case .usage(let s), .connection(let s): return s
        }
    }

    public var exitCode: Int32 {
        switch self {
        case .usage: return 2
        case .connection: return 3
        }
    }
}
