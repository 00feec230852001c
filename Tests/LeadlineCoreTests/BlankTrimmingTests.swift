import Foundation
import LeadlineCore
import Testing

/// The hot path trims without Foundation, and trims exactly what Foundation would.
@Suite struct BlankTrimmingTests {
    @Test func trimsWhatWhitespacesTrims() {
        for text in ["", " ", "\t a b \t", "\u{00A0}no-break\u{00A0}", "\u{2003}em\u{2003}", "café ☕", " é\u{301} ", "\n kept \n"] {
            #expect(text.trimmingBlanks == text.trimmingCharacters(in: .whitespaces), "\(text.debugDescription)")
        }
    }

    /// `isAllBlanks` answers what `trimmingBlanks.isEmpty` would, without the string.
    @Test func allBlanksIsWhatTrimsToNothing() {
        for text in ["", " ", "\t \t", "\u{00A0}\u{2003} ", " a ", "\n", " \u{301}", "x"] {
            #expect(text.isAllBlanks == text.trimmingBlanks.isEmpty, "\(text.debugDescription)")
        }
    }
}
