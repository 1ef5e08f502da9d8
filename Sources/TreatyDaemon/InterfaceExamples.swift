import Foundation
import TreatyModel
import TreatyProtocol
import TreatyStore
import TreatySync

/// Runs the interface document's examples in an order that keeps them independent: reads first, then adds,
/// updates and deletes (deletes last, as they remove what reads used), with the import token threaded
/// through `import.*`. The generator runs them in-process; the end-to-end test runs them over the socket.
public enum InterfaceExamples {
    public typealias Call = @Sendable (String, [String: JSONValue]) async throws -> JSONValue

    /// The example results by method name.
    public static func run(_ methods: [RPCMethod], call: Call) async throws -> [String: JSONValue] {
        var results: [String: JSONValue] = [:]
        // The office examples name a partner office: the seeded database admits it on purpose, as a user would (the
        // seed holds no office; this one's key is derived from a constant, fit for example databases only).
        _ = try await call(
            "office.admit",
            [
                "office": .string(ExampleIDs.officeID), "public_key": .string(ExampleIDs.officeKey),
                "name": .string(ExampleIDs.officeName),
            ])
        func phase(_ name: String) -> Int {
            if name.hasPrefix("import.") { return 4 }
            if name.hasSuffix(".add") || name == "prediction.resolve" { return 1 }
            if name.hasSuffix(".update") { return 2 }
            if name.hasSuffix(".delete") || name.hasSuffix(".remove") { return 3 }
            return 0
        }
        let ordered = methods.filter {
            !$0.name.hasPrefix("import.") && !syncFlow.contains($0.name) && !stagedBundleFlow.contains($0.name)
        }.sorted { (phase($0.name), $0.name) < (phase($1.name), $1.name) }
        for method in ordered where method.name != "rpc.discover" {
            results[method.name] = try await call(method.name, method.exampleParams)
        }
        results["rpc.discover"] = ["openrpc": "1.3.2"]
        // An import: begin, one chunk, commit; and one begun then aborted.
        let begun = try await call("import.begin", [:])
        results["import.begin"] = begun
        let token = begun["import"] ?? .null
        results["import.chunk"] = try await call("import.chunk", ["import": token, "lines": [.string(exampleLine)]])
        results["import.commit"] = try await call("import.commit", ["import": token])
        let second = try await call("import.begin", [:])
        results["import.abort"] = try await call("import.abort", ["import": second["import"] ?? .null])
        try await stagedBundles(call: call, into: &results)
        try await exchange(with: results["sync.export"]?["bundle"]?.stringValue ?? "", call: call, into: &results)
        return results
    }

    /// Methods that move a bundle in pieces: they run in ``stagedBundles(call:into:)``.
    static let stagedBundleFlow: Set<String> = [
        "sync.export.begin", "sync.export.chunk", "sync.export.end", "sync.import.begin", "sync.import.chunk",
        "sync.import.commit",
    ]

    /// A bundle written by the daemon and read in pieces, then sent back in pieces and applied (already had).
    static func stagedBundles(call: Call, into results: inout [String: JSONValue]) async throws {
        let export = try await call("sync.export.begin", [:])
        results["sync.export.begin"] = export
        let piece = try await call("sync.export.chunk", ["export": export["export"] ?? .null, "offset": 0])
        results["sync.export.chunk"] = piece
        results["sync.export.end"] = try await call("sync.export.end", ["export": export["export"] ?? .null])
        let upload = try await call("sync.import.begin", [:])
        results["sync.import.begin"] = upload
        let token = upload["import"] ?? .null
        results["sync.import.chunk"] = try await call("sync.import.chunk", ["import": token, "data": piece["data"] ?? .null])
        results["sync.import.commit"] = try await call("sync.import.commit", ["import": token])
    }

    /// Methods whose examples need another office: they run in ``exchange(with:call:into:)``.
    static let syncFlow: Set<String> = ["sync.import", "office.admit", "conflicts.settle", "conflicts.list"]

    /// The record and field the sync examples edit on both offices.
    static let conflictRecord = ExampleIDs.seed("shusha")

