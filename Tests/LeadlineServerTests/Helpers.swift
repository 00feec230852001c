import Foundation
import LeadlineTestSupport
import Testing

extension LineClient {
    /// The lead number in an `OK NEW lead=N ...` reply.
    func newLead(_ arguments: String = "phone=555-0100") -> Int {
        let line = reply("NEW " + arguments)
        guard let id = field("lead", in: line).flatMap(Int.init) else {
            Issue.record("NEW failed: \(line)")
            return -1
        }
        return id
    }
}

