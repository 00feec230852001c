import Foundation
import LeadlineTestSupport
import Testing

/// Revocation holds: once a person's removal or new token is decided, nothing more
/// from their old session is accepted, even requests already pipelined, and the
/// session ends with BYE AUTH.
@Suite struct RevocationTests {
    @Test(arguments: ["USER REMOVE ana", "USER TOKEN ana"])
    func nothingLandsAfterTheRevocation(revocation: String) throws {
        for _ in 0..<5 {
            let server = try TestServer()
            let ana = try server.client("ana")
            let olive = try server.client("olive")
            #expect(ana.reply("WATCH none").hasPrefix("OK WATCH mode=none last="))
            let lead = ana.newLead()
            #expect(ana.reply("CLAIM \(lead)").hasPrefix("OK CLAIM"))
            for i in 0..<200 { ana.send("NOTE \(lead) pipelined note \(i)") }
            let removed = olive.reply(revocation)
            guard let cut = field("seq", in: removed).flatMap(Int.init) else {
                Issue.record("no seq in \(removed)")
                return
            }
            let lines = ana.readUntilClosed(timeout: 10)
            #expect(lines.last?.hasPrefix("BYE AUTH") == true, "\(lines.suffix(2))")
            let noted = lines.filter { $0.hasPrefix("OK NOTE") }.compactMap { field("seq", in: $0).flatMap(Int.init) }
            #expect(noted.allSatisfy { $0 < cut }, "a note by ana landed after event \(cut): \(noted.filter { $0 >= cut })")
            let refused = lines.filter { $0.hasPrefix("ERR AUTH") }
            #expect(noted.count + refused.count <= 200)
            #expect(lines.filter { $0.hasPrefix("OK NOTE") || $0.hasPrefix("ERR") || $0.hasPrefix("BYE") || $0.hasPrefix("OK CLAIM") }.count == lines.count,
                    "only answers to notes, then BYE: \(Set(lines.map { $0.prefix(8) }))")
            let history = olive.request("SHOW \(lead)").filter { $0.hasPrefix("HISTORY") && $0.contains(" NOTED ") }
            #expect(history.count == noted.count)
        }
    }
}
