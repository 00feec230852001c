import LeadlineCore
import Testing

/// The fast path for ASCII must not let anything through that the full check refuses.
@Suite struct ValidUTF8Tests {
    func read(_ bytes: [UInt8]) -> String? { String(validUTF8: bytes[...]) }

    @Test func asciiAndOtherValidText() {
        #expect(read([]) == "")
        #expect(read(Array("CLAIM 42 :call back".utf8)) == "CLAIM 42 :call back")
        #expect(read(Array("café, 東京, 🙂".utf8)) == "café, 東京, 🙂")
    }

    @Test func invalidSequencesAreRefused() {
        let invalid: [[UInt8]] = [
            [0x80],                    // a lone continuation byte
            [0x41, 0xC3],              // cut short
            [0xC0, 0x80],              // overlong
            [0xED, 0xA0, 0x80],        // a surrogate
            [0xF4, 0x90, 0x80, 0x80],  // beyond U+10FFFF
            [0xF0, 0x90, 0x80, 0x41],  // a four-byte sequence cut by ASCII
            [0xFF],
        ]
        for bytes in invalid { #expect(read(bytes) == nil, "\(bytes)") }
    }

    /// Every one-byte input agrees with the standard library's own check.
    @Test func agreesWithTheStandardCheckOnEveryByte() {
        for b in 0...255 {
            let bytes = [UInt8(b)]
            #expect(read(bytes) == String(validating: bytes, as: UTF8.self))
        }
    }
}
