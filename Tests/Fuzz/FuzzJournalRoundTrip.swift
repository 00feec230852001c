import Foundation

// libFuzzer target: decide → journal → replay. Each input line is a request, typed as
// a person would, by a person the first byte picks, at a time the clock moves to; every
// accepted change is journaled, and the journal lines must decode into the same events
// and replay into the same board. Raw input is also fed to the journal line decoder,
// which must refuse garbage without crashing.
//
// Built and run by Tests/Fuzz/run.sh (not part of `swift build`).

private let cast: [(String, Role)] = [("ana", .csr), ("ben", .csr), ("dora", .dispatcher), ("omar", .ops),
                                      ("olive", .owner), ("sam", .sales), ("tess", .tech)]
private let zone = TimeZone(identifier: "America/Chicago")!

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJournalRoundTrip(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? JournalCodec.decode(bytes[...])

    var live = Board(policy: Policy(timeZone: zone))
    var journal: [UInt8] = []
    var clock = Timestamp.parse("2026-11-23T07:55:00-06:00")!
    func record(_ changes: [Change], by: String?) {
        guard !changes.isEmpty else { return }
        let events = live.stamp(changes, by: by, at: clock)
        do { try live.apply(events) } catch { preconditionFailure("a decided change does not apply: \(error)") }
        for event in events {
            let line = JournalCodec.encode(event)
            journal += line
            guard case .event(let back)? = try? JournalCodec.decode(line.dropLast()).line, back == event else {
                preconditionFailure("journal line does not read back: \(String(decoding: line, as: UTF8.self))")
            }
        }
    }
    for (name, role) in cast { record([.personSaved(Person(name: name, role: role, tokenHash: "h"))], by: nil) }

    for raw in bytes.split(separator: 0x0A).prefix(64) {
        guard let selector = raw.first else { continue }
        clock = Timestamp.truncatedToMillis(clock.addingTimeInterval(Double(selector) * 97))
        record(live.dueChanges(at: clock), by: nil)
        guard let text = String(validating: raw.dropFirst(), as: UTF8.self),
              case .success(let request)? = RequestDecoder.decode(text),
              case .command(let command) = request.request else { continue }
        let actor = cast[Int(selector) % cast.count].0
        if case .success(let decision) = live.decide(command, by: live.people[actor], at: clock) {
            record(decision.changes, by: actor)
        }
    }

    var replayed = Board(policy: Policy(timeZone: zone))
    for line in journal.split(separator: 0x0A) {
        guard case .event(let event)? = try? JournalCodec.decode(line).line else { preconditionFailure("unreadable line") }
        do { try replayed.apply(event) } catch { preconditionFailure("replay refused: \(error)") }
    }
    precondition(replayed == live, "replay differs from the live board")
    return 0
}
