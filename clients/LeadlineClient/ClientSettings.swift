import Foundation
import LeadlineTransport

/// Where to connect and as whom, from the flags, the environment, the credentials file,
/// or (on a terminal) by asking, in that order.
public struct ClientSettings: Sendable {
    public var address: ServerAddress
    public var user: String
    public var token: String
    public var keepalive: Int
    /// One-shot requests: seconds to keep trying to reach the server (`--wait`).
    public var wait: Double = 10
    /// TLS: which certificates the link accepts (settled by ``settleTrust(_:environment:ask:)``).
    public var tls = ServerLink.TLSOptions()

    /// - Parameter useFile: whether to read the credentials file (`leadline login` asks
    ///   afresh instead of reusing what it is about to replace).
    /// - Parameter tokenFromInput: with no terminal, read the token from the first line
    ///   of the input (`echo TOKEN | leadline login`). Only `login`: any other command's
    ///   input is requests, whose first line must never be taken for a token.
    public static func resolve(_ invocation: ClientInvocation, environment: [String: String],
                               ask: Bool, useFile: Bool = true, tokenFromInput: Bool = false) throws(ClientError) -> ClientSettings {
        let path = invocation.credentials ?? Credentials.defaultPath(environment: environment)
        let file = useFile ? try Credentials.load(path: path) : nil
        let serverText = invocation.server ?? environment["LEADLINE_SERVER"] ?? file?.server
        var address = ServerAddress()
        if let serverText {
            guard let parsed = ServerAddress(serverText) else {
                throw ClientError.usage("the server must be HOST:PORT, or tls://HOST:PORT for TLS; got \"\(serverText)\"")
            }
            address = parsed
        }
        let terminal = Terminal()
        var user = invocation.user ?? environment["LEADLINE_USER"] ?? file?.user
        if user == nil, ask, Terminal.isTerminal(0) {
            Output.write("name: ", to: 2)
            user = Output.readLine()?.trimmingCharacters(in: .whitespaces)
        }
        guard let user, !user.isEmpty else {
            throw ClientError.usage("who are you? give --user NAME, set LEADLINE_USER, or write \(path) (leadline login)")
        }
        var token = environment["LEADLINE_TOKEN"] ?? (file?.user == nil || file?.user == user ? file?.token : nil)
        if token == nil, ask, Terminal.isTerminal(0) {
            token = terminal.readSecret(prompt: "token for \(user): ")?.trimmingCharacters(in: .whitespaces)
        } else if token == nil, tokenFromInput {
            token = Output.readLine()?.trimmingCharacters(in: .whitespaces)
        }
        guard let token, !token.isEmpty else {
            throw ClientError.usage(tokenFromInput
                ? "no token for \(user): type it when asked, give it on the input (echo TOKEN | leadline login --user \(user)), or set LEADLINE_TOKEN"
                : "no token for \(user): set LEADLINE_TOKEN, or write \(path) (leadline login)")
        }
        var settings = ClientSettings(address: address, user: user.lowercased(), token: token,
                                      keepalive: invocation.keepalive ?? 15)
        settings.wait = invocation.wait ?? 10
        settings.tls.caFile = invocation.caFile ?? environment["LEADLINE_CA_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        return settings
    }

    /// For a `tls://` server: settles, before the first connection, which certificate
    /// to accept (see ``ServerTrust``), asking the person through `ask` if need be.
    public mutating func settleTrust(_ invocation: ClientInvocation, environment: [String: String],
                                     ask: ServerTrust.Ask) throws(ClientError) {
        guard address.secure else {
            if invocation.trust != nil || invocation.caFile != nil {
                throw ClientError.usage("--trust and --ca-file are for TLS: --server tls://HOST:PORT")
            }
            return
        }
        let context: TLSContext
        do {
            context = try TLSContext.client(caFile: tls.caFile)
        } catch {
            throw ClientError.usage("TLS: \(error)")
        }
        var known = try KnownServers.load(path: KnownServers.defaultPath(environment: environment))
        tls.pinned = try ServerTrust.settle(address, context: context, given: invocation.trust, known: &known, ask: ask)
    }

    public func linkOptions(watch: String?) -> ServerLink.Options {
        var options = ServerLink.Options(address: address, user: user, token: token)
        options.watch = watch
        options.keepalive = keepalive
        options.tls = tls
        return options
    }
}
