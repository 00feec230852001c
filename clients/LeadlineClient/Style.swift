import Glibc

/// ANSI styling, on only for a terminal that wants it: not when output is piped, not
/// when `NO_COLOR` is set (no-color.org), not on a `dumb` terminal.
public struct Style: Sendable {
    public let enabled: Bool

    public init(enabled: Bool) { self.enabled = enabled }

    /// Styling for file descriptor `fd` in this environment.
    public static func detect(fd: Int32 = 1, environment: [String: String]) -> Style {
        let wanted = environment["NO_COLOR"].map { $0.isEmpty } ?? true
        return Style(enabled: wanted && isatty(fd) == 1 && environment["TERM"] != "dumb")
    }

    private func wrap(_ code: String, _ text: String) -> String {
        enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    public func alert(_ text: String) -> String { wrap("1;31", text) }
    public func warning(_ text: String) -> String { wrap("1;33", text) }
    public func error(_ text: String) -> String { wrap("31", text) }
    public func ok(_ text: String) -> String { wrap("32", text) }
    public func dim(_ text: String) -> String { wrap("2", text) }
    public func bold(_ text: String) -> String { wrap("1", text) }
    public func inverse(_ text: String) -> String { wrap("7", text) }
    public func magenta(_ text: String) -> String { wrap("1;35", text) }
}
