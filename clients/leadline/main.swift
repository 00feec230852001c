import Foundation
import LeadlineClient

/// `leadline`: the bundled client. Everything is in LeadlineClient; see ClientMain.
ClientMain.run(Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment)
