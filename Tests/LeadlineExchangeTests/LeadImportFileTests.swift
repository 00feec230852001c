import Foundation
import LeadlineCore
import LeadlineExchange
import Testing

/// Headers of the CRM exports shops have, matched to our columns.
@Suite struct LeadImportFileTests {
    static let policy = Policy(timeZone: TimeZone(identifier: "America/Chicago")!)
    static let now = Timestamp.parse("2026-11-25T10:00:00-06:00")!

    func read(_ text: String, strict: Bool = false) throws -> Result<LeadImportFile, ImportRefusal> {
        LeadImportFile.read(try CSV.parse(text), strict: strict, policy: Self.policy, now: Self.now)
    }

    @Test func jobber() throws {
        let file = try read("""
            Display Name,Mobile Phone #s,Main Phone #s,E-mails,Service Street 1,Service Street 2,Service City,Service State,Service Zip code,Lead Source,Created Date,Tags
            Jane Roe,"(555) 010-0100, 555-0199",555-0142,jane@example.com,12 Elm St,Apt 2,Springfield,IL,62701,Google,11/20/2026,"hvac, repeat"
            """).get()
        #expect(file.system == "jobber")
        let row = try #require(file.rows.first)
        #expect(row.lead.name == "Jane Roe")
        #expect(row.lead.phone == "(555) 010-0100", "the first number of the first phone column")
        #expect(row.lead.email == "jane@example.com")
        #expect(row.lead.address == "12 Elm St, Apt 2, Springfield, IL")
        #expect(row.lead.area == "62701")
        #expect(row.lead.note == "source: Google; tags: hvac, repeat; Main Phone #s: 555-0142",
                "the second phone column's number is kept in the note, not lost")
        #expect(row.arrived == Timestamp.parse("2026-11-20T08:00:00-06:00"), "a date alone is the day's opening")
        #expect(file.unknownColumns.isEmpty)
    }

    @Test func housecallPro() throws {
        let file = try read("""
            Customer,Mobile Phone,Email,Street,Street Line 2,City,State,Zip,lead_source,Created At,Customer Tags
            Pat Moreno,555-0120,pat@example.com,40 Oak Ave,,Austin,TX,78701,referral,2026-11-21T09:30:00-06:00,vip
            """).get()
        #expect(file.system == "housecall-pro")
        let row = try #require(file.rows.first)
        #expect(row.lead.source == .referral)
        #expect(row.lead.address == "40 Oak Ave, Austin, TX")
        #expect(row.arrived == Timestamp.parse("2026-11-21T09:30:00-06:00"))
        #expect(row.lead.note == "tags: vip")
    }

    @Test func serviceTitan() throws {
        let file = try read("""
            name,phone,followUpDate,createdOn,campaign
            Lee Park,555-0130,2026-11-27,2026-11-24 14:05,Fall tune-up
            """).get()
        #expect(file.system == "servicetitan")
        let row = try #require(file.rows.first)
        #expect(row.lead.due == .local(day: .date(year: 2026, month: 11, day: 27), minute: nil))
        #expect(row.arrived == Timestamp.parse("2026-11-24T14:05:00-06:00"))
        #expect(row.lead.note == "source: Fall tune-up")
    }

    @Test func unknownColumnsAreKeptAsANoteOrRefusedWhenStrict() throws {
        let text = "name,phone,Gate Code\nJane,555-0100,4411\n"
        let file = try read(text).get()
        #expect(file.unknownColumns == ["Gate Code"])
        #expect(file.rows.first?.lead.note == "Gate Code: 4411")
        guard case .failure(let refusal) = try read(text, strict: true) else {
            Issue.record("strict accepted an unknown column")
            return
        }
        #expect(refusal.problems.first?.error.message.contains("Gate Code") == true)
    }

    @Test func everyBadRowIsNamedWithItsLine() throws {
        let text = "name,phone,kind,status,created_at,urgency\nOk,555-0100,,,,\n,,,,,\nBad kind,555-0101,roof,,,\nBad date,555-0102,,,someday,\nBad status,555-0103,,maybe,,\n"
        let refusal = ImportRefusal(try read(text).get().problems)
        #expect(refusal.problems.map(\.line) == [4, 5, 6], "line 3 is all empty cells: a blank line")
        #expect(refusal.problems[0].error.message.contains("kind must be one of"))
        #expect(refusal.problems[1].error.message.contains("created_at is not a date"))
        #expect(refusal.problems[2].error.message.contains("status must be one of"))
    }

    /// A row with three bad cells is named three times, once per cell: one pass over
    /// the file finds everything to fix.
    @Test func everyBadCellOfARowIsNamed() throws {
        let text = "name,phone,kind,status,due,value\nBad,555-0100,roof,maybe,someday,lots\n"
        let problems = try read(text).get().problems
        #expect(problems.map(\.line) == [2, 2, 2, 2])
        #expect(problems.map { $0.error.fields.first { $0.key == "arg" }?.value } == ["kind", "status", "due", "value"].map { .text($0) })
    }

    @Test func aHeaderWithoutNameOrPhoneIsRefused() throws {
        guard case .failure(let refusal) = try read("foo,bar\n1,2\n") else {
            Issue.record("accepted")
            return
        }
        #expect(refusal.problems.first?.line == 1)
    }
}
