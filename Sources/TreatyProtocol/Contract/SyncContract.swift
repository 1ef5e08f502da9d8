import TreatyModel

/// The methods of sync: this office's identity, the offices table, bundles in and out, status and conflicts.
/// The daemon answers with these types and `treaty` reads them; the interface document's schemas are theirs.
public enum RPC {}

/// Office id to the highest sequence number held from it.
public typealias RPCVersionVector = [String: Int]

private let officeID = note(pattern: WirePattern.officeID)
private let base64: JSONValue = ["contentEncoding": "base64"]

extension RPC {
    public enum Identity: RPCContract {
        public static let method = "identity"
        public struct Result: RPCShape {
            public var office: String
            public var publicKey: String
            public var name: String?
            /// HOST:PORT peers connect to, if listening.
            public var listen: String?
            public init(office: String, publicKey: String, name: String?, listen: String?) {
                self.office = office
                self.publicKey = publicKey
                self.name = name
                self.listen = listen
            }
            public static let fieldNotes: [String: JSONValue] = [
                "office": officeID, "listen": ["description": "HOST:PORT peers connect to, if listening."],
            ]
        }
    }

    public enum Offices: RPCContract {
        public static let method = "sync.offices"
        public struct Office: RPCShape {
            public var office: String
            public var name: String?
            public var publicKey: String
            public var addedBy: String
            public var addedAt: String
            public var `self`: Bool
            public var removed: Bool
            public var holds: Int
            public var held: Int
            public var pending: Bool
            public init(
                office: String, name: String?, publicKey: String, addedBy: String, addedAt: String, isSelf: Bool,
                removed: Bool, holds: Int, held: Int, pending: Bool
            ) {
                self.office = office
                self.name = name
                self.publicKey = publicKey
                self.addedBy = addedBy
                self.addedAt = addedAt
                self.`self` = isSelf
                self.removed = removed
                self.holds = holds
                self.held = held
                self.pending = pending
            }
            public static let fieldNotes: [String: JSONValue] = [
                "office": officeID,
                "pending": ["description": "Admitted by its id alone; its record comes with its first change set."],
                "holds": ["description": "The highest sequence number this office holds from it."],
                "held": ["description": "How many of its change sets are held back here."],
            ]
        }
        public struct Result: RPCShape {
            public var offices: [Office]
            public init(offices: [Office]) { self.offices = offices }
        }
    }

    /// A change set held back, and why.
    public struct HeldChangeSet: RPCShape {
        public var office: String
        public var seq: Int
        public var reason: String
        public init(office: String, seq: Int, reason: String) {
            self.office = office
            self.seq = seq
            self.reason = reason
        }
        public static let fieldNotes: [String: JSONValue] = ["office": officeID]
    }

    public enum SyncStatus: RPCContract {
        public static let method = "sync.status"
        public struct Result: RPCShape {
            public var office: String
            public var vector: RPCVersionVector
            public var held: [HeldChangeSet]
            public var logChangeSets: Int
            public var logBytes: Int
            public var conflicts: Int
            public var digest: String
            public init(
                office: String, vector: RPCVersionVector, held: [HeldChangeSet], logChangeSets: Int, logBytes: Int,
                conflicts: Int, digest: String
            ) {
                self.office = office
                self.vector = vector
                self.held = held
                self.logChangeSets = logChangeSets
                self.logBytes = logBytes
                self.conflicts = conflicts
                self.digest = digest
            }
            public static let fieldNotes: [String: JSONValue] = [
                "office": officeID, "digest": note(pattern: WirePattern.sha256),
                "vector": ["description": "Office id to the highest sequence number held from it."],
            ]
        }
    }

    /// Which change sets an export holds: what an office lacks (`for`), or what a holder of a vector lacks (`since`).
    public struct ExportFilter: RPCShape {
        public var `for`: String?
        public var since: String?
        public init(for office: String? = nil, since: String? = nil) {
            self.for = office
            self.since = since
        }
        public static let fieldNotes: [String: JSONValue] = [
            "for": ["description": "An office id, id prefix or name."],
            "since": ["description": "A version vector as OFFICE:SEQ,OFFICE:SEQ (sync.status prints one)."],
        ]
    }

    /// What receiving change sets did.
    public struct Received: RPCShape {
        public var applied: Int
        public var alreadyHad: Int
        public var held: [HeldChangeSet]
        public var conflicts: Int
        public init(applied: Int, alreadyHad: Int, held: [HeldChangeSet], conflicts: Int) {
            self.applied = applied
            self.alreadyHad = alreadyHad
            self.held = held
            self.conflicts = conflicts
        }
    }

    public enum SyncExport: RPCContract {
        public static let method = "sync.export"
        public typealias Params = ExportFilter
        public struct Result: RPCShape {
            public var bundle: String
            public var changeSets: Int
            public var bytes: Int
            public var since: RPCVersionVector
            public init(bundle: String, changeSets: Int, bytes: Int, since: RPCVersionVector) {
                self.bundle = bundle
                self.changeSets = changeSets
                self.bytes = bytes
                self.since = since
            }
            public static let fieldNotes: [String: JSONValue] = ["bundle": base64]
        }
    }

