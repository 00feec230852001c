/// A key the person pressed, decoded from the terminal's bytes.
public enum Key: Sendable, Equatable {
    case char(Character)
    case enter, backspace, delete, left, right, home, end, up, down, tab
    case ctrlA, ctrlE, ctrlU, ctrlK, ctrlW, ctrlC, ctrlD, ctrlL
}

/// One line of input being edited at the prompt, with history. Pure: it turns keys
/// into a new buffer and cursor, so the terminal code only draws it.
public struct LineEditor: Sendable {
    public private(set) var buffer: [Character] = []
    public private(set) var cursor = 0
    public private(set) var history: [String] = []
    private var browsing: Int?
    private var draft: [Character] = []
    /// Where the row shown starts, for a line wider than the terminal (``visible(width:)``).
    private var scroll = 0
    public let historyLimit: Int

    public enum Action: Sendable, Equatable {
        case none
        case redraw
        case submit(String)
        case endOfInput
        case interrupt
        case clearScreen
    }

    public init(historyLimit: Int = 500) { self.historyLimit = historyLimit }

    public var text: String { String(buffer) }

    /// What of the line one terminal row of `width` columns shows, with the cursor in
    /// view: a line longer than the row scrolls sideways (the terminal would wrap it,
    /// and the prompt, which redraws one row, would leave the wrapped rows behind).
    /// `«` stands where the line goes on to the left, `»` where it goes on to the right;
    /// the cursor is never on either. The view moves only when the cursor would leave
    /// it, so moving the cursor moves the cursor, not the text. Counted in terminal
    /// columns (``ColumnWidth``): a wide character takes two. The cursor returned is a
    /// column.
    public mutating func visible(width: Int) -> (text: String, cursor: Int) {
        // Where each character starts, in columns from the line's start.
        var starts = [0]
        starts.reserveCapacity(buffer.count + 1)
        for c in buffer { starts.append(starts[starts.count - 1] + ColumnWidth.of(c)) }
        func span(_ from: Int, _ to: Int) -> Int { starts[to] - starts[from] }
        // The row's last column is kept for the cursor after the last character.
        let columns = width - 1
        guard width >= 8, span(0, buffer.count) >= width else {
            scroll = 0
            return (text, span(0, cursor))
        }
        // The cursor stays between the markers: from column 1 (0 at the very start) to
        // the column before the last.
        while span(scroll, cursor) > columns - 2 { scroll += 1 }
        if cursor - scroll < 1 { scroll = max(0, cursor - 1) }
        // No blank room after the end while there is more to the left.
        while scroll > 0, span(scroll - 1, buffer.count) <= columns - 1 { scroll -= 1 }
        var end = scroll
        while end < buffer.count, span(scroll, end + 1) <= columns { end += 1 }
        var shown = Array(buffer[scroll..<end])
        var cursorColumn = span(scroll, cursor)
        if scroll > 0 {
            cursorColumn += 1 - ColumnWidth.of(shown[0])
            shown[0] = "«"
        }
        if end < buffer.count { shown[shown.count - 1] = "»" }
        return (String(shown), cursorColumn)
    }

