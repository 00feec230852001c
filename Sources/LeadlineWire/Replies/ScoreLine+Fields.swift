import LeadlineCore

extension ScoreLine {
    /// The fields of a `SCORE` line, in the fixed order scripts read:
    /// `figure= value= [person=] [reason=] [of=] unit=`.
    public var fields: [Field] {
        var out = [Field("figure", figure.rawValue), Field("value", value)]
        if let person { out.append(Field("person", person)) }
        if let reason { out.append(Field("reason", reason.rawValue)) }
        if let of { out.append(Field("of", of)) }
        out.append(Field("unit", figure.unit.rawValue))
        return out
    }
}

extension ScoreLine {
    /// Reads a `SCORE` line's fields back (the client's and the tests' side); nil when
    /// they are not a score's.
    public init?(fields f: WireFields) {
        guard let figure = f["figure"].flatMap(ScoreFigure.init(rawValue:)), let value = f["value"],
              let tenths = Self.tenths(value) else { return nil }
        self.init(figure: figure, tenths: tenths, person: f["person"],
                  reason: f["reason"].flatMap(EscalationReason.init(rawValue:)), of: f["of"].flatMap { Int($0) })
    }

    /// `12.5` → 125, `3` → 30.
    static func tenths(_ text: String) -> Int? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard let whole = Int(parts[0]) else { return nil }
        guard parts.count == 2 else { return parts.count == 1 ? whole * 10 : nil }
        guard parts[1].count == 1, let tenth = Int(parts[1]) else { return nil }
        return whole * 10 + tenth
    }
}
