import LeadlineCore
import LeadlineWire
import Testing

/// The framer fed the same input three ways (as swift-nio's decoder tests do): one
/// byte at a time, all at once, and in random chunks. All three must agree.
@Suite struct LineFramerTests {
    static func frames(_ input: [UInt8], maxLine: Int = 32, chunks: [Int]) -> [Frame] {
        var framer = LineFramer(maxLine: maxLine)
        var out: [Frame] = []
        var offset = 0
        var i = 0
        while offset < input.count {
            let size = max(1, min(chunks[i % chunks.count], input.count - offset))
            framer.append(input[offset..<offset + size])
            offset += size
            i += 1
            while let frame = framer.next() { out.append(frame) }
        }
        return out
    }

    static func everyWay(_ input: [UInt8], maxLine: Int = 32) -> [Frame] {
        let oneByOne = frames(input, maxLine: maxLine, chunks: [1])
        let allAtOnce = frames(input, maxLine: maxLine, chunks: [input.count])
        var rng = SeededRandom(seed: 42)
        for _ in 0..<20 {
            let random = frames(input, maxLine: maxLine, chunks: (0..<50).map { _ in Int(rng.next() % 17) + 1 })
            #expect(random == allAtOnce)
        }
        #expect(oneByOne == allAtOnce)
        return allAtOnce
    }

    @Test func splitsOnLineFeedAndStripsCarriageReturn() {
        let frames = Self.everyWay(Array("PING a\nPING b\r\n\nQUIT\n".utf8))
        #expect(frames == [.line("PING a"), .line("PING b"), .line(""), .line("QUIT")])
    }

    @Test func keepsAnUnfinishedLineUntilItEnds() {
        var framer = LineFramer()
        framer.append(Array("CLAIM".utf8))
        #expect(framer.next() == nil)
        framer.append(Array(" 42\n".utf8))
        #expect(framer.next() == .line("CLAIM 42"))
    }

    @Test func aLineOfExactlyTheLimitIsAccepted() {
        let line = String(repeating: "x", count: 31)
        #expect(Self.everyWay(Array((line + "\n").utf8)) == [.line(line)])
    }

    @Test func aLongerLineIsRefusedOnceAndSkipped() {
        let long = String(repeating: "y", count: 100)
        let frames = Self.everyWay(Array("PING 1\n\(long)\nPING 2\n".utf8))
        #expect(frames == [.line("PING 1"), .tooLong(tag: nil), .line("PING 2")])
    }

    @Test func crlfCountsTowardTheLimit() {
        let line = String(repeating: "x", count: 31)
        #expect(Self.everyWay(Array((line + "\r\n").utf8)) == [.tooLong(tag: nil)])
    }

    @Test func aNeverEndingLineCostsABoundedBuffer() {
        var framer = LineFramer(maxLine: 64)
        framer.append([UInt8](repeating: 0x41, count: 100))
        #expect(framer.next() == .tooLong(tag: nil))
        for _ in 0..<1000 {
            framer.append([UInt8](repeating: 0x41, count: 1000))
            #expect(framer.next() == nil)
            #expect(framer.bufferedCount == 0)
        }
        framer.append(Array("tail\nPING\n".utf8))
        #expect(framer.next() == .line("PING"))
    }

    @Test func invalidUTF8AndControlBytesAreRefused() {
        let input: [UInt8] = Array("ok\n".utf8) + [0x50, 0xC3, 0x28, 0x0A] + [0x50, 0x00, 0x51, 0x0A]
            + [0x1B, 0x5B, 0x32, 0x4A, 0x0A] + Array("caf\u{e9} ok\n".utf8)
        let frames = Self.everyWay(input)
        #expect(frames.count == 5)
        #expect(frames[0] == .line("ok"))
        guard case .badSyntax = frames[1], case .badSyntax(let nul, _) = frames[2], case .badSyntax = frames[3] else {
            Issue.record("expected three refusals, got \(frames)")
            return
        }
        #expect(nul.contains("NUL"))
        #expect(frames[4] == .line("café ok"))
    }

    /// A refused line is answered with the tag it starts with, so a client waiting on
    /// that tag hears of it; a tag not yet whole (no blank after it) is not guessed at.
    @Test func aRefusedLineKeepsItsTag() {
        let long = "@t7 NOTE 3 " + String(repeating: "z", count: 100)
        let input = Array("\(long)\n".utf8) + Array("@t8 NOTE 3 a".utf8) + [0x01] + Array("b\n".utf8)
            + Array("@t9 NOTE ".utf8) + [0xC3, 0x28] + Array("\n@bad!tag PING\n".utf8) + [0x01, 0x0A]
        let frames = Self.everyWay(input)
        #expect(frames.count == 5)
        #expect(frames.first == .tooLong(tag: "@t7"))
        guard frames.count == 5, case .badSyntax(_, let t8) = frames[1], case .badSyntax(_, let t9) = frames[2],
              case .line = frames[3], case .badSyntax(_, let none) = frames[4] else {
            Issue.record("expected a refusal, two more, a line and a refusal; got \(frames)")
            return
        }
        #expect(t8 == "@t8" && t9 == "@t9" && none == nil)
        var framer = LineFramer(maxLine: 64)
        framer.append(Array("@endless ".utf8) + [UInt8](repeating: 0x41, count: 100))
        #expect(framer.next() == .tooLong(tag: "@endless"), "refused before its end: the tag is at its start")
        // Far past the first bytes behind blanks, it is still found; a tag with no blank
        // after it yet (the line cut off inside it) is not guessed at.
        var spaced = LineFramer(maxLine: 64)
        spaced.append(Array((String(repeating: " ", count: 50) + "@t3 NOTE 1 ").utf8) + [UInt8](repeating: 0x41, count: 100))
        #expect(spaced.next() == .tooLong(tag: "@t3"))
        var cut = LineFramer(maxLine: 16)
        cut.append(Array("@abcdefghijklmnopqrstuvwxyz".utf8))
        #expect(cut.next() == .tooLong(tag: nil))
    }

    @Test func tabsAreAllowed() {
        #expect(Self.everyWay(Array("NOTE 1\tx\n".utf8)) == [.line("NOTE 1\tx")])
    }
}
