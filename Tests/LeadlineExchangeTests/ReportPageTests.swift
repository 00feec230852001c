import LeadlineCore
@testable import LeadlineExchange
import Testing

/// The owner's page draws a measured zero (0.0 % of 3 leads) apart from a day with
/// nothing to measure, as the terminal's sparkline does (`▁` and `·`).
@Suite struct ReportPageTests {
    @Test func aMeasuredZeroIsDrawnApartFromNothing() {
        let figure = ScoreFigure.sameDayCallback
        let days: [(LocalDate, [ScoreLine])] = [
            (LocalDate("2026-11-23")!, [ScoreLine(figure: figure, tenths: 500, of: 2)]),
            (LocalDate("2026-11-24")!, [ScoreLine(figure: figure, tenths: 0, of: 3)]),
            (LocalDate("2026-11-25")!, [ScoreLine(figure: figure, tenths: 0, of: 0)]),
        ]
        let svg = ReportPage.chart(figure, days)
        let bars = svg.split(separator: "<rect").dropFirst().map { String($0) }
        #expect(bars.count == 3)
        #expect(bars[1].contains("fill=\"#2f6fdf\"") && bars[1].contains("height=\"2\""), "a measured zero: a low blue bar: \(bars[1])")
        #expect(bars[2].contains("fill=\"#d5dae1\"") && bars[2].contains("height=\"1\""), "nothing to measure: a grey line: \(bars[2])")
        #expect(svg.contains(">0.0</text>"), "the zero is labelled")
        #expect(svg.components(separatedBy: "</text>").count - 1 == 5, "two values and three dates: nothing labels the empty day")
    }
}
