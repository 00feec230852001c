import Foundation
import LeadlineTransport

/// Why the link to the server failed, for a person.
public struct LinkError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
