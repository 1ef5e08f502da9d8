import TreatyModel

private let tokenNote = note(pattern: WirePattern.token, "From import.begin.")

extension RPC {
    /// What an import did (or, with `dry_run`, would do).
    public struct ImportSummary: RPCShape, Equatable {
        public var lines: Int
        public var created: Int
        public var updated: Int
        public var unchanged: Int
        public var stale: Int
        public var staleLines: [Int]
        public var admitted: [String]
        public init(
            lines: Int, created: Int, updated: Int, unchanged: Int, stale: Int, staleLines: [Int], admitted: [String]
        ) {
            self.lines = lines
            self.created = created
            self.updated = updated
            self.unchanged = unchanged
            self.stale = stale
            self.staleLines = staleLines
            self.admitted = admitted
        }
        public static let fieldNotes: [String: JSONValue] = [
            "lines": ["description": "Lines read, blank ones included."],
            "updated": ["description": "Newer versions, and edits: other content at the version stored here."],
            "unchanged": ["description": "Records already present with the same content, or at a newer version."],
            "stale": ["description": "Lines with other content at an older version than the one stored here: not applied."],
            "stale_lines": ["description": "The first 20 of them."],
            "admitted": ["description": "Offices the import admitted."],
        ]
    }

    /// A JSON Lines import being sent in chunks.
    public struct ImportHandle: RPCShape {
        public var `import`: String
        public init(import token: String) { self.import = token }
        public static let fieldNotes: [String: JSONValue] = ["import": tokenNote]
    }

    public enum ImportBegin: RPCContract {
        public static let method = "import.begin"
        public typealias Result = ImportHandle
    }

    public enum ImportChunk: RPCContract {
        public static let method = "import.chunk"
        public struct Params: RPCShape {
            public var `import`: String
            public var lines: [String]
            public init(import token: String, lines: [String]) {
                self.import = token
                self.lines = lines
            }
            public static let fieldNotes: [String: JSONValue] = [
                "import": tokenNote, "lines": ["maxItems": 10000, "description": "JSON Lines, one record each."],
            ]
        }
        public struct Result: RPCShape {
            /// Lines staged so far.
            public var lines: Int
            public init(lines: Int) { self.lines = lines }
        }
    }

    public enum ImportCommit: RPCContract {
        public static let method = "import.commit"
        public struct Params: RPCShape {
            public var `import`: String
            public var dryRun: Bool?
            public var admitOffices: [String]?
            public init(import token: String, dryRun: Bool? = nil, admitOffices: [String]? = nil) {
                self.import = token
                self.dryRun = dryRun
                self.admitOffices = admitOffices
            }
            public static let fieldNotes: [String: JSONValue] = [
                "import": tokenNote,
                "dry_run": ["description": "Check and count everything, then roll it back: what would change."],
                "admit_offices": [
                    "maxItems": 1000,
                    "description": .string(
                        "Offices the lines may admit (an office record admits its office: its signed change sets are "
                            + "then applied here). Any other office not admitted already is refused."),
                ],
            ]
        }
        public typealias Result = ImportSummary
    }

    public enum ImportAbort: RPCContract {
        public static let method = "import.abort"
        public typealias Params = ImportHandle
        public typealias Result = RPCEmpty
    }

    public enum ExportPage: RPCContract {
        public static let method = "export.page"
        public struct Params: RPCShape {
            public var cursor: String?
            public var limit: Int?
            public init(cursor: String? = nil, limit: Int? = nil) {
                self.cursor = cursor
                self.limit = limit
            }
            public static let fieldNotes: [String: JSONValue] = [
                "cursor": ["description": "The `next` of the previous page."],
                "limit": ["minimum": 1, "maximum": 10000, "description": "Lines per page (1000)."],
            ]
        }
        public struct Result: RPCShape {
            public var lines: [String]
            /// Where the following page starts; absent after the last.
            public var next: String?
            public init(lines: [String], next: String?) {
                self.lines = lines
                self.next = next
            }
            public static let fieldNotes: [String: JSONValue] = [
                "next": ["description": "Pass it back for the following page; absent after the last."]
            ]
        }
    }
}
