import Foundation

/// A value in an event or reply: text, a whole number or an instant.
///
/// Times stay `Date`s until an encoder writes them, so the wire can show the shop's
/// local time while the journal stores UTC, from the same record.
public enum FieldValue: Sendable, Equatable {
    case text(String)
    case number(Int)
    case time(Date)
}

/// One `key=value` pair.
public struct Field: Sendable, Equatable {
    public let key: String
    public let value: FieldValue

    public init(_ key: String, _ value: String) { self.key = key; self.value = .text(value) }
    public init(_ key: String, _ value: Int) { self.key = key; self.value = .number(value) }
    public init(_ key: String, _ value: Date) { self.key = key; self.value = .time(value) }
    public init(_ key: String, _ value: FieldValue) { self.key = key; self.value = value }
}

/// The neutral, ordered form of an event's change: a type word, fields and free text.
///
/// The wire codec and the journal both encode this one form, so the wire and the log
/// share one vocabulary of keys; decoding checks every field a change needs.
public struct EventRecord: Sendable, Equatable {
    public var type: String
    public var fields: [Field]
    public var text: String?

    public init(type: String, fields: [Field] = [], text: String? = nil) {
        self.type = type
        self.fields = fields
        self.text = text
    }

    /// Adds `key=value` when `value` is present.
    public mutating func add(_ key: String, _ value: String?) {
        if let value { fields.append(Field(key, value)) }
    }

    public mutating func add(_ key: String, _ value: Date?) {
        if let value { fields.append(Field(key, value)) }
    }

    public func value(_ key: String) -> FieldValue? {
        fields.first { $0.key == key }?.value
    }
}

/// A record that does not describe a valid change (a damaged journal line).
public struct RecordError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension EventRecord {
    public func text(_ key: String) throws(RecordError) -> String {
        guard let value = value(key) else { throw RecordError("\(type) lacks \(key)") }
        switch value {
        case .text(let s): return s
        case .number(let n): return String(n)
        case .time: throw RecordError("\(type): \(key) is a time, not text")
        }
    }

    public func optionalText(_ key: String) throws(RecordError) -> String? {
        value(key) == nil ? nil : try text(key)
    }

    public func number(_ key: String) throws(RecordError) -> Int {
        switch value(key) {
        case .number(let n): return n
        case .text(let s):
            guard let n = Int(s) else { throw RecordError("\(type): \(key) is not a number") }
            return n
        default: throw RecordError("\(type) lacks a numeric \(key)")
        }
    }

    /// A time field; the word `none` reads as nil.
    public func optionalTime(_ key: String) throws(RecordError) -> Date? {
        switch value(key) {
        case nil: return nil
        case .time(let d): return d
        case .text("none"): return nil
        case .text(let s):
            guard let d = Timestamp.parse(s) else { throw RecordError("\(type): \(key) is not a time") }
            return d
        case .number: throw RecordError("\(type): \(key) is not a time")
        }
    }

    public func time(_ key: String) throws(RecordError) -> Date {
        guard let d = try optionalTime(key) else { throw RecordError("\(type) lacks \(key)") }
        return d
    }

    /// A person field; `none` reads as nobody.
    public func person(_ key: String) throws(RecordError) -> String? {
        let s = try optionalText(key)
        return s == "none" ? nil : s
    }

    public func word<V: Vocabulary>(_ key: String, as: V.Type) throws(RecordError) -> V {
        let s = try text(key)
        guard let v = V(rawValue: s) else { throw RecordError("\(type): \(key)=\(s) is not a known \(V.argumentName)") }
        return v
    }

    public func optionalWord<V: Vocabulary>(_ key: String, as: V.Type) throws(RecordError) -> V? {
        value(key) == nil ? nil : try word(key, as: V.self)
    }
}
