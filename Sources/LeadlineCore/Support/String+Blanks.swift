/// Trimming spaces and tabs without Foundation: requests are trimmed on the hot path,
/// and `trimmingCharacters(in:)` goes through NSString.
extension String {
    /// The string without leading and trailing blanks: tabs and Unicode space separators
    /// (what `CharacterSet.whitespaces` holds). Returns `self` when there are none.
    public var trimmingBlanks: String {
        let scalars = unicodeScalars
        guard let first = scalars.first, let last = scalars.last, first.isBlank || last.isBlank else { return self }
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, scalars[start].isBlank { start = scalars.index(after: start) }
        while end > start, scalars[scalars.index(before: end)].isBlank { end = scalars.index(before: end) }
        return String(scalars[start..<end])
    }

    /// Whether the string holds nothing but blanks (or nothing): `trimmingBlanks.isEmpty`
    /// without making the trimmed string (every `NOTE`'s text is asked).
    public var isAllBlanks: Bool {
        unicodeScalars.allSatisfy(\.isBlank)
    }
}

extension Unicode.Scalar {
    /// A tab, or a space separator (U+0020, no-break space, the typographic spaces...).
    var isBlank: Bool {
        value == 0x09 || value == 0x20 || (value > 0x7F && properties.generalCategory == .spaceSeparator)
    }
}
