import Foundation
import LeadlineTestSupport
import Testing

/// Replays every transcript in protocol/transcripts against a live server, in memory
/// and over each network route, so the spec's examples and the server cannot drift
/// apart, and no transport changes what a person sees.
@Suite struct ConformanceTests {
    static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("protocol/transcripts")

    static var transcripts: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".txt") }.sorted()
    }

    @Test func thereAreTranscripts() {
        #expect(Self.transcripts.count >= 6)
    }

    @Test(arguments: transcripts, TestServer.Route.allCases)
    func transcript(_ name: String, over route: TestServer.Route) throws {
        let text = try String(contentsOf: Self.folder.appendingPathComponent(name), encoding: .utf8)
        let transcript = try Transcript(name: name, text: text)
        let server = try TranscriptRunner.server(for: transcript)
        let failures = TranscriptRunner.run(transcript, on: server, over: route)
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }
}

/// Drafting aid: `LEADLINE_RECORD=/path/to/script swift test --filter recordDraft`
/// writes `/path/to/script.recorded` for a person to review.
@Suite struct TranscriptDrafts {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["LEADLINE_RECORD"] != nil))
    func recordDraft() throws {
        let path = ProcessInfo.processInfo.environment["LEADLINE_RECORD"]!
        let script = try String(contentsOfFile: path, encoding: .utf8)
        let recorded = try TranscriptRecorder.record(script: script, name: (path as NSString).lastPathComponent)
        try recorded.write(toFile: path + ".recorded", atomically: true, encoding: .utf8)
    }
}
