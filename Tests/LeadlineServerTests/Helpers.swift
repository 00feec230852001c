import Foundation
import LeadlineTestSupport
import Testing

extension LineClient {
    /// Sends a request and returns its completion line (`OK`/`ERR`), skipping events.
    func reply(_ line: String, timeout: TimeInterval = 5) -> String {
        request(line, timeout: timeout).last ?? "(nothing)"
    }

    /// The lead number in an `OK NEW lead=N ...` reply.
    func newLead(_ arguments: String = "phone=555-0100") -> Int {
        let line = reply("NEW " + arguments)
        guard let id = field("lead", in: line).flatMap(Int.init) else {
            Issue.record("NEW failed: \(line)")
            return -1
        }
        return id
    }
}

/// The value of `key=` in a line (bare values only).
func field(_ key: String, in line: String) -> String? {
    for word in line.split(separator: " ") where word.hasPrefix(key + "=") {
        return String(word.dropFirst(key.count + 1))
    }
    return nil
}

/// Polls `condition` until it holds or `timeout` passes.
func eventually(timeout: TimeInterval = 5, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}
