import Foundation
import LeadlineCore
import LeadlineJournal

/// `leadlined user ...`: managing people straight in the data folder, with the server stopped.
///
/// Changes take the folder's lock exactly as the server does, so they never
/// interleave with a running server's writes: if the server holds the lock, the
/// command is refused and told to go through the server (`USER ADD` as an owner).
/// Listing only reads, and works either way.
public enum DataFolderAdmin {
    /// Runs `action`; returns what to print on stdout (a new token alone, for scripts).
    /// - Parameter policy: the shop's, so that someone it names is not removed (the
    ///   server would refuse to start on the folder).
    public static func run(_ action: UserAction, dataDirectory: String, policy: Policy = Policy(),
                           now: Date = Date()) throws(ServerError) -> String {
        let folder = DataDirectory(path: dataDirectory)
        switch action {
        case .list:
            return try list(folder, now: now)
        case .add(let name, let role):
            let token = TokenHasher.newToken()
            try change(folder, .addPerson(name: name, role: role, tokenHash: TokenHasher.hash(token)), policy: policy, now: now)
            return token
        case .token(let name):
            let token = TokenHasher.newToken()
            try change(folder, .replaceToken(name: name, tokenHash: TokenHasher.hash(token)), policy: policy, now: now)
            return token
        case .remove(let name):
            try change(folder, .removePerson(name: name), policy: policy, now: now)
            return "removed \(name.lowercased())"
        }
    }

    /// When a change made offline happens: on a drill's folder, by the drill's clock
    /// where it stopped (a real-clock stamp — a lead handed back by a removal, an
    /// import — would make it a folder of real work, which neither a drill nor a shop
    /// could start on); otherwise now.
    static func offlineTime(of board: Board, now: Date) -> (at: Date, simulated: Bool) {
        let drill = board.drillStoppedAt
        return (Timestamp.truncatedToMillis(drill ?? now), drill != nil)
    }

    /// Appends `events` to the stopped server's journal, durably.
    static func append(_ events: [Event], to folder: DataDirectory) throws(ServerError) {
        do {
            let file = try JournalFile(path: folder.journalPath)
            try file.appendDurably(events.flatMap(JournalCodec.encode))
        } catch {
            throw ServerError.journal(error)
        }
    }

    /// Decides and durably records one people command under the folder's lock.
    private static func change(_ folder: DataDirectory, _ command: Command, policy: Policy, now: Date) throws(ServerError) {
        let usedBefore = folder.evidenceOfUse()
        let lock = try takeLock(folder)
        defer { withExtendedLifetime(lock) {} }
        var board = Board(policy: policy)
        do {
            let report = try JournalReader.replay(path: folder.journalPath, into: &board, now: now, usedBefore: usedBefore)
            lock.recordJournal(epoch: report.header.epoch)
        } catch {
            throw ServerError.journal(error)
        }
        let (at, simulated) = offlineTime(of: board, now: now)
        let decision: Decision
        switch board.decide(command, by: nil, at: at) {
        case .success(let d): decision = d
        case .failure(let error): throw ServerError.configuration(error.message)
        }
        try append(board.stamp(decision.changes, by: nil, at: at, simulated: simulated), to: folder)
    }

    /// Takes the folder's lock for an offline command, or explains that the server holds it.
    static func takeLock(_ folder: DataDirectory, for command: String = "leadlined user command",
                         instead: String? = nil) throws(ServerError) -> DirectoryLock {
        let result: Result<DirectoryLock, JournalError> = Result { () throws(JournalError) in
            try folder.create()
            return try folder.lock(as: command)
        }
        switch result {
        case .success(let lock):
            return lock
        case .failure(.locked(let path, let holder)):
            throw ServerError.configuration("the data folder \(path) is held by \(holder). " + (instead.map { $0.prefix(1).uppercased() + $0.dropFirst() + "." } ?? (
                "Change people through the running server: "
                + "log in as an owner and send USER ADD <name> role=<role>, USER TOKEN <name> or USER REMOVE <name>; "
                + "or stop the server first.")))
        case .failure(let error):
            throw ServerError.journal(error)
        }
    }

    private static func list(_ folder: DataDirectory, now: Date) throws(ServerError) -> String {
        guard FileManager.default.fileExists(atPath: folder.journalPath) else {
            return "nobody yet: \(folder.path) holds no journal"
        }
        var board = Board()
        do {
            _ = try JournalReader.replay(path: folder.journalPath, into: &board, now: now, readOnly: true)
        } catch {
            throw ServerError.journal(error)
        }
        let people = board.people.values.sorted { $0.name < $1.name }
        if people.isEmpty { return "nobody yet" }
        return people.map { "\($0.name)\t\($0.role.rawValue)" }.joined(separator: "\n")
    }
}
