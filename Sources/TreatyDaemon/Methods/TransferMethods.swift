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
        [
            RPCMethod(
                RPC.ImportBegin.self, "Starts a JSON Lines import on this connection; send the lines with import.chunk.",
                access: .writer
            ) { call, _ throws(RPCError) in
                .init(import: try await staging.begin(owner: call.session))
            },
            RPCMethod(
                RPC.ImportChunk.self, "Adds lines to an open import. Nothing is applied before import.commit.", access: .writer
            ) { call, params throws(RPCError) in
                .init(lines: try await staging.append(params.import, lines: params.lines, owner: call.session))
            },
            RPCMethod(
                RPC.ImportCommit.self,
                "Validates every staged record and reference, then applies them all in one transaction, or none.",
                access: .writer
            ) { call, params throws(RPCError) in
                let path = try await staging.finish(params.import, owner: call.session)
                defer { try? FileManager.default.removeItem(atPath: path) }
                let summary = try await call.store {
                    try await store.importJSONLines(
                        from: path, user: call.session.user, admitting: Set(params.admitOffices ?? []),
                        dryRun: params.dryRun ?? false)
                }
                return contract(summary)
            },
            RPCMethod(RPC.ImportAbort.self, "Drops an open import.", access: .writer) { call, params throws(RPCError) in
                try await staging.abort(params.import, owner: call.session)
                return .init()
            },
            RPCMethod(
                RPC.ExportPage.self, "One page of the lossless JSON Lines export; pass `next` back for the following page.",
                example: ["cursor": "1.0", "limit": 2]
            ) { call, params throws(RPCError) in
                var cursor: ExportCursor?
                if let text = params.cursor {
                    guard let parsed = ExportCursor(text) else { throw .invalidParams("cursor \"\(text)\" is not one export.page gave") }
                    cursor = parsed
                }
                let page = try await call.store { try await store.exportPage(after: cursor, limit: params.limit ?? 1000) }
                return .init(lines: page.lines, next: page.next?.description)
            },
        ]
    }

    static func contract(_ summary: ImportSummary) -> RPC.ImportSummary {
        .init(
            lines: summary.lines, created: summary.created, updated: summary.updated, unchanged: summary.unchanged,
            stale: summary.stale, staleLines: summary.staleLines, admitted: summary.admitted)
    }
}
