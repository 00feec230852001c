import Foundation

/// Writes a transcript from a script of requests: plays the `X>` lines and
/// directives against a live server and records what every connection received.
///
/// A drafting aid, not a test: a person reads every recorded line and checks it
/// against the procedure before it becomes a transcript that the tests replay.
/// Lines of the script other than `X>` lines and directives are copied as they are.
public enum TranscriptRecorder {
    public static func record(script: String, name: String) throws -> String {
        let transcript = try Transcript(name: name, text: script)
        let server = try TranscriptRunner.server(for: transcript)
        var clients: [String: LineClient] = [:]
        var order: [String] = []
        var out: [String] = []
        func drain(except: String? = nil) {
            for who in order where who != except {
                while let line = clients[who]?.readLine(timeout: 0.15) { out.append("\(who)< \(line)") }
            }
        }
        let sends = Dictionary(uniqueKeysWithValues: transcript.steps.map { ($0.line, $0.step) })
        for (index, raw) in script.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw)
            guard let step = sends[index + 1] else {
                out.append(line)
                continue
            }
            out.append(line)
            switch step {
            case .send(let who, let text):
                if clients[who] == nil {
                    clients[who] = try server.client()
                    order.append(who)
                }
                let c = clients[who]!
                c.send(TranscriptRunner.substitute(text, tokens: server.tokens))
                for reply in c.readThroughCompletion(timeout: 3) { out.append("\(who)< \(reply)") }
                drain()
            case .advance(let seconds):
                server.advance(by: seconds)
                drain()
            case .disconnect(let who):
                clients[who]?.closeNow()
                clients[who] = nil
                order.removeAll { $0 == who }
            case .restart:
                for c in clients.values { c.closeNow() }
                clients = [:]
                order = []
                try server.restart()
            case .expect:
                break
            }
        }
        return out.joined(separator: "\n")
    }
}
