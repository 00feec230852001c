/// Whether a buffer holds any of a few bytes, looked for eight bytes at a time.
///
/// Every value on a protocol line is checked for the bytes that make it need quotes
/// before it is written: a `LIST` of ten thousand rows checks a megabyte. A word of
/// eight bytes is compared with all eight lanes at once (a lane equal to the byte
/// sought becomes zero after an exclusive or, and a zero lane is found with a
/// subtraction and two masks), so the loop turns once per eight bytes, not per byte.
enum ByteScan {
    /// Up to four bytes to look for, each repeated in every lane of a word.
    struct Set {
        let lanes: (UInt64, UInt64, UInt64, UInt64)
        let bytes: (UInt8, UInt8, UInt8, UInt8)

        /// The bytes `a` to `d`; fewer than four repeat the last one given.
        @inline(__always)
        init(_ a: UInt8, _ b: UInt8, _ c: UInt8? = nil, _ d: UInt8? = nil) {
            let c = c ?? b
            let d = d ?? c
            bytes = (a, b, c, d)
            lanes = (Self.broadcast(a), Self.broadcast(b), Self.broadcast(c), Self.broadcast(d))
        }

        @inline(__always)
        func contains(_ byte: UInt8) -> Bool {
            byte == bytes.0 || byte == bytes.1 || byte == bytes.2 || byte == bytes.3
        }

        /// Whether any of the eight bytes of `word` is one of the set.
        @inline(__always)
        func matchesAnyLane(of word: UInt64) -> Bool {
            (Self.zeroLanes(word ^ lanes.0) | Self.zeroLanes(word ^ lanes.1)
                | Self.zeroLanes(word ^ lanes.2) | Self.zeroLanes(word ^ lanes.3)) != 0
        }

        private static func broadcast(_ byte: UInt8) -> UInt64 { 0x0101_0101_0101_0101 &* UInt64(byte) }

        /// Non-zero exactly when some lane of `x` is zero.
        private static func zeroLanes(_ x: UInt64) -> UInt64 {
            (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080
        }
    }

    /// Whether `bytes` holds any byte of `set`.
    @inline(__always)
    static func holdsAny(of set: Set, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let start = bytes.baseAddress else { return false }
        let raw = UnsafeRawPointer(start)
        var i = 0
        while i + 8 <= bytes.count {
            if set.matchesAnyLane(of: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) { return true }
            i += 8
        }
        while i < bytes.count {
            if set.contains(start[i]) { return true }
            i += 1
        }
        return false
    }
}
