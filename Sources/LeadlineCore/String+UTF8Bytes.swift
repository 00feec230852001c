extension String {
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
