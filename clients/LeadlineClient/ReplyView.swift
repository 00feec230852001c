import LeadlineWire

/// A reply as a person reads it on a phone: a visit as a two-line card (time, customer,
/// phone; address, service, status), any other lead as one line, and nothing wider
/// than the screen. The short forms (`leadline agenda`, `leadline queue`) print this
/// on a terminal; scripts (`leadline send`, or output to a pipe) get the lines as sent.
public enum ReplyView {
    public static func lines(_ texts: [String], width: Int) -> [String] {
        var out: [String] = []
        let days = Set(texts.compactMap { text -> String? in
            guard case .data(_, "LEAD", _, let f, _) = ServerLine.parse(text) else { return nil }
            return f.value("appt").map { String($0.prefix(10)) }
        })
        var lastDay: String?
        for text in texts {
            guard case .data(_, "LEAD", let words, let f, _) = ServerLine.parse(text), let id = words.first else {
                out.append(fit(text, width))
                continue
            }
            let customer = [f["name"], f["phone"]].compactMap { $0 }.joined(separator: "  ")
            let status = f["status"] ?? ""
            if let appt = f.value("appt") {
                let day = String(appt.prefix(10))
                if days.count > 1, day != lastDay {
                    out.append(day)
                    lastDay = day
                }
                let time = String(appt.dropFirst(11).prefix(5))
                out.append(fit(columns(time + "  #" + id + "  " + customer, status, width), width))
                let place = [f["address"], f["area"]].compactMap { $0 }.joined(separator: ", ")
                let second = [place, f["service"]].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " · ")
                if !second.isEmpty { out.append(fit("       " + second, width)) }
            } else {
                let due = f.value("due").map { "due " + String($0.dropFirst(11).prefix(5)) } ?? "no next step"
                let people = (f.value("owner") ?? "—") + "/" + (f.value("backup") ?? "—")
                out.append(fit("#\(id)  \(f["kind"] ?? "")  \(due)  \(people)  \(status)  \(customer)", width))
            }
        }
        return out
    }

    /// `left` and `right` on one line, `right` flush with the edge when there is room.
    private static func columns(_ left: String, _ right: String, _ width: Int) -> String {
        let gap = width - ColumnWidth.of(left) - ColumnWidth.of(right)
        return gap >= 2 ? left + String(repeating: " ", count: gap) + right : left + "  " + right
    }

    /// Cut to `width` columns, with an ellipsis when cut.
    static func fit(_ text: String, _ width: Int) -> String {
        ColumnWidth.of(text) <= width ? text : ColumnWidth.prefix(text, fitting: max(1, width - 1)) + "…"
    }
}
