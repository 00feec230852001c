import Foundation
import LeadlineJournal
import Testing

@Suite struct FlatJSONTests {
    func encode(_ pairs: [(String, String)]) -> [UInt8] {
        var out: [UInt8] = []
        for (i, (k, v)) in pairs.enumerated() {
            FlatJSON.appendKey(k, to: &out, first: i == 0)
            FlatJSON.appendString(v, to: &out)
        }
        out.append(0x7D)
        return out
    }

    static let awkward = ["plain", "", "quote \" and backslash \\", "new\nline\ttab\rret", "control \u{1} \u{1F}",
                          "café ☕️ 𝄞", "slash / </script>", "\u{7F}del"]

    @Test func writesJSONThatFoundationReads() throws {
        for value in Self.awkward {
            let bytes = encode([("k", value)])
            let parsed = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: String]
            #expect(parsed?["k"] == value, "\(value)")
        }
    }

    @Test func readsWhatItWrites() throws {
        for value in Self.awkward {
            let parsed = try FlatJSON.parse(encode([("k", value), ("other", "x")])[...])
            #expect(parsed.map(\.0) == ["k", "other"])
            #expect(parsed.first?.1 == .string(value))
        }
    }

    @Test func readsJSONFromElsewhere() throws {
        let text = #" { "a" : "\u00e9\ud834\udd1e\/" , "n": -42, "z":7 } "#
        let parsed = try FlatJSON.parse(Array(text.utf8)[...])
        #expect(parsed[0].1 == .string("é𝄞/"))
        #expect(parsed[1].1 == .number(-42))
        #expect(parsed[2].1 == .number(7))
    }

    @Test func refusesWhatItDoesNotExpect() {
        for text in ["", "{", "[1]", #"{"a":1.5}"#, #"{"a":true}"#, #"{"a":{"b":1}}"#, #"{"a":"x"} tail"#,
                     #"{"a":"unterminated}"#, "{\"a\":\"raw\u{1}ctl\"}", #"{"a":"\ud800"}"#, #"{"a" "b"}"#, #"{"a":"\q"}"#] {
            #expect(throws: FlatJSON.SyntaxError.self, "\(text)") { try FlatJSON.parse(Array(text.utf8)[...]) }
        }
    }
}
