import CZlib

/// CRC-32 (zlib's, the IEEE polynomial) of journal lines and snapshots.
///
/// Not a defence against anyone who means harm, only against a disk, a copy or an
/// editor that changed a byte: a changed letter in a note is then caught on replay and
/// by `leadlined check`, not served.
public enum Checksum {
    /// - Parameter continuing: the CRC of bytes before these (of a file written in
    ///   parts), 0 for none: the result is then the CRC of all of them together.
    public static func crc32(_ bytes: some Collection<UInt8>, continuing: UInt32 = 0) -> UInt32 {
        let result: UInt32? = bytes.withContiguousStorageIfAvailable { buf in
            UInt32(CZlib.crc32_z(UInt(continuing), buf.baseAddress, buf.count))
        }
        return result ?? Array(bytes).withUnsafeBufferPointer { UInt32(CZlib.crc32_z(UInt(continuing), $0.baseAddress, $0.count)) }
    }

    /// Eight lower-case hex digits, written at the end of `out` (a journal line's, with
    /// no array of their own).
    public static func appendHex(_ crc: UInt32, to out: inout [UInt8]) {
        for i in (0..<8).reversed() {
            let nibble = UInt8((crc >> (UInt32(i) * 4)) & 0xF)
            out.append(nibble < 10 ? 0x30 + nibble : 0x61 + nibble - 10)
        }
    }

    /// Reads eight hex digits.
    public static func parseHex(_ digits: some Collection<UInt8>) -> UInt32? {
        guard digits.count == 8 else { return nil }
        var v: UInt32 = 0
        for c in digits {
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            default: return nil
            }
            v = v << 4 | d
        }
        return v
    }
}