    public enum SyncImport: RPCContract {
        public static let method = "sync.import"
        public struct Params: RPCShape {
            public var bundle: String
            public init(bundle: String) { self.bundle = bundle }
            public static let fieldNotes: [String: JSONValue] = [
                "bundle": ["contentEncoding": "base64", "description": "The bundle file, base64."]
            ]
        }
        public typealias Result = Received
    }

    public enum SyncExportBegin: RPCContract {
        public static let method = "sync.export.begin"
        public typealias Params = ExportFilter
        public struct Result: RPCShape {
            public var export: String
            public var changeSets: Int
            public var bytes: Int
            public var since: RPCVersionVector
            public init(export: String, changeSets: Int, bytes: Int, since: RPCVersionVector) {
                self.export = export
                self.changeSets = changeSets
                self.bytes = bytes
                self.since = since
            }
            public static let fieldNotes: [String: JSONValue] = ["export": note(pattern: WirePattern.token)]
        }
    }

    public enum SyncExportChunk: RPCContract {
        public static let method = "sync.export.chunk"
        public struct Params: RPCShape {
            public var export: String
            public var offset: Int
            public init(export: String, offset: Int) {
                self.export = export
                self.offset = offset
            }
            public static let fieldNotes: [String: JSONValue] = [
                "export": note(pattern: WirePattern.token, "From sync.export.begin."),
                "offset": ["minimum": 0, "description": "Where to read from."],
            ]
        }
        public struct Result: RPCShape {
            public var data: String
            /// Where the next piece starts; absent after the last.
            public var next: Int?
            public init(data: String, next: Int?) {
                self.data = data
                self.next = next
            }
            public static let fieldNotes: [String: JSONValue] = [
                "data": base64, "next": ["description": "Where the next piece starts; absent after the last."],
            ]
        }
    }

    public enum SyncExportEnd: RPCContract {
        public static let method = "sync.export.end"
        public struct Params: RPCShape {
            public var export: String
            public init(export: String) { self.export = export }
            public static let fieldNotes: [String: JSONValue] = [
                "export": note(pattern: WirePattern.token, "From sync.export.begin.")
            ]
        }
        public typealias Result = RPCEmpty
    }

    /// A bundle being sent in pieces.
    public struct ImportToken: RPCShape {
        public var `import`: String
        public init(import token: String) { self.import = token }
        public static let fieldNotes: [String: JSONValue] = [
            "import": note(pattern: WirePattern.token, "From sync.import.begin.")
        ]
    }

    public enum SyncImportBegin: RPCContract {
        public static let method = "sync.import.begin"
        public typealias Result = ImportToken
    }

    public enum SyncImportChunk: RPCContract {
        public static let method = "sync.import.chunk"
        public struct Params: RPCShape {
            public var `import`: String
            public var data: String
            public init(import token: String, data: String) {
                self.import = token
                self.data = data
            }
            public static let fieldNotes: [String: JSONValue] = [
                "import": note(pattern: WirePattern.token, "From sync.import.begin."),
                "data": ["contentEncoding": "base64", "description": "The next piece, base64."],
            ]
        }
        public struct Result: RPCShape {
            public var bytes: Int
            public init(bytes: Int) { self.bytes = bytes }
        }
    }

    public enum SyncImportCommit: RPCContract {
        public static let method = "sync.import.commit"
        public typealias Params = ImportToken
        public typealias Result = Received
    }

    /// One value a field had: written by whom, at which office, when.
    public struct ConflictValue: RPCShape {
        public var value: JSONValue
        public var office: String
        public var seq: Int
        public var user: String
        public var at: String
        public init(value: JSONValue, office: String, seq: Int, user: String, at: String) {
            self.value = value
            self.office = office
            self.seq = seq
            self.user = user
            self.at = at
        }
    }

    public enum ConflictsList: RPCContract {
        public static let method = "conflicts.list"
        public struct Params: RPCShape {
            public var record: String?
            public init(record: String? = nil) { self.record = record }
            public static let fieldNotes: [String: JSONValue] = [
                "record": note(pattern: WirePattern.recordID, "Only this record's (id or prefix).")
            ]
        }
        public struct Conflict: RPCShape {
            public var record: String
            public var kind: String
            public var field: String
            public var current: ConflictValue
            public var losers: [ConflictValue]
            public init(record: String, kind: String, field: String, current: ConflictValue, losers: [ConflictValue]) {
                self.record = record
                self.kind = kind
                self.field = field
                self.current = current
                self.losers = losers
            }
        }
        public struct Result: RPCShape {
            public var conflicts: [Conflict]
            public init(conflicts: [Conflict]) { self.conflicts = conflicts }
        }
    }
}
