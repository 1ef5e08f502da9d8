import Foundation
import TreatyModel
import TreatyProtocol
import TreatyStore

/// Imports staged in files, chunk by chunk, so no request is one giant line and nothing applies until
/// the commit, which is all or nothing.
actor ImportStaging {
    struct Staged {
        let path: String
        let handle: FileHandle
        let owner: ObjectIdentifier
        var lines = 0
    }

    private let directory: String
    private var staged: [String: Staged] = [:]
    /// Bundles on their way in and out, staged in the same directory and dropped with the same connection.
    let bundles: BundleTransfers

    init(directory: String) {
        self.directory = directory
        bundles = BundleTransfers(directory: directory)
    }

    func begin(owner: Session) throws(RPCError) -> String {
        let token = RecordID.generate()
        let path = directory + "/import-" + token + ".jsonl"
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
            let handle = FileHandle(forWritingAtPath: path)
        else { throw .application(.ioError, "cannot stage an import in \(directory)") }
        staged[token] = Staged(path: path, handle: handle, owner: ObjectIdentifier(owner))
        return token
    }

    func append(_ token: String, lines: [String], owner: Session) throws(RPCError) -> Int {
        guard var entry = staged[token], entry.owner == ObjectIdentifier(owner) else { throw Self.unknown(token) }
        var data = Data()
        for line in lines {
            guard !line.utf8.contains(0x0A) else { throw .invalidParams("a line of an import chunk may not contain a newline") }
            data.append(contentsOf: line.utf8)
            data.append(0x0A)
        }
        do {
            try entry.handle.write(contentsOf: data)
        } catch {
            throw .application(.ioError, "cannot stage the import: \(error)")
        }
        entry.lines += lines.count
        staged[token] = entry
        return entry.lines
    }

    /// Hands the staged file over (the caller imports then removes it).
    func finish(_ token: String, owner: Session) throws(RPCError) -> String {
        guard let entry = staged[token], entry.owner == ObjectIdentifier(owner) else { throw Self.unknown(token) }
        staged[token] = nil
        try? entry.handle.close()
        return entry.path
    }

    func abort(_ token: String, owner: Session) throws(RPCError) {
        let path = try finish(token, owner: owner)
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Drops every import and bundle transfer a closed connection left unfinished.
    func abandon(owner: Session) async {
        for (token, entry) in staged where entry.owner == ObjectIdentifier(owner) {
            try? entry.handle.close()
            try? FileManager.default.removeItem(atPath: entry.path)
            staged[token] = nil
        }
        await bundles.abandon(owner: owner)
    }

    static func unknown(_ token: String) -> RPCError {
        .application(.unknownImport, "no import \"\(token)\" is open on this connection; start one with import.begin")
    }
}

enum TransferMethods {
    static func all(_ store: TreatyStore, staging: ImportStaging) -> [RPCMethod] {
        let token: JSONValue = ["type": "string", "pattern": "^[a-z0-9]{20}$"]
        let summary: JSONValue = [
            "type": "object",
            "required": ["lines", "created", "updated", "unchanged", "stale", "stale_lines", "admitted"],
            "additionalProperties": false,
            "properties": [
                "lines": ["type": "integer"], "created": ["type": "integer"],
                "updated": [
                    "type": "integer",
                    "description": "Newer versions, and edits: other content at the version stored here.",
                ],
                "unchanged": ["type": "integer"],
                "stale": [
                    "type": "integer",
                    "description": "Lines with other content at an older version than the one stored here: not applied.",
                ],
                "stale_lines": ["type": "array", "items": ["type": "integer"], "description": "The first 20 of them."],
                "admitted": ["type": "array", "items": SyncMethods.officeID, "description": "Offices the import admitted."],
            ],
        ]
        return [
            RPCMethod(
                "import.begin", "Starts a JSON Lines import on this connection; send the lines with import.chunk.",
                access: .writer,
                result: ["type": "object", "required": ["import"], "properties": ["import": token], "additionalProperties": false]
            ) { call throws(RPCError) in
                ["import": .string(try await staging.begin(owner: call.session))]
            },
            RPCMethod(
                "import.chunk", "Adds lines to an open import. Nothing is applied before import.commit.", access: .writer,
                params: [
                    .init("import", token, required: true, "From import.begin."),
                    .init("lines", ["type": "array", "items": ["type": "string"], "maxItems": 10000], required: true, "JSON Lines, one record each."),
                ],
                result: ["type": "object", "required": ["lines"], "properties": ["lines": ["type": "integer"]], "additionalProperties": false]
            ) { call throws(RPCError) in
                let lines = call.params["lines"]?.arrayValue?.compactMap(\.stringValue) ?? []
                return ["lines": .int(Int64(try await staging.append(try call.required("import"), lines: lines, owner: call.session)))]
            },
            RPCMethod(
                "import.commit",
                "Validates every staged record and reference, then applies them all in one transaction, or none.",
                access: .writer,
                params: [
                    .init("import", token, required: true, "From import.begin."),
                    .init("dry_run", ["type": "boolean"], "Check and count everything, then roll it back: what would change."),
                    .init(
                        "admit_offices", ["type": "array", "items": SyncMethods.officeID, "maxItems": 1000],
                        "Offices the lines may admit (an office record admits its office: its signed change sets are "
                            + "then applied here). Any other office not admitted already is refused."),
                ], result: summary
            ) { call throws(RPCError) in
                let path = try await staging.finish(try call.required("import"), owner: call.session)
                defer { try? FileManager.default.removeItem(atPath: path) }
                let admitting = Set(call.params["admit_offices"]?.arrayValue?.compactMap(\.stringValue) ?? [])
                let summary = try await call.store {
                    try await store.importJSONLines(
                        from: path, user: call.session.user, admitting: admitting, dryRun: call.bool("dry_run") ?? false)
                }
                return JSONValue(encoding: summary)
            },
            RPCMethod(
                "import.abort", "Drops an open import.", access: .writer,
                params: [.init("import", token, required: true, "From import.begin.")],
                result: ["type": "object", "additionalProperties": false, "properties": [:]]
            ) { call throws(RPCError) in
                try await staging.abort(try call.required("import"), owner: call.session)
                return [:]
            },
            RPCMethod(
                "export.page", "One page of the lossless JSON Lines export; pass `next` back for the following page.",
                params: [
                    .init("cursor", ["type": "string"], "The `next` of the previous page."),
                    .init("limit", ["type": "integer", "minimum": 1, "maximum": 10000], "Lines per page (1000)."),
                ],
                result: [
                    "type": "object", "required": ["lines", "next"], "additionalProperties": false,
                    "properties": ["lines": ["type": "array", "items": ["type": "string"]], "next": ["type": ["string", "null"]]],
                ], example: ["cursor": "1.0", "limit": 2]
            ) { call throws(RPCError) in
                var cursor: ExportCursor?
                if let text = call.string("cursor") {
                    guard let parsed = ExportCursor(text) else { throw .invalidParams("cursor \"\(text)\" is not one export.page gave") }
                    cursor = parsed
                }
                let page = try await call.store { try await store.exportPage(after: cursor, limit: call.int("limit") ?? 1000) }
                return ["lines": .array(page.lines.map { .string($0) }), "next": page.next.map { .string($0.description) } ?? .null]
            },
        ]
    }
}
