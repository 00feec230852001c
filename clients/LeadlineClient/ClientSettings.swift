import Foundation

/// Where to connect and as whom, from the flags, the environment, the credentials file,
/// or (on a terminal) by asking, in that order.
public struct ClientSettings: Sendable {
    public var address: ServerAddress
    public var user: String
    public var token: String
    public var keepalive: Int

    /// - Parameter useFile: whether to read the credentials file (`leadline login` asks
    ///   afresh instead of reusing what it is about to replace).
    public static func resolve(_ invocation: ClientInvocation, environment: [String: String],
                               ask: Bool, useFile: Bool = true) throws(ClientError) -> ClientSettings {
        let path = invocation.credentials ?? Credentials.defaultPath(environment: environment)
        let file = useFile ? try Credentials.load(path: path) : nil
        let serverText = invocation.server ?? environment["LEADLINE_SERVER"] ?? file?.server
        var address = ServerAddress()
        if let serverText {
            guard let parsed = ServerAddress(serverText) else {
                throw ClientError.usage("the server must be HOST:PORT; got \"\(serverText)\"")
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
        }
        guard let token, !token.isEmpty else {
            throw ClientError.usage("no token for \(user): set LEADLINE_TOKEN, or write \(path) (leadline login)")
        }
        return ClientSettings(address: address, user: user.lowercased(), token: token,
                              keepalive: invocation.keepalive ?? 15)
    }

    public func linkOptions(watch: String?) -> ServerLink.Options {
        var options = ServerLink.Options(address: address, user: user, token: token)
        options.watch = watch
        options.keepalive = keepalive
        return options
    }
}
