import Foundation

/// Notices when the wall clock steps (an NTP correction, an operator setting the time)
/// by comparing how far it moved with how far the monotonic clock moved.
///
/// The server stamps events and computes windows from the clock as it reads; order
/// comes from sequence numbers, so a step needs no repair, only a log line and a fresh
/// look at which alerts fall due. Pure: fed readings, it says what it saw.
struct ClockWatch {
    /// Differences below this are jitter, not a step.
    let threshold: TimeInterval
    private var last: (wall: Date, monotonic: TimeInterval)?

    init(threshold: TimeInterval = 2) { self.threshold = threshold }

    /// The step since the last reading (positive: forward), if the clock stepped.
    mutating func observe(wall: Date, monotonic: TimeInterval) -> TimeInterval? {
        defer { last = (wall, monotonic) }
        guard let last else { return nil }
        let step = wall.timeIntervalSince(last.wall) - (monotonic - last.monotonic)
        return abs(step) >= threshold ? step : nil
    }

    /// How a log line says a step: "forward by 1 d 0 h 0 min", "back by 3 min 10 s".
    static func spoken(_ step: TimeInterval) -> String {
        var seconds = Int(abs(step).rounded())
        var parts: [String] = []
        for (unit, size) in [("d", 86_400), ("h", 3600), ("min", 60)] where seconds >= size || !parts.isEmpty {
            parts.append("\(seconds / size) \(unit)")
            seconds %= size
        }
        parts.append("\(seconds) s")
        return (step >= 0 ? "forward by " : "back by ") + parts.joined(separator: " ")
    }
}
