/// One figure of a report, as a `SCORE` data line gives it:
/// `SCORE figure=NAME value=NUMBER [person=NAME] [reason=REASON] [of=DENOMINATOR] [unit=...]`.
///
/// Values are held as tenths (minutes and percents have one decimal), so every reader
/// of a report rounds the same way.
public struct ScoreLine: Sendable, Equatable {
    public var figure: ScoreFigure
    /// Ten times the value: 125 is 12.5 minutes or 12.5 %; a count of 3 is 30.
    public var tenths: Int
    /// Whose figure it is; nil for the shop's total.
    public var person: String?
    public var reason: EscalationReason?
    /// What a share or a median is of: how many leads it counts.
    public var of: Int?

    public init(figure: ScoreFigure, tenths: Int, person: String? = nil, reason: EscalationReason? = nil, of: Int? = nil) {
        self.figure = figure
        self.tenths = tenths
        self.person = person
        self.reason = reason
        self.of = of
    }

    /// A whole count.
    public static func count(_ figure: ScoreFigure, _ n: Int, person: String? = nil, reason: EscalationReason? = nil,
                             of: Int? = nil) -> ScoreLine {
        ScoreLine(figure: figure, tenths: n * 10, person: person, reason: reason, of: of)
    }

    /// `value=`: `12.5` for minutes and percents, `3` for counts.
    public var value: String {
        if figure.unit == .count { return String(tenths / 10) }
        return "\(tenths / 10).\(tenths % 10)"
    }

    /// Whether the line measured something: a value above zero, or a share or median
    /// over at least one lead (`0.0 of=3` is a measured zero; `0.0 of=0`, nothing to
    /// measure). Charts draw the two differently.
    public var isMeasured: Bool { tenths > 0 || (of ?? 0) > 0 }

    /// A share `part` of `whole`, as a percent in tenths, rounded half up (0 of 0 is 0).
    public static func percentTenths(_ part: Int, of whole: Int) -> Int {
        whole == 0 ? 0 : (part * 2000 + whole) / (2 * whole)
    }
}
