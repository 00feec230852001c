/// The errors of several independent checks, gathered instead of stopping at the first:
/// a file's row names every cell to fix in one answer, not one per try.
public struct CommandErrors: Error, Sendable, Equatable {
    public private(set) var errors: [CommandError] = []

    public init() {}

    public var isEmpty: Bool { errors.isEmpty }

    public mutating func append(_ error: CommandError) { errors.append(error) }

    /// What `check` gives, or nil with its error noted.
    public mutating func note<T>(_ check: () throws(CommandError) -> T?) -> T? {
        do throws(CommandError) {
            return try check()
        } catch {
            errors.append(error)
            return nil
        }
    }

    /// Whether `check` passed; its error noted if not.
    @discardableResult
    public mutating func passes(_ check: () throws(CommandError) -> Void) -> Bool {
        note { () throws(CommandError) -> Bool? in
            try check()
            return true
        } ?? false
    }
}
