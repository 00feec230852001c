import Foundation

/// A compact binary writer for snapshots: variable-length integers, strings, exact
/// dates. Pure: bytes in memory, no I/O.
public struct SnapshotWriter {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func uint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    public mutating func int(_ value: Int) {
        let v = Int64(value)
        uint(UInt64(bitPattern: (v << 1) ^ (v >> 63)))
    }

    public mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    public mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            uint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    /// A date exactly as it is (its bit pattern), so what is read back compares equal.
    public mutating func date(_ value: Date) {
        let bits = value.timeIntervalSinceReferenceDate.bitPattern
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8((bits >> UInt64(shift)) & 0xFF)) }
    }

    public mutating func optional<T>(_ value: T?, _ write: (inout SnapshotWriter, T) -> Void) {
        guard let value else {
            bytes.append(0)
            return
        }
        bytes.append(1)
        write(&self, value)
    }

    public mutating func array<T>(_ values: some Collection<T>, _ write: (inout SnapshotWriter, T) -> Void) {
        uint(UInt64(values.count))
        for value in values { write(&self, value) }
    }

    public mutating func raw(_ more: [UInt8]) { bytes.append(contentsOf: more) }
}

/// Reads what ``SnapshotWriter`` wrote; every read checks it stays inside the bytes,
/// so a damaged snapshot is refused, never trusted.
public struct SnapshotReader {
    private let bytes: [UInt8]
    public private(set) var position: Int

    public init(_ bytes: [UInt8], from position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    public var atEnd: Bool { position == bytes.count }

    private func damaged(_ what: String) -> RecordError { RecordError("the snapshot is damaged (\(what) at byte \(position))") }

    public mutating func uint() throws(RecordError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < bytes.count, shift < 64 else { throw damaged("a number") }
            let b = bytes[position]
            position += 1
            value |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return value }
            shift += 7
        }
    }

    public mutating func int() throws(RecordError) -> Int {
        let u = try uint()
        let v = Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
        guard let int = Int(exactly: v) else { throw damaged("a number") }
        return int
    }

    public mutating func count() throws(RecordError) -> Int {
        let n = try uint()
        guard n <= UInt64(bytes.count - position) else { throw damaged("a count") }
        return Int(n)
    }

    public mutating func bool() throws(RecordError) -> Bool {
        guard position < bytes.count, bytes[position] <= 1 else { throw damaged("a flag") }
        defer { position += 1 }
        return bytes[position] == 1
    }

    public mutating func string() throws(RecordError) -> String {
        let n = try count()
        defer { position += n }
        guard let text = String(validUTF8: bytes[position..<position + n]) else { throw damaged("text") }
        return text
    }

    public mutating func date() throws(RecordError) -> Date {
        guard bytes.count - position >= 8 else { throw damaged("a time") }
        var bits: UInt64 = 0
        for i in 0..<8 { bits |= UInt64(bytes[position + i]) << UInt64(8 * i) }
        position += 8
        return Date(timeIntervalSinceReferenceDate: Double(bitPattern: bits))
    }

    public mutating func word<T: RawRepresentable>(_ type: T.Type) throws(RecordError) -> T where T.RawValue == String {
        let text = try string()
        guard let value = T(rawValue: text) else { throw damaged("\"\(text)\", which is not a \(T.self)") }
        return value
    }

    public mutating func optional<T>(_ read: (inout SnapshotReader) throws(RecordError) -> T) throws(RecordError) -> T? {
        try bool() ? try read(&self) : nil
    }

    public mutating func array<T>(_ read: (inout SnapshotReader) throws(RecordError) -> T) throws(RecordError) -> [T] {
        let n = try count()
        var out: [T] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try read(&self)) }
        return out
    }

    /// The next `n` bytes, as they are.
    public mutating func raw(_ n: Int) throws(RecordError) -> ArraySlice<UInt8> {
        guard n >= 0, bytes.count - position >= n else { throw damaged("a block") }
        defer { position += n }
        return bytes[position..<position + n]
    }
}
