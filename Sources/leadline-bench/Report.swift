import Foundation

/// The rows of the benchmark table and the targets they are held to.
enum Row: String, CaseIterable {
    case ping, fanout, handshake, idle

    func title(_ options: BenchOptions) -> String {
        switch self {
        case .ping: return "PING round trips/s, \(options.pingClients) clients"
        case .fanout: return "fan-out: durable events delivered/s, \(options.watchers) watchers"
        case .handshake: return "new connections/s (connect, handshake, greeting)"
        case .idle: return "memory per idle logged-in watcher, KiB (\(options.idleConnections) open)"
        }
    }

    /// The target, in words, and whether the measured medians meet it.
    func target(plain: Double, tls: Double) -> (String, Bool)? {
        switch self {
        case .ping, .fanout: return ("TLS ≥ 0.7× plaintext", tls >= 0.7 * plain)
        case .idle: return ("TLS ≤ 40 KiB", tls <= 40)
        case .handshake: return nil
        }
    }
}

/// Samples by row and transport, and the table they make.
struct Report {
    let options: BenchOptions
    private var samples: [Row: (plain: [Sample], tls: [Sample])] = [:]

    init(options: BenchOptions) { self.options = options }

    mutating func add(_ row: Row, tls: Bool, _ sample: Sample) {
        var entry = samples[row] ?? ([], [])
        if tls { entry.tls.append(sample) } else { entry.plain.append(sample) }
        samples[row] = entry
        FileHandle.standardError.write(Data("\(row.rawValue) \(tls ? "tls" : "plain"): \(Self.number(sample.value))\n".utf8))
    }

    func table() -> String {
        guard !samples.isEmpty else { return "" }
        var lines = [
            "leadline-bench: \(options.repetitions) repetition(s) of \(options.duration) s, "
                + (options.pin ? "server on CPU 0, generator on CPU 1" : "unpinned")
                + (options.quick ? " (--quick: a smoke test, not figures to quote)" : ""),
            "",
            "| measurement | plaintext | TLS | TLS / plaintext | server CPU (plain / TLS) | target |",
            "|---|---|---|---|---|---|",
        ]
        for row in Row.allCases {
            guard let entry = samples[row], !entry.plain.isEmpty, !entry.tls.isEmpty else { continue }
            let plain = Self.median(entry.plain.map(\.value))
            let tls = Self.median(entry.tls.map(\.value))
            let cpu = row == .idle ? "" : "\(Self.percent(Self.median(entry.plain.map(\.serverCPU)))) / \(Self.percent(Self.median(entry.tls.map(\.serverCPU))))"
            var target = ""
            if let (words, met) = row.target(plain: plain, tls: tls) { target = words + (met ? ": met" : ": NOT met") }
            lines.append("| \(row.title(options)) | \(Self.spread(entry.plain.map(\.value))) | \(Self.spread(entry.tls.map(\.value))) "
                + "| \(String(format: "%.2f", tls / plain)) | \(cpu) | \(target) |")
        }
        return lines.joined(separator: "\n")
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// `41,200 [39,800–42,100]`: the median and the range.
    static func spread(_ values: [Double]) -> String {
        let shown = number(median(values))
        guard values.count > 1 else { return shown }
        return "\(shown) [\(number(values.min()!))–\(number(values.max()!))]"
    }

    static func number(_ value: Double) -> String {
        if value < 100 { return String(format: "%.1f", value) }
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.maximumFractionDigits = 0
        return formatter.string(from: NSNumber(value: value.rounded())) ?? String(Int(value))
    }

    static func percent(_ share: Double) -> String { String(format: "%.0f%%", share * 100) }
}
