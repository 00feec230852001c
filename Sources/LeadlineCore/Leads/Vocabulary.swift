/// A closed set of lower-case words people type on the wire (`kind=missed-call`).
///
/// Conforming enums get one parser whose refusal lists every allowed value, so an
/// `ERR INVALID` always tells a person what they could have typed instead.
public protocol Vocabulary: RawRepresentable, CaseIterable, Sendable, Hashable where RawValue == String {
    /// The argument name used in error messages (`kind`, `status`, ...).
    static var argumentName: String { get }
}

extension Vocabulary {
    /// Parses `word` (case-insensitively), or explains what is allowed.
    public static func parse(_ word: String, argument: String? = nil) throws(CommandError) -> Self {
        if let value = Self(rawValue: word.lowercased()) { return value }
        let name = argument ?? argumentName
        let allowed = allCases.map(\.rawValue).joined(separator: ", ")
        throw CommandError.invalid(
            argument: name, "\(name) must be one of \(allowed); got \"\(word)\"")
    }
}
