import Glibc

/// Whole reads and writes at a position in a file, the way the journal, its history
/// reader and the offsets file all need them: `pread`/`pwrite` again after a signal or a
/// short count, until every byte is done or the file says why not.
enum PositionedIO {
    /// Writes all of `bytes` at `offset` in `fd` (the file at `path`, for messages).
    static func write(_ bytes: ArraySlice<UInt8>, to fd: Int32, at offset: Int64, path: String) throws(JournalError) {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress! + done, $0.count - done, off_t(offset) + off_t(done)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw JournalError.io("cannot write \(path): \(errnoText())")
            }
            done += n
        }
    }

    /// The `count` bytes at `offset` in `fd`; the file ending before them is an error.
    static func read(count: Int, from fd: Int32, at offset: Int64, path: String) throws(JournalError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset) + off_t(done)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw JournalError.io("cannot read \(path): \(errnoText())")
            }
            if n == 0 { throw JournalError.io("\(path) ends before byte \(offset + Int64(count))") }
            done += n
        }
        return bytes
    }
}
