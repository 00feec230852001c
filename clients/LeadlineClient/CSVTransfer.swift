import Dispatch
import Foundation
import LeadlineWire

/// `leadline export ...` and `leadline import leads FILE.csv`: CSV files to and from
/// the server, for a VA or an owner with no shell on it.
enum CSVTransfer {
    /// Writes the `CSV` rows of an `EXPORT` to standard output, each ended with CRLF.
    static func export(_ line: String, settings: ClientSettings) -> Never {
        request(line, payload: [], settings: settings) { reply in
            guard reply.isOK else {
                for text in reply.texts { Output.line(text, to: 2) }
                exit(1)
            }
            var out = ""
            for row in reply.rows {
                if case .data(_, "CSV", _, _, let text) = row { out += (text ?? "") + "\r\n" }
            }
            Output.write(out)
            exit(0)
        }
    }

    /// Sends `path` after `IMPORT leads`, and prints the answer: the summary, or every
    /// bad row with its line.
    static func importLeads(path: String, strict: Bool, system: String?, settings: ClientSettings, style: Style) -> Never {
        guard let data = FileManager.default.contents(atPath: path) else {
            Output.line("leadline: cannot read \(path)", to: 2)
            exit(2)
        }
        var line = "IMPORT leads"
        if strict { line += " strict" }
        if let system { line += " system=" + ShortForm.quoted(system) }
        request(line, payload: payload(of: data), settings: settings) { reply in
            for text in reply.texts where !text.hasPrefix("IMPORT ") {
                Output.line(text.hasPrefix("ERR ") || text.hasPrefix("BADROW ") ? style.error(text) : text)
            }
            exit(reply.isOK ? 0 : 1)
        }
    }

    /// The file as protocol lines: its physical lines (CRLF, LF or CR), a line that
    /// starts with a dot given one more, then the lone dot that ends it.
    static func payload(of data: Data) -> [String] {
        var text = String(decoding: data, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return lines.map { $0.hasPrefix(".") ? "." + $0 : $0 } + ["."]
    }

    private static func request(_ line: String, payload: [String], settings: ClientSettings,
                                done: @escaping @Sendable (ServerLink.Reply) -> Never) -> Never {
        let link = OneShot.startLink(settings)
        link.queue.async {
            link.send(line, payload: payload) { result in
                switch result {
                case .success(let reply): done(reply)
                case .failure(let error):
                    Output.line("leadline: \(error)", to: 2)
                    exit(3)
                }
            }
        }
        dispatchMain()
    }
}
