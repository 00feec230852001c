import Foundation

// The bundled client arrives with its own issue; until then, say so plainly.
FileHandle.standardError.write(Data("leadline: the bundled client is not built yet; use nc 127.0.0.1 7700 (see README.md)\n".utf8))
exit(1)
