import Dispatch
import Foundation
import LeadlineJournal
import Synchronization
import Testing

/// Storage that records each batch and can be told to fail.
final class RecordingStorage: JournalStorage, @unchecked Sendable {
    let batches = Mutex<[[UInt8]]>([])
    let failing = Atomic<Bool>(false)
    let delay: TimeInterval

    init(delay: TimeInterval = 0) { self.delay = delay }

    func appendDurably(_ bytes: [UInt8]) throws(JournalError) {
        if delay > 0 { Thread.sleep(forTimeInterval: delay) }
        if failing.load(ordering: .relaxed) { throw JournalError.io("disk full (simulated)") }
        batches.withLock { $0.append(bytes) }
    }
}

@Suite struct JournalWriterTests {
    /// Appends `count` one-byte records from the owner queue and waits for them all.
    func appendMany(_ writer: JournalWriter, queue: DispatchQueue, count: Int) -> [Result<Void, JournalError>] {
        let results = Mutex<[Int: Result<Void, JournalError>]>([:])
        let order = Mutex<[Int]>([])
        let done = DispatchSemaphore(value: 0)
        queue.async {
            for i in 0..<count {
                writer.append([UInt8(i % 256)]) { result in
                    results.withLock { $0[i] = result }
                    order.withLock { $0.append(i) }
                    if order.withLock({ $0.count }) == count { done.signal() }
                }
            }
        }
        done.wait()
        #expect(order.withLock { $0 } == Array(0..<count), "completions run in append order")
        return (0..<count).map { i in results.withLock { $0[i]! } }
    }

    @Test func concurrentAppendsShareSyncs() {
        let queue = DispatchQueue(label: "owner")
        let storage = RecordingStorage(delay: 0.01)
        let writer = JournalWriter(storage: storage, owner: queue)
        let results = appendMany(writer, queue: queue, count: 200)
        #expect(results.allSatisfy { if case .success = $0 { true } else { false } })
        let batches = storage.batches.withLock { $0 }
        #expect(batches.flatMap { $0 }.count == 200)
        #expect(batches.count < 10, "200 appends made \(batches.count) syncs")
        #expect(batches.flatMap { $0 } == (0..<200).map { UInt8($0 % 256) })
    }

    /// A batch whose sync takes longer than half a second is told (the server logs it:
    /// every change waited on a slow disk); a quick one is not.
    @Test func aSlowSyncIsTold() {
        let queue = DispatchQueue(label: "owner")
        let slow = Mutex<[Double]>([])
        for delay in [0.0, JournalWriter.slowSyncSeconds + 0.1] {
            let writer = JournalWriter(storage: RecordingStorage(delay: delay), owner: queue)
            queue.sync { writer.slowSync = { seconds in slow.withLock { $0.append(seconds) } } }
            _ = appendMany(writer, queue: queue, count: 1)
        }
        let told = slow.withLock { $0 }
        #expect(told.count == 1)
        #expect((told.first ?? 0) > JournalWriter.slowSyncSeconds)
    }

    /// Each synced batch ends with `batchFinished`, after all its completions (the
    /// server publishes the batch's events then), and its completions come through
    /// `deliver` when one is set (the server's poll thread).
    @Test func aBatchEndsOnceAfterItsCompletionsAndComesThroughDeliver() {
        let queue = DispatchQueue(label: "owner")
        let storage = RecordingStorage(delay: 0.01)
        let writer = JournalWriter(storage: storage, owner: queue)
        let log = Mutex<[String]>([])
        let delivered = Atomic<Int>(0)
        queue.sync {
            writer.batchFinished = { log.withLock { $0.append("end") } }
            writer.deliver = { work in
                delivered.add(1, ordering: .relaxed)
                queue.async(execute: work)
            }
        }
        let results = appendMany(writer, queue: queue, count: 100)
        #expect(results.count == 100)
        queue.sync {}
        let batches = storage.batches.withLock { $0.count }
        let ends = log.withLock { $0 }
        #expect(ends.count == batches, "one end per synced batch")
        #expect(delivered.load(ordering: .relaxed) == batches)
    }

