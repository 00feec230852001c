import Foundation
import LeadlineCore

/// Reads the config's `policy` section into a ``Policy``; every field is optional
/// and defaults to PRODUCT.md's procedure.
enum PolicyFile {
    static func apply(_ o: ConfigObject, to policy: inout Policy) throws(ServerError) {
        try o.allow(["timeZone"])
        if let name = try o.string("timeZone") {
            guard let zone = TimeZone(identifier: name) else {
                throw o.error("timeZone", "\"\(name)\" is not an IANA time zone name (for example America/Chicago)")
            }
            policy.timeZone = zone
        }
    }
}
