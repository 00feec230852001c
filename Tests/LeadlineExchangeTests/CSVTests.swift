import LeadlineExchange
import Testing

/// RFC 4180 as files in the wild write it.
@Suite struct CSVTests {
    @Test func quotingCommasQuotesAndLineBreaks() throws {
        let text = "name,note\r\n\"Roe, Jane\",\"said \"\"call after 5\"\"\"\r\nPat,\"two\r\nlines\"\r\n"
        let records = try CSV.parse(text)
        #expect(records.map(\.fields) == [["name", "note"], ["Roe, Jane", "said \"call after 5\""], ["Pat", "two\r\nlines"]])
        #expect(records.map(\.line) == [1, 2, 3], "a record is numbered by the line it starts on")
    }

    @Test func aByteOrderMarkBareLineEndsAndTrailingBlankLines() throws {
        let text = "\u{FEFF}name,phone\nAna,555-0100\rBen,555-0101\n\n\r\n"
        #expect(try CSV.parse(text).map(\.fields) == [["name", "phone"], ["Ana", "555-0100"], ["Ben", "555-0101"]])
    }

    @Test func emptyFieldsAndALastLineWithoutItsEnd() throws {
        #expect(try CSV.parse("a,,c\n,,\n\"\",x").map(\.fields) == [["a", "", "c"], ["", "", ""], ["", "x"]])
    }

    @Test func aQuoteThatNeverClosesIsNamedByItsLine() {
        #expect(throws: CSV.ParseError.self) { try CSV.parse("name\nok\n\"never closed,555\n") }
        do {
            _ = try CSV.parse("name\nok\n\"never closed,555\n")
        } catch {
            #expect(error.line == 3)
        }
    }

    @Test func writingQuotesOnlyWhatNeedsIt() throws {
        let fields = ["plain", "a,b", "say \"hi\"", "two\nlines", " padded", ""]
        let line = CSV.line(fields)
        #expect(line == "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\" padded\",")
        #expect(try CSV.parse(line).first?.fields == fields, "what we write, we read back")
    }
}
