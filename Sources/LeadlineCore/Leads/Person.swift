/// Someone who can log in: a name typed at the prompt, a role, and a token hash.
///
/// Only a hash of the token is ever kept (see the server's `TokenHasher`); the core
/// treats it as an opaque string so that it stays free of cryptography and I/O.
public struct Person: Sendable, Equatable {
    public let name: String
    public var role: Role
    public var tokenHash: String

    public init(name: String, role: Role, tokenHash: String) {
        self.name = name
        self.role = role
        self.tokenHash = tokenHash
    }

    /// Names are lower-case, start with a letter, and hold letters, digits, `.`, `_`
    /// and `-`, at most 32 characters: short enough to type in `ASSIGN 42 maria`.
    public static func validateName(_ raw: String) throws(CommandError) -> String {
        let name = raw.lowercased()
        let allowed = name.utf8.allSatisfy { c in
            (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x2E || c == 0x5F || c == 0x2D
        }
        guard let first = name.utf8.first, first >= 0x61, first <= 0x7A, allowed, name.utf8.count <= 32 else {
            throw CommandError.invalid(
                argument: "name",
                "a person's name starts with a letter and holds only letters, digits, '.', '_' or '-' (at most 32); got \"\(raw)\"")
        }
        guard !reservedNames.contains(name) else {
            throw CommandError.invalid(argument: "name", "\"\(name)\" is a reserved word and cannot be a person's name")
        }
        return name
    }

    /// Words that mean "nobody" or the server itself on the wire.
    public static let reservedNames: Set<String> = ["none", "nobody", "server", "me"]

    /// The words that mean nobody where a person is expected (`backup=none`).
    public static let nobody: Set<String> = ["none", "nobody"]
}
