import LeadlineClient
import Testing

@Suite struct LineEditorTests {
    func type(_ editor: inout LineEditor, _ text: String) {
        for c in text { _ = editor.handle(.char(c)) }
    }

    @Test func editsAtTheCursor() {
        var e = LineEditor()
        type(&e, "CLAIM 4")
        _ = e.handle(.left)
        _ = e.handle(.left)
        type(&e, "X")
        #expect(e.text == "CLAIMX 4")
        _ = e.handle(.home)
        _ = e.handle(.delete)
        #expect(e.text == "LAIMX 4")
        _ = e.handle(.end)
        _ = e.handle(.backspace)
        #expect(e.text == "LAIMX ")
        _ = e.handle(.ctrlW)
        #expect(e.text == "")
        type(&e, "NOTE 1 hello world")
        _ = e.handle(.ctrlA)
        _ = e.handle(.right)
        _ = e.handle(.ctrlK)
        #expect(e.text == "N")
        #expect(e.handle(.enter) == .submit("N"))
        #expect(e.text.isEmpty)
    }

    /// A line longer than the terminal is wide scrolls sideways to keep the cursor in
    /// view, marked where it goes on, never with the cursor on a marker; the view
    /// moves only when the cursor would leave it.
    @Test func aLongLineScrollsSideways() {
        var e = LineEditor()
        type(&e, "NOTE 7 ok")
        #expect(e.visible(width: 12) == ("NOTE 7 ok", 9), "a line that fits is shown whole")
        type(&e, " the customer wants a call after lunch")
        #expect(e.visible(width: 12) == ("«" + e.text.suffix(9), 10), "the end, the cursor after it")
        _ = e.handle(.home)
        #expect(e.visible(width: 12) == ("NOTE 7 ok »", 0), "the start, more to the right")
        for _ in 0..<20 { _ = e.handle(.right) }
        let middle = e.visible(width: 12)
        #expect(middle.text == "«" + Array(e.text)[12..<21] + "»" && middle.cursor == 9, "\(middle)")
        _ = e.handle(.left)
        #expect(e.visible(width: 12) == (middle.text, 8), "the cursor moves, the text stays")
        for _ in 0..<8 { _ = e.handle(.left) }
        let back = e.visible(width: 12)
        #expect(back.cursor == 1 && back.text.first == "«" && back.text.last == "»", "at the left marker, the view follows: \(back)")
    }

    /// Wide characters take two columns: the cursor column counts them so, and a long
    /// line of them scrolls within the row, the cursor never on a marker.
    @Test func wideCharactersTakeTwoColumns() {
        #expect(ColumnWidth.of("山田" as String) == 4 && ColumnWidth.of("👍" as Character) == 2)
        #expect(ColumnWidth.of("e\u{301}" as Character) == 1, "a letter and its accent: one column")
        #expect(ColumnWidth.of("NOTE 7 ok" as String) == 9 && ColumnWidth.of("é" as Character) == 1)
        #expect(ColumnWidth.prefix("山田太郎", fitting: 5) == "山田", "a wide character that would cross the edge stays out")
        var e = LineEditor()
        type(&e, "NOTE 7 山田")
        #expect(e.visible(width: 20) == ("NOTE 7 山田", 11), "the cursor after two wide characters is four columns on")
        _ = e.handle(.left)
        #expect(e.visible(width: 20).cursor == 9)
        type(&e, "様の家は遠い")
        _ = e.handle(.end)
        let end = e.visible(width: 12)
        #expect(ColumnWidth.of(end.text) <= 11 && end.text.first == "«" && end.cursor == ColumnWidth.of(end.text), "\(end)")
        _ = e.handle(.home)
        let start = e.visible(width: 12)
        #expect(start.cursor == 0 && ColumnWidth.of(start.text) <= 11 && start.text.last == "»", "\(start)")
        for _ in 0..<9 { _ = e.handle(.right) }
        let middle = e.visible(width: 12)
        #expect(middle.cursor >= 1 && middle.cursor <= 10 && ColumnWidth.of(middle.text) <= 11, "\(middle)")
    }

    @Test func historyBrowsesAndKeepsTheDraft() {
        var e = LineEditor()
        type(&e, "LIST")
        _ = e.handle(.enter)
        type(&e, "WHO")
        _ = e.handle(.enter)
        type(&e, "dra")
        _ = e.handle(.up)
        #expect(e.text == "WHO")
        _ = e.handle(.up)
        #expect(e.text == "LIST")
        _ = e.handle(.up)
        #expect(e.text == "LIST")
        _ = e.handle(.down)
        _ = e.handle(.down)
        #expect(e.text == "dra")
        #expect(e.history == ["LIST", "WHO"])
    }

    @Test func controlKeysEndOrClear() {
        var e = LineEditor()
        #expect(e.handle(.ctrlD) == .endOfInput)
        #expect(e.handle(.ctrlC) == .interrupt)
        type(&e, "half")
        #expect(e.handle(.ctrlC) == .redraw)
        #expect(e.text.isEmpty)
        #expect(e.handle(.ctrlL) == .clearScreen)
    }

    @Test func decodesKeysEvenSplitAcrossReads() {
        var d = KeyDecoder()
        #expect(d.feed(Array("ab".utf8)) == [.char("a"), .char("b")])
        #expect(d.feed([0x1B]).isEmpty)
        #expect(d.feed([0x5B]).isEmpty)
        #expect(d.feed([0x41]) == [.up])
        #expect(d.feed([0x1B, 0x5B, 0x33, 0x7E, 0x1B, 0x4F, 0x48, 0x7F, 0x0D]) == [.delete, .home, .backspace, .enter])
        let e = Array("é".utf8)
        #expect(d.feed([e[0]]).isEmpty)
        #expect(d.feed([e[1], 0x01, 0x05, 0x15, 0x17, 0x0B, 0x03, 0x04]) == [.char("é"), .ctrlA, .ctrlE, .ctrlU, .ctrlW, .ctrlK, .ctrlC, .ctrlD])
    }
}
