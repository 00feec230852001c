import Glibc
import LeadlineTransport

/// Why the link to the server failed, for a person.
public struct LinkError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// One connection to the server: the socket, and the stream the protocol runs on (TLS
/// over the socket for a `tls://` address), with what the TLS handshake found out about
/// the server's certificate.
final class LinkConnection: @unchecked Sendable {
    let socket: Socket
    let stream: ByteStream
    /// The server's certificate, checked (TLS only).
    let verification: TLSStream.Verification?

    private init(socket: Socket, stream: ByteStream, verification: TLSStream.Verification?) {
        self.socket = socket
        self.stream = stream
        self.verification = verification
    }

    /// Connects (and for TLS, completes the handshake) within `timeout` seconds each.
    /// Blocking: call it off the link's queue.
    static func open(_ address: ServerAddress, tls context: TLSContext?, timeout: Double) throws(LinkError) -> LinkConnection {
        let socket: Socket
        do {
            socket = try Socket.connect(host: address.host, port: address.port, timeout: timeout)
        } catch {
            throw LinkError(error.description)
        }
        guard let context else {
            return LinkConnection(socket: socket, stream: SocketStream(socket), verification: nil)
        }
        do {
            let tls = try TLSStream(client: context, host: address.host, over: SocketStream(socket))
            try tls.completeHandshake(waitingOn: socket, timeout: timeout)
            return LinkConnection(socket: socket, stream: tls, verification: tls.verification)
        } catch {
            socket.close()
            throw LinkError("\(address): \(error)")
        }
    }

    func writeAll(_ bytes: [UInt8]) -> Bool { stream.writeAll(bytes, waitingOn: socket) }

    /// Ends the connection (a TLS close_notify first, if it can go out now).
    func close() {
        stream.shutdownWrite()
        stream.close()
    }
}
