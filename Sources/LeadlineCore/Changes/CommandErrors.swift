/// The errors of several independent checks, gathered instead of stopping at the first:
/// a file's row names every cell to fix in one answer, not one per try.
public struct CommandErrors: Error, Sendable, Equatable {
    /// The problems found, in the order the checks ran (the order a person fixes them).
    public private(set) var errors: [CommandError] = []

    /// None yet.
    public init() {}

    /// Whether every check so far passed.
    public var isEmpty: Bool { errors.isEmpty }

    /// Notes a problem a check found without throwing.
    public mutating func append(_ error: CommandError) { errors.append(error) }

    /// What `check` gives, or nil with its error noted: the checks after it still run,
    /// so one answer names every problem.
    public mutating func note<T>(_ check: () throws(CommandError) -> T?) -> T? {
        do throws(CommandError) {
            return try check()
        } catch {
            errors.append(error)
            return nil
        }
    }

    /// Whether `check` passed; its error noted if not (for checks that give nothing).
    @discardableResult
    public mutating func passes(_ check: () throws(CommandError) -> Void) -> Bool {
        note { () throws(CommandError) -> Bool? in
            try check()
            return true
        } ?? false
    }
}
