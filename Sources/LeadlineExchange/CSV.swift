import Foundation

/// RFC 4180 CSV: the format every CRM exports and every spreadsheet opens.
///
/// Reading is forgiving where files in the wild differ (a UTF-8 byte-order mark, CRLF,
/// LF or CR line ends, blank lines at the end, a stray quote inside an unquoted field)
/// and strict where data would be lost (a quoted field that never closes). Writing
/// quotes a field only when it must (a comma, a quote, a line break, or spaces at its
/// ends) and ends every record with CRLF.
public enum CSV {
    /// One record: its fields, and the line of the file it starts on (1 = the first).
    public struct Record: Sendable, Equatable {
        public var line: Int
        public var fields: [String]

        public init(line: Int, fields: [String]) {
            self.line = line
            self.fields = fields
        }
    }

    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// The records of `text`, blank lines skipped.
    public static func parse(_ text: String) throws(ParseError) -> [Record] {
        try parse(Array(text.utf8))
    }

    public static func parse(_ bytes: [UInt8]) throws(ParseError) -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var line = 1
        var recordLine = 1
        var quoted = false
        var wasQuoted = false
        let (quote, comma, cr, lf): (UInt8, UInt8, UInt8, UInt8) = (0x22, 0x2C, 0x0D, 0x0A)

        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            wasQuoted = false
        }
        func endRecord() {
            endField()
            // A blank line is one empty, unquoted field: skipped.
            if !(fields.count == 1 && fields[0].isEmpty) { records.append(Record(line: recordLine, fields: fields)) }
            fields.removeAll(keepingCapacity: true)
        }

        while i < bytes.count {
            let c = bytes[i]
            if quoted {
                if c == quote {
                    if i + 1 < bytes.count, bytes[i + 1] == quote {
                        field.append(quote)
                        i += 2
                        continue
                    }
                    quoted = false
                } else {
                    if c == lf || (c == cr && (i + 1 >= bytes.count || bytes[i + 1] != lf)) { line += 1 }
                    field.append(c)
                }
                i += 1
                continue
            }
            switch c {
            case quote where field.isEmpty && !wasQuoted:
                quoted = true
                wasQuoted = true
            case comma:
                endField()
            case cr, lf:
                if c == cr, i + 1 < bytes.count, bytes[i + 1] == lf { i += 1 }
                endRecord()
                line += 1
                recordLine = line
            default:
                field.append(c)
            }
            i += 1
        }
        if quoted {
            throw ParseError(line: recordLine, message: "a quoted field opened on this line is never closed (a \" is missing)")
        }
        if !field.isEmpty || !fields.isEmpty || wasQuoted { endRecord() }
        return records
    }

    /// One record as a line of CSV, without its line end.
    public static func line(_ fields: [String]) -> String {
        fields.map(quotedIfNeeded).joined(separator: ",")
    }

    /// Records as a whole file: each ends with CRLF.
    public static func text(_ records: [[String]]) -> String {
        records.map { line($0) + "\r\n" }.joined()
    }

    static func quotedIfNeeded(_ field: String) -> String {
        let needs = field.utf8.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0D || $0 == 0x0A }
            || field.first == " " || field.last == " "
        guard needs else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
