import CCrypt
import Glibc

/// Login tokens: made from the system's random source, stored only as libcrypt hashes.
///
/// Tokens are 160 random bits, so no dictionary or brute-force attack applies to a
/// stolen hash; yescrypt (libxcrypt's modern method) at a low cost keeps a login
/// around a millisecond, which matters when a crew's phones all reconnect at once.
/// Hashing runs off the socket queue (see `Hub+Login.swift`).
public enum TokenHasher {
    /// yescrypt's cost parameter (libxcrypt's default is 5, about 20 ms here).
    static let cost: UInt = 1

    /// A new token: 32 characters of base32 (160 bits).
    public static func newToken() -> String {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)
        var out: [UInt8] = []
        for _ in 0..<32 { out.append(alphabet[Int(rng.next(upperBound: UInt32(32)))]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The hash to store for `token`.
    public static func hash(_ token: String) -> String {
        var setting = [CChar](repeating: 0, count: Int(CRYPT_GENSALT_OUTPUT_SIZE))
        guard crypt_gensalt_rn("$y$", cost, nil, 0, &setting, Int32(setting.count)) != nil else {
            fatalError("libcrypt cannot make a yescrypt salt: \(String(cString: strerror(errno)))")
        }
        let result = withCryptData { crypt_r(token, setting, $0).map { String(cString: $0) } }
        guard let result, !result.hasPrefix("*") else {
            fatalError("libcrypt cannot hash with yescrypt")
        }
        return result
    }

    /// Whether `token` matches `hash` (compared in constant time).
    public static func verify(_ token: String, hash: String) -> Bool {
        guard let computed = withCryptData({ crypt_r(token, hash, $0).map { String(cString: $0) } }) else { return false }
        let a = Array(computed.utf8), b = Array(hash.utf8)
        guard a.count == b.count, !computed.hasPrefix("*") else { return false }
        var difference: UInt8 = 0
        for i in 0..<a.count { difference |= a[i] ^ b[i] }
        return difference == 0
    }

    /// A valid hash of no token anyone has, so that a login for an unknown name costs
    /// the same time as one with a wrong token.
    static let decoy: String = hash(newToken())

    private static func withCryptData<T>(_ body: (UnsafeMutablePointer<crypt_data>) -> T) -> T {
        let data = UnsafeMutablePointer<crypt_data>.allocate(capacity: 1)
        memset(data, 0, MemoryLayout<crypt_data>.size)
        defer { data.deallocate() }
        return body(data)
    }
}
