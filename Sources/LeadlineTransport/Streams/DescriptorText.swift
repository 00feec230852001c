import Glibc

/// Text written to a file descriptor (standard output, standard error) straight
/// through `write(2)`, giving up quietly when the reader has gone.
///
/// A server's log must never stop it: a closed pipe (`leadlined 2>&1 | tee log` whose
/// `tee` ended) or a restarted log collector answers EPIPE, and Foundation's
/// `FileHandle.write` traps on that (the server exited at its next log line).
public enum DescriptorText {
    /// Writes all of `text` to `fd`; false if the descriptor refused it (nothing more
    /// is tried: SIGPIPE is ignored by our programs, so the error is all there is).
    @discardableResult
    public static func write(_ text: String, to fd: Int32) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if n > 0 {
                    offset += n
                } else if n < 0, errno == EINTR {
                    continue
                } else {
                    return false
                }
            }
            return true
        }
    }
}
