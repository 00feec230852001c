import Foundation
import LeadlineTestSupport

/// The real `leadline` executable, run by a test with its own environment; its stdout
/// and stderr are collected line by line as they come.
final class ClientProcess: @unchecked Sendable {
    let process = Process()
    private let out = Lines()
    private let err = Lines()
    private let outPipe = Pipe()
    private let errPipe = Pipe()

    static var executable: String { ServerProcess.productsDirectory.appendingPathComponent("leadline").path }

    /// Piped input, when there is some: kept until the process is gone.
    private var inPipe: Pipe?

    /// - Parameter input: written to the client's standard input, which is then closed,
    ///   unless `keepInputOpen` (a pipe whose writer has not finished); nil: no input.
    init(_ arguments: [String], environment: [String: String], input: String? = nil, keepInputOpen: Bool = false) throws {
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = outPipe
        process.standardError = errPipe
        if input != nil {
            let pipe = Pipe()
            inPipe = pipe
            process.standardInput = pipe
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        collect(outPipe, into: out)
        collect(errPipe, into: err)
        try process.run()
        if let input, let inPipe {
            inPipe.fileHandleForWriting.write(Data(input.utf8))
            if !keepInputOpen { inPipe.fileHandleForWriting.closeFile() }
        }
    }

    private func collect(_ pipe: Pipe, into lines: Lines) {
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if !data.isEmpty { lines.add(data) }
        }
    }

    var stdout: [String] { out.all }
    var stderr: [String] { err.all }

    func waitForExit(timeout: TimeInterval = 15) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        guard !process.isRunning else { return nil }
        usleep(50_000)  // let the last output arrive
        return process.terminationStatus
    }

    func interrupt() { kill(process.processIdentifier, SIGINT) }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

    /// Runs `leadline` to completion: exit status, stdout lines, stderr lines.
    static func run(_ arguments: [String], environment: [String: String], input: String? = nil,
                    keepInputOpen: Bool = false) throws -> (Int32, [String], [String]) {
        let client = try ClientProcess(arguments, environment: environment, input: input, keepInputOpen: keepInputOpen)
        let status = client.waitForExit() ?? -1
        return (status, client.stdout, client.stderr)
    }
}

/// Lines of text arriving in chunks, kept under a lock.
final class Lines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    private var partial = ""

    func add(_ data: Data) {
        lock.lock(); defer { lock.unlock() }
        partial += String(decoding: data, as: UTF8.self)
        while let newline = partial.firstIndex(of: "\n") {
            lines.append(String(partial[..<newline]))
            partial = String(partial[partial.index(after: newline)...])
        }
    }

    var all: [String] {
        lock.lock(); defer { lock.unlock() }
        return lines
    }
}
