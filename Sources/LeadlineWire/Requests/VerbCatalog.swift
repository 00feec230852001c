import LeadlineCore

/// Every verb the server understands, with its grammar and its HELP text.
public enum VerbCatalog {
    public static let verbs: [VerbSpec] = [
        VerbSpec(.help, usage: "HELP [VERB]", summary: "this overview, or one verb in detail",
                 examples: ["HELP", "HELP CLAIM"], needsLogin: false, optional: ["verb"]),
        VerbSpec(.ping, usage: "PING [text]", summary: "check the line: the server answers OK PING with your text",
                 examples: ["PING hello"], needsLogin: false, text: .rest),
        VerbSpec(.login, usage: "LOGIN <name> <token>", summary: "say who you are; most verbs need it",
                 details: ["The owner gives each person a name and a token (leadlined user add).",
                           "A wrong token is answered after a growing delay; too many and the server says BYE."],
                 examples: ["LOGIN maria 9fk2...", "@a1 LOGIN maria 9fk2..."], needsLogin: false,
                 required: ["name", "token"]),
        VerbSpec(.quit, usage: "QUIT", summary: "end the session (the server answers BYE)", needsLogin: false),
        VerbSpec(.new, usage: "NEW key=value ... [:note]", summary: "log a new lead; answers its number and due time",
                 details: ["Keys: kind source urgency name phone email service area address due owner backup value sent job.",
                           "A lead needs phone= or name=. Values with spaces go in quotes: name=\"Jane Roe\".",
                           "kind: " + LeadKind.allCases.map(\.rawValue).joined(separator: " ")
                               + " (default missed-call for a missed-call or voicemail source, else new-lead).",
                           "source: " + LeadSource.allCases.map(\.rawValue).joined(separator: " ") + ".",
                           "urgency: emergency urgent normal (default normal).",
                           "due: when the first response is due; default the kind's window. promised needs it.",
                           "owner=/backup=: supervisors may name them; anyone may name themselves as owner.",
                           "value=: the job's value in dollars; sent=: when an estimate was sent; job=: when a job was done.",
                           "After hours, a lead is due at the next opening plus its window, and owes an acknowledgement."],
                 examples: ["NEW kind=missed-call phone=555-0100 name=\"Jane Roe\" service=\"no heat\" source=voicemail urgency=urgent",
                            "NEW kind=promised phone=555-0199 due=15:30 :promised a call back with parts ETA"],
                 keys: ["kind", "source", "urgency", "name", "phone", "email", "service", "area", "address", "due", "owner", "backup",
                        "value", "sent", "job"],
                 text: .afterColon),
        VerbSpec(.claim, usage: "CLAIM <lead>", summary: "become a lead's primary owner",
                 details: ["If someone else owns it you get ERR CONFLICT naming them.",
                           "Everyone logged in sees EVENT ... CLAIMED."],
                 examples: ["CLAIM 42"], required: ["lead"]),
        VerbSpec(.release, usage: "RELEASE <lead> [reason]", summary: "give a lead back to the queue, saying why",
                 details: ["For the lead's owner, or a dispatcher, ops or owner."],
                 examples: ["RELEASE 42 going to a job site"], required: ["lead"], text: .rest),
        VerbSpec(.assign, usage: "ASSIGN <lead> [<owner>|none] [backup=<name>|none]",
                 summary: "set a lead's owner and/or backup (dispatcher, ops, owner)",
                 examples: ["ASSIGN 42 maria backup=devon", "ASSIGN 42 backup=devon", "ASSIGN 42 none"],
                 required: ["lead"], optional: ["owner"], keys: ["backup"]),
        VerbSpec(.takeover, usage: "TAKEOVER <lead>",
                 summary: "become the owner: the backup once it is overdue, or a dispatcher, ops or owner",
                 details: ["The backup may take over once the lead is overdue, or at once while its owner is away.",
                           "The previous owner becomes the backup (one who is away does not replace a backup)."],
                 examples: ["TAKEOVER 42"], required: ["lead"]),
        VerbSpec(.note, usage: "NOTE <lead> <text>", summary: "add a note to a lead's history",
                 examples: ["NOTE 42 spoke with homeowner, estimate Wed"], required: ["lead"], text: .rest),
        VerbSpec(.attempt, usage: "ATTEMPT <lead> <channel> <outcome> [next=<time>] [note]",
                 summary: "log a callback attempt (the proof the SOP asks for)",
                 details: ["channel: " + AttemptChannel.allCases.map(\.rawValue).joined(separator: " "),
                           "outcome: " + AttemptOutcome.allCases.map(\.rawValue).joined(separator: " "),
                           "next=: when the next touch is due; without it the lead's cadence sets it (none when no cadence applies).",
                           "Times: " + TimeSpec.help + "."],
                 examples: ["ATTEMPT 42 call no-answer next=15:30 :left voicemail",
                            "ATTEMPT 42 text no-answer next=tomorrow"],
                 required: ["lead", "channel", "outcome"], keys: ["next"], text: .rest),
        VerbSpec(.status, usage: "STATUS <lead> <status> [reason=...] [next=<time>] [appt=<time>] [tech=<name>] [value=<dollars>] [note]",
                 summary: "set a lead's status, with its proof",
                 details: ["status: " + LeadStatus.allCases.map(\.rawValue).joined(separator: " "),
                           "disqualified and escalated need reason=; follow-up-scheduled and no-decision need next=;",
                           "booked needs appt= (tech= optional); closed-no-response needs a logged attempt.",
                           "disqualified, closed-no-response and completed close the lead (EVENT ... CLOSED)."],
                 examples: ["STATUS 42 disqualified reason=\"out of area\"", "STATUS 42 follow-up-scheduled next=thu",
                            "STATUS 42 booked appt=\"tomorrow 9am\" tech=tess"],
                 required: ["lead", "status"], keys: ["reason", "next", "appt", "tech", "value"], text: .rest),
        VerbSpec(.outcome, usage: "OUTCOME <lead> <result> [followup=<time>] [value=<dollars>] [note]",
                 summary: "a technician's appointment result: estimate-sent, work-approved or no-decision",
                 details: ["estimate-sent starts the estimate follow-up cadence; no-decision needs followup=.",
                           "For the technician of the lead's appointment, or whoever works the lead."],
                 examples: ["OUTCOME 42 no-decision followup=thu :wants to talk to spouse",
                            "OUTCOME 42 estimate-sent value=8900"],
                 required: ["lead", "result"], keys: ["followup", "value"], text: .rest),
        VerbSpec(.away, usage: "AWAY [reason]", summary: "you are in the field, out or tied up: your backups take over",
                 details: ["The backup of each of your open leads is alerted at once and may TAKEOVER. BACK ends it."],
                 examples: ["AWAY on a job site until 2"], text: .rest),
        VerbSpec(.back, usage: "BACK", summary: "you are back"),
        VerbSpec(.next, usage: "NEXT", summary: "claim the most urgent lead you may take",
                 details: ["An unowned lead, or one you back up whose owner missed it or is away, in priority order:",
                           "emergencies, today's missed calls, promised callbacks, new leads, updates, estimates,",
                           "post-job calls, re-engagement; earliest due first."]),
        VerbSpec(.queue, usage: "QUEUE", summary: "your callbacks, most urgent first (a technician: your visits)",
                 details: ["Leads you own, and those you back up that now need you, as LEAD rows.",
                           "For a technician, the visits booked with them, in time order."]),
        VerbSpec(.agenda, usage: "AGENDA [person] [day]", summary: "a technician's visits on a day, in time order (default: yours, today)",
                 details: ["Each visit as a LEAD row: customer, phone, address, service, time, status.",
                           "Dispatchers, ops and the owner may ask for anyone's: AGENDA tess tomorrow."],
                 examples: ["AGENDA", "AGENDA tomorrow", "AGENDA tess thu"], optional: ["person", "day"]),
        VerbSpec(.review, usage: "REVIEW", summary: "the daily open-loop review: every lead in estimate-sent or no-decision",
                 details: ["Oldest first, each with who owns the next action and by when; missing=owner,date flags a stuck one.",
                           "002 stage 5: the ops lead runs it each morning (and is alerted at the review time)."]),
        VerbSpec(.escalate, usage: "ESCALATE <lead> <reason>", summary: "route an owner-level exception to the owner",
                 details: ["Angry customer, high-value job, warranty dispute, emergency, pricing or financing, commercial account."],
                 examples: ["ESCALATE 42 warranty dispute on the compressor"], required: ["lead"], text: .rest),
        VerbSpec(.merge, usage: "MERGE <duplicate> [into] <lead> [force]", summary: "close a duplicate into the open lead it repeats",
                 details: ["Two leads with different phone numbers merge only with force: MERGE 43 into 42 force."],
                 examples: ["MERGE 43 into 42"], required: ["lead", "target"], optional: ["target", "force"]),
        VerbSpec(.ack, usage: "ACK <lead> [note]", summary: "log the acknowledgement an after-hours lead is owed",
                 details: ["For office roles, on any lead that owes one (ack=owed): it clears ack=owed.",
                           "Not an attempt: the first call stays due at the opening, and the backup trigger still runs."],
                 examples: ["ACK 12 auto-text sent, first call 7:30"], required: ["lead"], text: .rest),
        VerbSpec(.sweep, usage: "SWEEP", summary: "look as the end-of-day sweep would, now (dispatcher, ops, owner)",
                 details: ["Lists every open lead without a documented outcome and alerts the ops lead.",
                           "A look, not the close: the end-of-day sweep still runs, and only it counts in the scorecard."]),
        VerbSpec(.report, usage: "REPORT day|week|range [date] [to] [person=<name|role>]",
                 summary: "the scorecard: speed to first response, backups, escalations, sweeps, estimates",
                 details: ["One SCORE line per figure, the shop's total first, then each person's, then OK REPORT.",
                           "Weeks run Monday to Sunday; dates like 2026-11-23, or today, yesterday, last.",
                           "Dispatchers, ops and the owner see everyone; others see themselves and the shop's totals.",
                           "Each figure is defined in PROTOCOL.md, \"The scorecard\"."],
                 examples: ["REPORT week", "REPORT day yesterday", "REPORT week last person=csr",
                            "REPORT range 2026-11-01 2026-11-30 person=ana"],
                 required: ["period"], optional: ["date", "to"], keys: ["person"]),
        VerbSpec(.export, usage: "EXPORT leads [open|all] [from=<date>] [to=<date>] | EXPORT events | EXPORT report <period>",
                 summary: "leads, the history or a report as CSV rows (dispatcher, ops, owner)",
                 details: ["One CSV line per row (the header first), then OK EXPORT rows=<n>.",
                           "Leads: open (the default) or all, created from/to the days given; columns in PROTOCOL.md.",
                           "leadline export leads > leads.csv writes the file."],
                 examples: ["EXPORT leads", "EXPORT leads all from=2026-11-01", "EXPORT events from=2026-11-23",
                            "EXPORT report week last"],
                 required: ["what"], optional: ["scope", "date", "to"], keys: ["from", "to", "person"]),
        VerbSpec(.importLeads, usage: "IMPORT leads [strict] [system=<name>]",
                 summary: "leads from a CSV file (a CRM's export), all or nothing",
                 details: ["After IMPORT, send the file's lines, then a line holding only a dot (a line of the",
                           "file that starts with a dot gets one more in front). Every bad row is named with its",
                           "line (BADROW), and then nothing is imported; a good file is one change, one IMPORTED event.",
                           "Headers of Jobber, Housecall Pro and ServiceTitan exports are understood; strict refuses",
                           "unknown columns (else they are kept in each lead's note). leadline import leads FILE.csv."],
                 examples: ["IMPORT leads", "IMPORT leads strict system=jobber"],
                 required: ["what"], optional: ["strict"], keys: ["system"]),
        VerbSpec(.rules, usage: "RULES", summary: "the procedure the server runs: trigger, owner, action, limit, proof"),
        VerbSpec(.clock, usage: "CLOCK [ADVANCE <duration|time>]", summary: "the server's time; a simulated clock can be advanced (owner)",
                 details: ["CLOCK ADVANCE 15m, or CLOCK ADVANCE 16:30 (a time with a space may be quoted): every alert",
                           "that falls due on the way arrives first, in time order. Only on a server started with --clock sim."],
                 examples: ["CLOCK", "CLOCK ADVANCE 15m", "CLOCK ADVANCE fri 19:42"], text: .rest),
        VerbSpec(.show, usage: "SHOW <lead>", summary: "one lead and its full history",
                 details: ["Answers a LEAD line, then one HISTORY line per event, then OK SHOW."],
                 examples: ["SHOW 42"], required: ["lead"]),
        VerbSpec(.list, usage: "LIST [open|mine|unowned|overdue|closed|all] [limit=N] [after=CURSOR]",
                 summary: "leads, most urgent first (default open)",
                 details: ["Answers one LEAD line per lead, then OK LIST count=N.",
                           "With limit=N, at most N, and total=T; when more follow, the OK line ends with next=CURSOR:",
                           "LIST ... after=CURSOR goes on from there."],
                 examples: ["LIST mine", "LIST unowned", "LIST open limit=50"], optional: ["filter"], keys: ["limit", "after"]),
        VerbSpec(.who, usage: "WHO", summary: "everyone, their role, whether they are connected, and who is away"),
        VerbSpec(.watch, usage: "WATCH [board|all|alerts|mine|none]", summary: "choose which events you receive",
                 details: ["board (the default): new and closed leads, ownership changes and every alert.",
                           "all: every event. alerts: alerts only. mine: your leads and alerts naming you. none: nothing."],
                 examples: ["WATCH alerts"], optional: ["mode"]),
        VerbSpec(.since, usage: "SINCE <seq>", summary: "replay the events after <seq> that WATCH selects, then carry on live",
                 details: ["Each EVENT line carries its seq; after a dropped connection, ask for what you missed.",
                           "The greeting's epoch= changes only when the journal starts afresh."],
                 examples: ["SINCE 1040"], required: ["seq"]),
        VerbSpec(.keepalive, usage: "KEEPALIVE <seconds>|off",
                 summary: "ask the server for a PING line after that many quiet seconds",
                 details: ["Clients on unreliable networks use it to notice a dead line; answer with PONG (optional)."],
                 examples: ["KEEPALIVE 30"], required: ["seconds"]),
        VerbSpec(.pong, usage: "PONG [n]", summary: "answer a keepalive PING (no reply)", text: .rest),
        VerbSpec(.user, usage: "USER ADD <name> role=<role> | USER TOKEN <name> | USER REMOVE <name>",
                 summary: "manage people (owner role)",
                 details: ["USER ADD and USER TOKEN answer the new token once; only its hash is stored.",
                           "USER REMOVE ends the person's sessions; WHO lists everyone.",
                           "role: " + Role.allCases.map(\.rawValue).joined(separator: " ")],
                 examples: ["USER ADD maria role=csr", "USER TOKEN maria"],
                 required: ["action"], optional: ["name"], keys: ["role"]),
    ]

    private static let byName: [String: VerbSpec] = Dictionary(uniqueKeysWithValues: verbs.map { ($0.name, $0) })

    public static func spec(_ verb: String) -> VerbSpec? { spec(capitals: verb.uppercased()) }

    /// ``spec(_:)`` for a verb already in capitals (the request decoder's).
    static func spec(capitals verb: String) -> VerbSpec? { byName[verb] }

    /// The known verb closest to a mistyped one, if it is close enough to be a typo.
    public static func suggestion(for verb: String) -> String? {
        let upper = verb.uppercased()
        let scored = verbs.map { ($0.name, editDistance(upper, $0.name)) }.min { $0.1 < $1.1 }
        guard let (name, distance) = scored, distance <= max(1, upper.count / 3) else { return nil }
        return name
    }

    /// Edits between two words, counting a swap of neighbours as one (typists swap letters).
    static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        guard !x.isEmpty else { return y.count }
        guard !y.isEmpty else { return x.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in 0...x.count { d[i][0] = i }
        for j in 0...y.count { d[0][j] = j }
        for i in 1...x.count {
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[x.count][y.count]
    }
}
