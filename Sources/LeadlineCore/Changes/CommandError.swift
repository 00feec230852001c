/// The protocol's error codes, in the brief's vocabulary.
public enum ErrorCode: String, Sendable, CaseIterable {
    case badSyntax = "BADSYNTAX"
    case unknown = "UNKNOWN"
    case auth = "AUTH"
    case denied = "DENIED"
    case notFound = "NOTFOUND"
    case conflict = "CONFLICT"
    case invalid = "INVALID"
    case tooLong = "TOOLONG"
    case rate = "RATE"
    case unavailable = "UNAVAILABLE"
    case `internal` = "INTERNAL"
}

/// Why a request was refused: a code, the facts a program needs, and a sentence a
/// person understands. A refused request changes nothing.
public struct CommandError: Error, Sendable, Equatable {
    public let code: ErrorCode
    public let fields: [Field]
    public let message: String

    public init(_ code: ErrorCode, fields: [Field] = [], _ message: String) {
        self.code = code
        self.fields = fields
        self.message = message
    }

    /// A malformed or out-of-range argument, named in `arg=`.
    /// The same error with more said after its message (`; nothing was imported`).
    public func adding(_ more: String) -> CommandError {
        CommandError(code, fields: fields, message + more)
    }

    public static func invalid(argument: String, _ message: String) -> CommandError {
        CommandError(.invalid, fields: [Field("arg", argument)], message)
    }

    /// A role that may not do this; `need=` lists the roles that may.
    public static func denied(need roles: [Role], lead: LeadID? = nil, _ message: String) -> CommandError {
        var fields: [Field] = []
        if let lead { fields.append(Field("lead", lead)) }
        fields.append(Field("need", roles.fieldList))
        return CommandError(.denied, fields: fields, message)
    }

    /// A lead id that does not exist.
    public static func notFound(lead: LeadID) -> CommandError {
        CommandError(.notFound, fields: [Field("lead", lead)], "there is no lead \(lead)")
    }
}