    /// While held, appends wait; `writeHeld` writes them as one batch on the calling
    /// thread while syncs are quick, completing before it returns; an append a
    /// completion makes meanwhile is not stranded.
    @Test func heldAppendsAreWrittenAsOneBatchHereWhileTheDiskIsQuick() {
        let queue = DispatchQueue(label: "owner")
        let storage = RecordingStorage()
        let writer = JournalWriter(storage: storage, owner: queue)
        let holding = Atomic<Bool>(true)
        let done = Mutex<[Int]>([])
        let late = DispatchSemaphore(value: 0)
        queue.sync {
            writer.holding = { holding.load(ordering: .relaxed) }
            for i in 0..<10 {
                writer.append([UInt8(i)]) { _ in
                    done.withLock { $0.append(i) }
                    if i == 9 { writer.append([99]) { _ in late.signal() } }
                }
            }
        }
        #expect(storage.batches.withLock { $0.isEmpty }, "nothing is written while held")
        #expect(queue.sync { writer.hasHeld })
        queue.sync {
            holding.store(false, ordering: .relaxed)
            writer.writeHeld()
            #expect(done.withLock { $0 } == Array(0..<10), "completed before writeHeld returned")
        }
        #expect(late.wait(timeout: .now() + 5) == .success, "the completion's own append is written too")
        #expect(queue.sync { writer.syncedHere } == 1)
        #expect(storage.batches.withLock { $0 } == [Array(0..<10).map(UInt8.init), [99]])
    }

    /// After a sync slower than ``JournalWriter/quickSyncSeconds`` a held batch goes to
    /// the sync queue: a slow disk does not hold the owner's thread.
    @Test func aSlowDiskSendsHeldBatchesToTheSyncQueue() {
        let queue = DispatchQueue(label: "owner")
        let storage = RecordingStorage(delay: JournalWriter.quickSyncSeconds * 5)
        let writer = JournalWriter(storage: storage, owner: queue)
        queue.sync { writer.holding = { true } }
        func heldBatch() {
            let done = DispatchSemaphore(value: 0)
            queue.sync {
                writer.append([1]) { _ in done.signal() }
                writer.writeHeld()
            }
            #expect(done.wait(timeout: .now() + 5) == .success)
        }
        heldBatch()
        #expect(queue.sync { (writer.syncedHere, writer.disksQuick) } == (1, false), "the first is written here and found slow")
        heldBatch()
        #expect(queue.sync { writer.syncedHere } == 1, "the next goes to the sync queue")
    }

    @Test func aFailedBatchFailsEverythingQueuedBehindIt() {
        let queue = DispatchQueue(label: "owner")
        let storage = RecordingStorage(delay: 0.005)
        storage.failing.store(true, ordering: .relaxed)
        let writer = JournalWriter(storage: storage, owner: queue)
        let results = appendMany(writer, queue: queue, count: 50)
        #expect(results.allSatisfy { if case .failure = $0 { true } else { false } })
        storage.failing.store(false, ordering: .relaxed)
        let after = appendMany(writer, queue: queue, count: 5)
        #expect(after.allSatisfy { if case .success = $0 { true } else { false } }, "the writer recovers once storage does")
    }

    /// While open, the file is kept ahead of its content by blanks (so a sync need not
    /// record a new length); lines go where the content ends, and a clean close cuts
    /// the blanks off.
    @Test func theFileWritesIntoRoomMadeAheadAndLeavesNoneWhenClosed() throws {
        let folder = TempFolder()
        folder.write(Array("header\n".utf8))
        var file: JournalFile? = try JournalFile(path: folder.journal)
        try file?.appendDurably(Array("one\n".utf8))
        try file?.appendDurably(Array("two\n".utf8))
        let open = folder.read()
        #expect(open.count >= JournalPadding.step)
        #expect(JournalPadding.trimmed(open) == Array("header\none\ntwo\n".utf8))
        #expect(try JournalPadding.contentLength(path: folder.journal) == 15)
        file = nil
        #expect(folder.read() == Array("header\none\ntwo\n".utf8))
    }

    /// A file left with room after a crash is appended to where its content ends (a
    /// tool that writes to the folder before any server replays it).
    @Test func aFileLeftWithRoomIsAppendedToWhereItsContentEnds() throws {
        let folder = TempFolder()
        folder.write(Array("header\n".utf8) + [UInt8](repeating: JournalPadding.byte, count: 100_000))
        var file: JournalFile? = try JournalFile(path: folder.journal)
        try file?.appendDurably(Array("one\n".utf8))
        file = nil
        #expect(folder.read() == Array("header\none\n".utf8))
    }
}

@Suite struct DataDirectoryTests {
    @Test func onlyOneHolderAtATime() throws {
        let folder = TempFolder()
        let data = DataDirectory(path: folder.path + "/data")
        try data.create()
        let first = try data.lock(as: "first writer")
        #expect {
            try data.lock(as: "second writer")
        } throws: { error in
            guard case JournalError.locked(_, let holder) = error else { return false }
            return holder.hasPrefix("first writer (pid ")
        }
        withExtendedLifetime(first) {}
    }
}
