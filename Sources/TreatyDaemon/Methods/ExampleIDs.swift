import Crypto
import Foundation
import TreatyModel
import TreatyStore

/// Params for the interface document's examples, which run against a database holding examples/seed.jsonl.
///
/// The seed's ids are derived from symbolic keys (examples/seed.py: SHA-256 of `treaty-seed:KEY`, read five
/// bits at a time from the low end), so examples can name seed records without reading the file.
public struct ExampleIDs: Sendable {
    public init() {}

    /// The id examples/seed.py gives the record with this key.
    public static func seed(_ key: String) -> String {
        let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz")
        var digest = Array(SHA256.hash(data: Data(("treaty-seed:" + key).utf8)))  // big-endian
        var id = ""
        for _ in 0..<20 {
            id.append(alphabet[Int(digest[31] & 31)])
            var carry: UInt8 = 0
            for i in digest.indices {
                let byte = digest[i]
                digest[i] = (byte >> 5) | (carry << 3)
                carry = byte & 31
            }
        }
        return id
    }

    /// A seed record of each kind.
    static let keys: [RecordKind: String] = [
        .office: "ankara-office", .actor: "uzb", .person: "khalilov", .name: "khalilov/name0",
        .membership: "khalilov-expert", .agreement: "memo", .party: "memo-tur", .provisionType: "cyber-defense",
        .provision: "memo-information", .lifecycleEvent: "memo-signed", .relation: "memo-complements-shusha",
        .event: "turkic-exercises", .source: "article", .statement: "khalilov-bilateral",
        .about: "khalilov-bilateral-about-pak", .prediction: "khalilov-uzb-memo",
        .predictionParty: "khalilov-uzb-memo-uzb", .predictionProvision: "verdiyev-ots-deals-defense",
    ]

    /// The id of a seed record of `kind` (a provision type's id is its slug).
    public func existing(_ kind: RecordKind) -> String {
        if kind == .provisionType { return "cyber-defense" }
        if kind == .office { return Self.officeID }
        return Self.seed(Self.keys[kind]!)
    }

    /// A listing of two records; offices are filtered to the seed's, as each database has its own office too.
    func list(_ kind: RecordKind) -> [String: JSONValue] {
        kind == .office ? ["filter": ["name": .string(Self.officeName)], "limit": 2] : ["limit": 2]
    }

    /// Deletes run last, on the same records the reads used.
    func deletable(_ kind: RecordKind) -> String { existing(kind) }

    /// Fields for a new record of `kind`, referring to seed records.
    func add(_ kind: RecordKind) -> [String: JSONValue] {
        var fields: [String: JSONValue] = [:]
        for field in kind.fields where field.required || field.name == "note" {
            fields[field.name] = value(for: field, in: kind)
        }
        switch kind {
        case .office:
            fields = ["public_key": .string(Self.newOfficeKey), "name": "Tashkent desk", "id": .string(Self.newOfficeID)]
        case .provisionType: fields["id"] = "maritime-security"
        case .agreement: fields["title"] = "Memorandum on Military Cooperation between Azerbaijan and Uzbekistan"
        default: break
        }
        return fields
    }

    /// An edit of the seed record of `kind` at version 1.
    func update(_ kind: RecordKind) -> [String: JSONValue] {
        let field = kind.fields.first { !$0.required } ?? kind.fields.first { $0.referencedKinds.count > 0 } ?? kind.fields[0]
        var value = value(for: field, in: kind)
        if case .choice(let options) = field.type { value = .string(options.last!) }
        return ["id": .string(existing(kind)), "version": 1, "set": [field.name: value]]
    }

    private func value(for field: Field, in kind: RecordKind) -> JSONValue {
        switch field.type {
        case .text: return .string("Example \(field.name)")
        case .integer: return 1
        case .number: return 0.5
        case .boolean: return true
        case .date: return "2026"
        case .choice(let options): return .string(options[0])
        case .provisionType: return "defense"
        case .reference(let kinds):
            let target = kinds.first { $0 != kind && $0 != .office } ?? kinds[0]
            return .string(existing(target))
        }
    }

    // The examples' partner office (admitted by the interface writer) and a second one for `office.add`: Ed25519 keys
    // from fixed seeds, for example databases only.
    static let officeName = "Ankara desk (example)"
    static let officeKey = key("office")
    static let officeID = OfficeIDs.id(officeKey)
    static let newOfficeKey = key("new-office")
    static let newOfficeID = OfficeIDs.id(newOfficeKey)

    private static func key(_ name: String) -> String {
        let seed = Data(SHA256.hash(data: Data(("treaty-seed:" + name).utf8)))
        // A 32-byte seed is always a valid Ed25519 private key.
        let privateKey = try! Curve25519.Signing.PrivateKey(rawRepresentation: seed)
        return privateKey.publicKey.rawRepresentation.base64EncodedString()
    }
}

enum OfficeIDs {
    static func id(_ publicKeyBase64: String) -> String {
        OfficeIdentity.id(of: Data(base64Encoded: publicKeyBase64) ?? Data())
    }
}
