import Foundation
import Glibc

/// The real `leadlined` executable, run as a child process, for what only a real
/// process shows: `kill -9`, signals, exit codes, stdout.
public final class ServerProcess: @unchecked Sendable {
    public let process = Process()
    public private(set) var port: UInt16 = 0
    private let output = Pipe()
    private let errors = Pipe()
    /// What the server printed on stdout so far (read by ``waitForOutput(_:timeout:)``).
    public private(set) var printed = ""

    /// The directory holding the built executables (next to the test bundle).
    public static var productsDirectory: URL {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        if url.lastPathComponent.hasSuffix(".xctest") { url.deleteLastPathComponent() }
        // `swift test` may run the bundle from inside it.
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("leadlined").path), url.path != "/" {
            url.deleteLastPathComponent()
        }
        return url
    }

    public static var executable: String { productsDirectory.appendingPathComponent("leadlined").path }

    /// Runs `leadlined` with `arguments` and waits until it says where it listens.
    public init(arguments: [String], environment: [String: String]? = nil) throws {
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        if let text = waitForOutput(#"listening on [^:]+:(\d+)"#, timeout: 20) {
            port = UInt16(text.split(separator: ":").last!)!
            return
        }
        process.terminate()
        throw ClientError("leadlined did not start: \(printed) \(String(decoding: errors.fileHandleForReading.availableData, as: UTF8.self))")
    }

    /// Reads stdout until `pattern` (a regular expression) matches what was printed;
    /// returns the match, or nil at the end of output or after `timeout`.
    public func waitForOutput(_ pattern: String, timeout: TimeInterval = 10) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        let handle = output.fileHandleForReading
        while true {
            if let range = printed.range(of: pattern, options: .regularExpression) { return String(printed[range]) }
            guard Date() < deadline else { return nil }
            let chunk = handle.availableData
            if chunk.isEmpty { return nil }
            printed += String(decoding: chunk, as: UTF8.self)
        }
    }

    /// What the server wrote on stderr (its log), once it has exited.
    public var errorOutput: String {
        String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    /// Stops reading the server's stderr: its log's reader has gone, and each line it
    /// writes after meets a closed pipe (EPIPE), as when a log collector restarts.
    public func closeErrorOutput() {
        try? errors.fileHandleForReading.close()
    }

    public func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    public func terminate() {
        kill(process.processIdentifier, SIGTERM)
    }

    /// Waits for the process to end; returns its exit status (or nil after `timeout`).
    public func waitForExit(timeout: TimeInterval = 10) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// Runs `leadlined` to completion with `arguments`: exit status, stdout, stderr.
    public static func run(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    deinit {
        if process.isRunning { kill9() }
    }
}
