/// What sort of callback a lead is; it sets the response window and the priority.
public enum LeadKind: String, Vocabulary {
    /// A missed inbound call or voicemail: returned within 5 minutes (003).
    case missedCall = "missed-call"
    /// A new inquiry from a form, LSA, referral, chat or email: 15 minutes (000).
    case newLead = "new-lead"
    /// The customer was promised a call at a time (001, 003).
    case promised
    /// The customer waits on schedule, parts or job status (001).
    case update
    /// Follow-up on a sent estimate, on the estimate cadence (002).
    case estimate
    /// Satisfaction and review call 24–48 h after the job (003).
    case postJob = "post-job"
    /// Re-engagement on an unsold estimate: lowest priority (003).
    case reengage = "re-engage"

    public static let argumentName = "kind"
}

/// Where a lead came from.
public enum LeadSource: String, Vocabulary {
    case webForm = "web-form"
    case missedCall = "missed-call"
    case voicemail, lsa, referral, chat, email, social, phone

    public static let argumentName = "source"
}

/// How urgent the customer's need is; emergencies go to the top of every queue.
public enum Urgency: String, Vocabulary {
    case emergency, urgent, normal

    public static let argumentName = "urgency"
}
