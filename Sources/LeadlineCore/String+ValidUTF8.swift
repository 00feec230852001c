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
}
