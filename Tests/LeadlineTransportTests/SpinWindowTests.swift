import LeadlineTransport
import Testing

/// The poll thread's looking before it sleeps, fitted to the traffic: open while
/// requests come back to back, closed when the gaps are longer than it can bridge.
@Suite struct SpinWindowTests {
    let microsecond: UInt64 = 1000

    @Test func itStartsOpenAndStaysOpenWhileWhatComesIsWithinTheLimit() {
        var window = SpinWindow(limit: 100 * microsecond)
        #expect(window.current == 100 * microsecond)
        for _ in 0..<10 { window.idled(for: 60 * microsecond) }
        #expect(window.current == 100 * microsecond)
    }

    @Test func gapsLongerThanTheLimitCloseItWithinAFewGaps() {
        var window = SpinWindow(limit: 100 * microsecond)
        window.idled(for: 300 * microsecond)
        #expect(window.current == 50 * microsecond)
        window.idled(for: 300 * microsecond)
        #expect(window.current == 25 * microsecond)
        window.idled(for: 1_000_000 * microsecond)
        #expect(window.current == 12_500)
        window.idled(for: 1_000_000 * microsecond)
        #expect(window.current == 0, "below an eighth of the limit it closes")
        window.idled(for: 1_000_000 * microsecond)
        #expect(window.current == 0)
    }

    @Test func aClosedWindowReopensByDoublingWhenRequestsComeCloseTogetherAgain() {
        var window = SpinWindow(limit: 100 * microsecond)
        for _ in 0..<4 { window.idled(for: 10_000 * microsecond) }
        #expect(window.current == 0)
        window.idled(for: 40 * microsecond)
        #expect(window.current == 12_500)
        window.idled(for: 40 * microsecond)
        #expect(window.current == 25 * microsecond)
        window.idled(for: 40 * microsecond)
        window.idled(for: 40 * microsecond)
        #expect(window.current == 100 * microsecond)
        window.idled(for: 40 * microsecond)
        #expect(window.current == 100 * microsecond, "never past the limit")
    }

    @Test func aLimitOfNothingNeverOpens() {
        var window = SpinWindow(limit: 0)
        window.idled(for: 1)
        #expect(window.current == 0)
    }
}
