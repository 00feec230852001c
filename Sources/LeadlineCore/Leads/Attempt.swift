import Foundation

/// How a callback attempt was made.
public enum AttemptChannel: String, Vocabulary {
    case call, text, voicemail, email
    public static let argumentName = "channel"
}

/// What came of a callback attempt.
public enum AttemptOutcome: String, Vocabulary {
    case connected
    case noAnswer = "no-answer"
    case leftVoicemail = "left-voicemail"
    case wrongNumber = "wrong-number"
    case replied
    public static let argumentName = "outcome"

    /// Whether the customer was actually reached.
    public var reachedCustomer: Bool { self == .connected || self == .replied }
}

/// One logged callback attempt: "if it's not logged, it didn't happen" (003).
public struct Attempt: Sendable, Equatable {
    public let seq: UInt64
    public let at: Date
    public let by: String
    public let channel: AttemptChannel
    public let outcome: AttemptOutcome
    public let note: String?

    public init(seq: UInt64, at: Date, by: String, channel: AttemptChannel, outcome: AttemptOutcome, note: String?) {
        self.seq = seq
        self.at = at
        self.by = by
        self.channel = channel
        self.outcome = outcome
        self.note = note
    }
}

extension LeadStatus {
    /// The status a working lead moves to after an attempt, so that the board shows
    /// the truth without a second command: a voicemail left means `left-message`, a
    /// text means `text-sent`, a reply `customer-replied`, a conversation `in-progress`.
    /// Leads past the working statuses keep theirs.
    public func after(_ channel: AttemptChannel, _ outcome: AttemptOutcome) -> LeadStatus {
        guard isWorking else { return self }
        switch outcome {
        case .replied: return .customerReplied
        case .connected: return .inProgress
        case .leftVoicemail: return .leftMessage
        case .noAnswer, .wrongNumber:
            switch channel {
            case .text: return .textSent
            case .voicemail: return .leftMessage
            case .call, .email: return self
            }
        }
    }
}
