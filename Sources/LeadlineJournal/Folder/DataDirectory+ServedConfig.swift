import Foundation
import Glibc

/// The config file the server last started with, remembered in the data folder
/// (`served-config`: its absolute path), so that the offline desk commands
/// (`leadlined report`, `export`, `import`) judge times by the shop's zone and business
/// hours without being given `--config` again. A report computed in the machine's zone
/// instead counts an owner's call at 11:05 in Chicago as after hours.
extension DataDirectory {
    public var servedConfigPath: String { path + "/served-config" }

    /// Records the config file the server starts with (nil: it runs on the defaults).
    /// Best effort: a folder the record cannot be written to still serves.
    public func recordServedConfig(_ config: String?) {
        guard let config else {
            unlink(servedConfigPath)
            return
        }
        guard servedConfig() != config else { return }
        try? Self.writeAtomically(Array((config + "\n").utf8), to: servedConfigPath)
    }

    /// The config file the server last started with; nil when it ran on the defaults
    /// or has not run on this folder.
    public func servedConfig() -> String? {
        guard let data = FileManager.default.contents(atPath: servedConfigPath) else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }
}
