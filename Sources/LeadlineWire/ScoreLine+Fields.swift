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
