/// A string's UTF-8 bytes, both ways: made into a string without the standard
/// library's generic checks, and read where the string holds them.
extension String {
    /// `bytes` as a string when they are valid UTF-8; nil when they are not.
    ///
    /// ASCII, what nearly every protocol and journal line is, is valid as it stands and
    /// is taken on a fast path. Only other text goes through the standard library's
    /// `String(validating:as:)`, which is generic over the encoding and looks its
    /// type metadata up on every call (4 % of a `SHOW`'s CPU, reading back history).
    public init?(validUTF8 bytes: UnsafeBufferPointer<UInt8>) {
        if bytes.allSatisfy({ $0 < 0x80 }) {
            self = String(decoding: bytes, as: UTF8.self)
        } else if let text = String(validating: bytes, as: UTF8.self) {
            self = text
        } else {
            return nil
        }
    }

    /// ``init(validUTF8:)-(UnsafeBufferPointer<UInt8>)`` for bytes in an array slice.
    public init?(validUTF8 bytes: ArraySlice<UInt8>) {
        guard let text = bytes.withUnsafeBufferPointer({ String(validUTF8: $0) }) else { return nil }
        self = text
    }

    /// Calls `body` with the string's UTF-8 bytes where the string holds them (one that
    /// does not hold them contiguously, such as a bridged one, is made native first):
    /// scanning and copying a buffer is several times cheaper than walking `utf8` an
    /// index at a time, which the journal and the wire do for every string they write.
    @inlinable
    public func withUTF8Bytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = utf8.withContiguousStorageIfAvailable(body) { return result }
        var native = self
        return native.withUTF8(body)
    }
}
