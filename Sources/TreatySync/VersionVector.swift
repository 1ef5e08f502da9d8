import Foundation

/// For each origin office, the highest sequence number held from it (change sets are applied in each
/// origin's order, so everything up to that number is held too).
public struct VersionVector: Sendable, Hashable, CustomStringConvertible {
    /// Office id (64 hex characters) to sequence number. Zero entries are left out.
    public private(set) var entries: [String: UInt64]

    /// The highest sequence number there can be: the database keeps them as signed 64-bit integers. A larger one
    /// (from a peer's vector, a dependency, `--since`) stands for this one, which no office will ever reach either.
    public static let maximumSequence = UInt64(Int64.max)

    public init(_ entries: [String: UInt64] = [:]) {
        self.entries = entries.filter { $0.value > 0 }.mapValues { min($0, Self.maximumSequence) }
    }

    public subscript(origin: String) -> UInt64 {
        get { entries[origin] ?? 0 }
        set { entries[origin] = newValue == 0 ? nil : min(newValue, Self.maximumSequence) }
    }

    /// True when this vector holds everything `other` holds.
    public func includes(_ other: VersionVector) -> Bool {
        other.entries.allSatisfy { self[$0.key] >= $0.value }
    }

    /// The entrywise maximum.
    public func merged(with other: VersionVector) -> VersionVector {
        var result = self
        for (origin, seq) in other.entries where seq > result[origin] { result[origin] = seq }
        return result
    }

    /// `origin:seq` pairs separated by commas, origins sorted: the form `treaty sync status` prints and
    /// `--since` reads.
    public var description: String {
        entries.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ",")
    }

    /// Reads ``description``'s form. Origins may be given by an unambiguous prefix of at least 8 characters of
    /// one of `known`; an empty text is the empty vector.
    public static func parse(_ text: String, known: [String] = []) throws(SyncError) -> VersionVector {
        var vector = VersionVector()
        for part in text.split(separator: ",", omittingEmptySubsequences: true) {
            let pieces = part.trimmingCharacters(in: .whitespaces).split(separator: ":")
            guard pieces.count == 2, let seq = UInt64(pieces[1]) else {
                throw .invalidVector("'\(part)' is not OFFICE:SEQUENCE")
            }
            let name = pieces[0].lowercased()
            let origin: String
            if OfficeID.isWellFormed(name) {
                origin = name
            } else {
                let matches = known.filter { $0.hasPrefix(name) }
                guard name.count >= 8, matches.count == 1 else {
                    throw .invalidVector(
                        matches.count > 1
                            ? "'\(name)' matches \(matches.count) offices; give more characters"
                            : "'\(name)' is not an office id (64 hex characters) or a known office's prefix of 8 or more")
                }
                origin = matches[0]
            }
            vector[origin] = max(vector[origin], seq)
        }
        return vector
    }
}