    public mutating func handle(_ key: Key) -> Action {
        switch key {
        case .char(let c):
            buffer.insert(c, at: cursor)
            cursor += 1
        case .enter:
            let line = text
            if !line.trimmingCharacters(in: .whitespaces).isEmpty, history.last != line {
                history.append(line)
                if history.count > historyLimit { history.removeFirst() }
            }
            buffer = []
            cursor = 0
            browsing = nil
            return .submit(line)
        case .backspace:
            guard cursor > 0 else { return .none }
            buffer.remove(at: cursor - 1)
            cursor -= 1
        case .delete:
            guard cursor < buffer.count else { return .none }
            buffer.remove(at: cursor)
        case .left: cursor = max(0, cursor - 1)
        case .right: cursor = min(buffer.count, cursor + 1)
        case .home, .ctrlA: cursor = 0
        case .end, .ctrlE: cursor = buffer.count
        case .ctrlU:
            buffer.removeSubrange(0..<cursor)
            cursor = 0
        case .ctrlK:
            buffer.removeSubrange(cursor..<buffer.count)
        case .ctrlW:
            var start = cursor
            while start > 0 && buffer[start - 1] == " " { start -= 1 }
            while start > 0 && buffer[start - 1] != " " { start -= 1 }
            buffer.removeSubrange(start..<cursor)
            cursor = start
        case .up:
            guard !history.isEmpty else { return .none }
            if browsing == nil { draft = buffer; browsing = history.count }
            guard let index = browsing, index > 0 else { return .none }
            browsing = index - 1
            buffer = Array(history[index - 1])
            cursor = buffer.count
        case .down:
            guard let index = browsing else { return .none }
            if index + 1 < history.count {
                browsing = index + 1
                buffer = Array(history[index + 1])
            } else {
                browsing = nil
                buffer = draft
            }
            cursor = buffer.count
        case .ctrlC:
            if buffer.isEmpty { return .interrupt }
            buffer = []
            cursor = 0
            browsing = nil
        case .ctrlD:
            if buffer.isEmpty { return .endOfInput }
            return handle(.delete)
        case .ctrlL:
            return .clearScreen
        case .tab:
            return .none
        }
        return .redraw
    }
}

/// Turns the bytes a terminal sends into keys: UTF-8 characters, control keys, and
/// the escape sequences of arrows, Home, End and Delete. Keeps a partial sequence
/// until the rest arrives.
public struct KeyDecoder: Sendable {
    private var pending: [UInt8] = []

    public init() {}

    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [Key] {
        pending.append(contentsOf: bytes)
        var keys: [Key] = []
        var i = 0
        while i < pending.count {
            let b = pending[i]
            switch b {
            case 0x1B:
                guard i + 1 < pending.count else { pending.removeSubrange(0..<i); return keys }
                let kind = pending[i + 1]
                guard kind == 0x5B || kind == 0x4F else { i += 2; continue }  // ESC x: ignore
                var j = i + 2
                while j < pending.count, !(0x40...0x7E).contains(pending[j]) { j += 1 }
                guard j < pending.count else { pending.removeSubrange(0..<i); return keys }
                let params = String(decoding: pending[(i + 2)..<j], as: UTF8.self)
                switch (pending[j], params) {
                case (0x41, _): keys.append(.up)
                case (0x42, _): keys.append(.down)
                case (0x43, _): keys.append(.right)
                case (0x44, _): keys.append(.left)
                case (0x48, _), (0x7E, "1"), (0x7E, "7"): keys.append(.home)
                case (0x46, _), (0x7E, "4"), (0x7E, "8"): keys.append(.end)
                case (0x7E, "3"): keys.append(.delete)
                default: break
                }
                i = j + 1
            case 0x0D, 0x0A: keys.append(.enter); i += 1
            case 0x7F, 0x08: keys.append(.backspace); i += 1
            case 0x09: keys.append(.tab); i += 1
            case 0x01: keys.append(.ctrlA); i += 1
            case 0x03: keys.append(.ctrlC); i += 1
            case 0x04: keys.append(.ctrlD); i += 1
            case 0x05: keys.append(.ctrlE); i += 1
            case 0x0B: keys.append(.ctrlK); i += 1
            case 0x0C: keys.append(.ctrlL); i += 1
            case 0x15: keys.append(.ctrlU); i += 1
            case 0x17: keys.append(.ctrlW); i += 1
            case 0x00..<0x20: i += 1
            default:
                let length = b < 0xC0 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4
                guard i + length <= pending.count else { pending.removeSubrange(0..<i); return keys }
                if let s = String(validating: pending[i..<(i + length)], as: UTF8.self), let c = s.first {
                    keys.append(.char(c))
                }
                i += length
            }
        }
        pending = []
        return keys
    }
}
