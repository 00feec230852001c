/// What a person does in the shop, which decides what the server lets them do.
///
/// The rules follow PRODUCT.md: office roles work the leads they own or back up,
/// supervisors (dispatcher, ops, owner) assign, reassign and take over any lead,
/// technicians post outcomes on their appointments, and only the owner manages people.
public enum Role: String, Vocabulary {
    case csr, dispatcher, sales, tech, ops, owner

    public static let argumentName = "role"

    /// Office roles claim and work callbacks; technicians do not.
    public var isOffice: Bool { self != .tech }

    /// Supervisors assign, reassign and take over, and may work any lead.
    public var isSupervisor: Bool { self == .dispatcher || self == .ops || self == .owner }

    /// The roles allowed to assign and take over, for error messages.
    public static let supervisors: [Role] = [.dispatcher, .ops, .owner]

    /// The office roles, for error messages.
    public static let office: [Role] = allCases.filter(\.isOffice)
}

extension Array where Element == Role {
    /// "dispatcher, ops or owner": how an error names the roles it needs.
    public var spokenList: String {
        let names = map(\.rawValue)
        guard names.count > 1 else { return names.first ?? "" }
        return names.dropLast().joined(separator: ", ") + " or " + names.last!
    }

    /// "dispatcher,ops,owner": how an error's `need=` field names them.
    public var fieldList: String { map(\.rawValue).joined(separator: ",") }
}
