import Dispatch
import Foundation
import LeadlineServer
import LeadlineWire

/// `leadlined`: parses the command line and hands over to ``ServerMain``.
ServerMain.run(Array(CommandLine.arguments.dropFirst()))