    /// Sync with a second office made here for the purpose (its clock a minute ahead, so its edit wins, and within
    /// the ten minutes an office accepts): it
    /// takes this office's bundle and admits it, both edit one field, its bundle comes back (held until it
    /// is admitted), and the conflict is listed and settled.
    static func exchange(with bundle: String, call: Call, into results: inout [String: JSONValue]) async throws {
        let directory = NSTemporaryDirectory() + "treaty-example-" + RecordID.generate()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let other = try TreatyStore.open(
            path: directory + "/" + TreatyStore.databaseFileName, officeName: "Baku desk (example)",
            clock: { Int64(Date().timeIntervalSince1970 * 1000) + 60_000 })
        defer { try? other.close() }
        let here = try await call("identity", [:])["office"]?.stringValue ?? ""
        _ = try await other.importBundle(Data(base64Encoded: bundle) ?? Data())
        _ = try await other.addOffice(id: here, publicKey: nil, name: nil, user: "example")

        let record = conflictRecord
        let version = try await call("record.get", ["id": .string(record)])["version"] ?? 1
        _ = try await call(
            "agreement.update",
            ["id": .string(record), "version": version, "set": ["summary": "Allied relations, as this desk reads them."]])
        let theirs = try await other.get(record)
        _ = try await other.update(
            record, version: theirs.provenance?.version ?? 1, set: ["summary": "Allied relations, as the Baku desk reads them."],
            user: "example")

        let reply = try await other.exportBundle(missingFrom: VersionVector())
        results["sync.import"] = try await call("sync.import", ["bundle": .string(reply.base64EncodedString())])
        results["office.admit"] = try await call("office.admit", ["office": .string(other.office.id), "name": "Baku desk (example)"])
        results["conflicts.list"] = try await call("conflicts.list", ["record": .string(record)])
        results["conflicts.settle"] = try await call(
            "conflicts.settle", ["record": .string(record), "field": "summary", "keep": "current"])
    }

    /// The record the import example adds.
    public static let exampleLine = #"{"type":"person","name":"Nizami Gəncəvi"}"#

    /// Replaces what varies between runs (ids made now, times, users, offices, counters) with `"*"`.
    public static func mask(_ value: JSONValue, method: String) -> JSONValue {
        let varying: Set<String> = [
            "created_at", "updated_at", "created_office", "updated_office", "created_user", "updated_user", "short_id",
            "uptime_seconds", "requests", "errors", "connections", "connections_refused", "clients_dropped",
            "subscribers", "import", "subscription", "office", "days_waiting", "approval", "at", "seq", "user",
            "digest", "vector", "bundle", "bytes", "log_bytes", "log_change_sets", "change_sets", "public_key",
            "added_at", "added_by", "reason", "already_had", "lags", "export", "data",
        ]
        func walk(_ value: JSONValue, top: Bool) -> JSONValue {
            switch value {
            case .object(let object):
                var out: [String: JSONValue] = [:]
                for (key, inner) in object {
                    if varying.contains(key) || (top && key == "id" && method.hasSuffix(".add") && method != "provision_type.add" && method != "office.add") || (top && key == "id" && method == "office.admit") {
                        out[key] = "*"
                    } else {
                        out[key] = walk(inner, top: false)
                    }
                }
                return .object(out)
            case .array(let items): return .array(items.map { walk($0, top: false) })
            default: return value
            }
        }
        if method == "rpc.discover" { return ["openrpc": value["openrpc"] ?? .null] }
        if method == "stats" { return ["records": walk(value["records"] ?? .null, top: false)] }
        if method == "export.page", case .object(var page) = value, let lines = page["lines"]?.arrayValue {
            // The lines are records as JSON text: mask inside them.
            page["lines"] = .array(
                lines.map { line in
                    guard let text = line.stringValue, let record = try? JSONCodec.decode(text) else { return line }
                    return .string(JSONCodec.string(walk(record, top: false)))
                })
            return .object(page)
        }
        return walk(value, top: true)
    }
}
