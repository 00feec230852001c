import Foundation
import Glibc

/// A file only its owner may read, in a folder only its owner may enter: credentials,
/// and the fingerprints of the servers a person chose to trust.
enum PrivateFile {
    /// Writes `text` to `path` (mode 600), replacing it whole: written beside it, then
    /// renamed over it, so a crash leaves the old file or the new one.
    static func write(_ text: String, to path: String) throws(ClientError) {
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw ClientError.usage("cannot create \(folder): \(error.localizedDescription)")
        }
        let temporary = path + ".new"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ClientError.usage("cannot write \(path): \(String(cString: strerror(errno)))") }
        fchmod(fd, 0o600)
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress!, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw ClientError.usage("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// The text of `path`: nil if there is none; refused if others can read it.
    static func read(_ path: String) throws(ClientError) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { return nil }
            throw ClientError.usage("cannot read \(path): \(String(cString: strerror(errno)))")
        }
        let mode = info.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw ClientError.usage(String(format: "refusing to use %@: others can read it (mode %03o); run: chmod 600 %@", path, mode, path))
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw ClientError.usage("cannot read \(path)") }
        return String(decoding: data, as: UTF8.self)
    }

    /// `$XDG_CONFIG_HOME/leadline/NAME`, else `~/.config/leadline/NAME`.
    static func configPath(_ name: String, environment: [String: String]) -> String {
        let config = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.config"
        return config + "/leadline/" + name
    }
}
