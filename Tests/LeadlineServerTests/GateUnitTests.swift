import Foundation
@testable import LeadlineServer
import Testing

/// The pure pieces behind crowding and clock steps, tested by calling them.
@Suite struct GateUnitTests {
    @Test func pendingLoginsEvictTheOldestOfTheAddressOrOfTheBusiest() {
        var pending = PendingLogins(total: 4, perAddress: 3)
        #expect(pending.admit(1, from: "a") == nil)
        #expect(pending.admit(2, from: "a") == nil)
        #expect(pending.admit(3, from: "a") == nil)
        #expect(pending.admit(4, from: "a") == 1, "an address's fourth evicts its first")
        #expect(pending.admit(5, from: "b") == nil)
        #expect(pending.count == 4)
        #expect(pending.admit(6, from: "c") == 2, "a full pool: the busiest address gives up its oldest")
        #expect(pending.waiting(from: "a") == 2 && pending.waiting(from: "c") == 1)
        pending.remove(5, from: "b")
        pending.remove(5, from: "b")
        #expect(pending.count == 3, "removing twice removes once")
    }

    @Test func amongEquallyBusyAddressesTheLongestWaitingGoes() {
        var pending = PendingLogins(total: 3, perAddress: 3)
        _ = pending.admit(10, from: "b")
        _ = pending.admit(11, from: "a")
        _ = pending.admit(12, from: "c")
        #expect(pending.admit(13, from: "d") == 10, "each address has one: the oldest connection goes")
    }

    @Test func cleanAddressesAreCheckedBeforeFailingOnes() {
        var queue = LoginQueue<String>(baseDelay: 0.5)
        var now: TimeInterval = 1000
        queue.succeeded(from: "office", now: now)
        for i in 0..<5 { queue.enqueue("attack-\(i)", from: "bot", now: now) }
        #expect(queue.next(now: now) == "attack-0", "first come, while nobody is failing")
        #expect(queue.failed(from: "bot", connectionFailures: 1, now: now) == 0.5)
        now += 1
        queue.enqueue("stranger", from: "new", now: now)
        queue.enqueue("ana", from: "office", now: now + 1)
        #expect(queue.next(now: now) == "ana", "an address that logged in lately goes first")
        #expect(queue.next(now: now) == "stranger", "then one with no history")
        #expect(queue.next(now: now) == "attack-1", "then the failing one")
        #expect(queue.count == 3)
        queue.remove(from: "bot") { $0 == "attack-2" }
        #expect(queue.count == 2)
    }

    @Test func failuresSlowTheirAddressAndFade() {
        var queue = LoginQueue<Int>(baseDelay: 0.5)
        var delays: [TimeInterval] = []
        for _ in 0..<6 { delays.append(queue.failed(from: "bot", connectionFailures: 1, now: 0)) }
        #expect(delays == [0.5, 1, 2, 4, 8, 8], "new connections do not reset an address's strikes")
        #expect(queue.failed(from: "other", connectionFailures: 1, now: 0) == 0.5, "others are not slowed")
        #expect(queue.failed(from: "bot", connectionFailures: 1, now: 3600) == 0.5, "an hour later the strikes have faded")
    }

    @Test func clockStepsAreNoticedBothWays() {
        var watch = ClockWatch(threshold: 2)
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(watch.observe(wall: t0, monotonic: 100) == nil)
        #expect(watch.observe(wall: t0.addingTimeInterval(1), monotonic: 101) == nil)
        #expect(watch.observe(wall: t0.addingTimeInterval(86_402), monotonic: 102) == 86_400)
        #expect(watch.observe(wall: t0.addingTimeInterval(3), monotonic: 103) == -86_400)
        #expect(watch.observe(wall: t0.addingTimeInterval(4.5), monotonic: 104) == nil, "jitter is not a step")
        #expect(ClockWatch.spoken(86_400) == "forward by 1 d 0 h 0 min 0 s")
        #expect(ClockWatch.spoken(-190) == "back by 3 min 10 s")
    }
}
