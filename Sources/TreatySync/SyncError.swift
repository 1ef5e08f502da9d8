/// Why a change set or a bundle was refused. Each case says what to do about it.
public enum SyncError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bytes do not parse: truncated, wrong magic, a length past the end.
    case malformed(String)
    /// A signature does not verify, or an origin is not the hash of the key that signed.
    case badSignature(origin: String, seq: UInt64)
    /// The bundle's checksum does not match its contents.
    case checksum(expected: String, actual: String)
    /// Over a limit: a decompression bomb, a header claiming too much.
    case tooLarge(String)
    /// A format this build does not read.
    case unsupportedFormat(Int)
    /// The header and the change sets inside disagree.
    case headerMismatch(String)
    /// A version vector that does not parse or names an unknown office.
    case invalidVector(String)

    public var description: String {
        switch self {
        case .malformed(let detail): return "malformed bundle or change set: \(detail)"
        case .badSignature(let origin, let seq):
            return "change set \(seq) of office \(origin.prefix(12)) is not signed by that office's key: refused"
        case .checksum(let expected, let actual):
            return "bundle checksum mismatch: header says \(expected.prefix(16)), contents hash to \(actual.prefix(16)) "
                + "(the file is damaged or was altered)"
        case .tooLarge(let detail): return "refused: \(detail)"
        case .unsupportedFormat(let version):
            return "bundle format \(version) is not supported by this build (it reads format \(BundleFile.formatVersion))"
        case .headerMismatch(let detail): return "bundle header does not match its contents: \(detail)"
        case .invalidVector(let detail): return "invalid version vector: \(detail)"
        }
    }
}
