import Foundation

/// An optional time in 8 bytes instead of 16: `Date?` needs a ninth byte for "none",
/// which alignment pads to 16. A lead holds nine of them, and a board holds every lead.
/// The time's bits are kept exactly; "none" is a NaN no time has.
@propertyWrapper
public struct PackedDate: Sendable, Equatable {
    private var bits: UInt64
    private static let none: UInt64 = 0x7FF4_C0DE_0000_0001

    public init(wrappedValue: Date?) {
        bits = wrappedValue.map { $0.timeIntervalSinceReferenceDate.bitPattern } ?? Self.none
    }

    public var wrappedValue: Date? {
        get { bits == Self.none ? nil : Date(timeIntervalSinceReferenceDate: Double(bitPattern: bits)) }
        set { bits = newValue.map { $0.timeIntervalSinceReferenceDate.bitPattern } ?? Self.none }
    }
}

/// An optional whole number (a lead id, dollars) in 8 bytes instead of 16; "none" is
/// `Int.min`, which neither can be.
@propertyWrapper
public struct PackedInt: Sendable, Equatable {
    private var raw: Int

    public init(wrappedValue: Int?) { raw = wrappedValue ?? .min }

    public var wrappedValue: Int? {
        get { raw == .min ? nil : raw }
        set { raw = newValue ?? .min }
    }
}
