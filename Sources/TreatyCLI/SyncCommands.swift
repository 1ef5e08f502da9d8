import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#endif
import TreatyClient
import TreatyModel
import TreatyProtocol

/// `treaty identity`: this office's id and key, to give to the offices that pair with it.
struct IdentityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "identity", abstract: "This office's id and public key: what other offices need to admit it.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await global.withClient { client in
            let identity = try await client.call(RPC.Identity.self)
            if global.json { return global.print(json: RPCCoding.json(identity)) }
            print("office      \(identity.office)")
            print("public key  \(identity.publicKey)")
            if let listen = identity.listen { print("listening   \(listen)") }
            if let name = identity.name { print("name        \(name)") }
        }
    }
}

/// `treaty office`: the offices table, which says whose change sets this office applies.
struct OfficeGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "office", abstract: "The offices that sync with this one (synced: every office sees who was added).",
        subcommands: [
            OfficeAdd.self, OfficeList.self, ShowRecord<OfficeKind>.self, EditRecord<OfficeKind>.self,
            RemoveRecord<OfficeKind>.self,
        ])
}

struct OfficeAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Admit an office: its change sets are applied from now on (held ones at once).",
        discussion: """
            OFFICE is the id `treaty identity` prints at that office. The public key may be left out: each change \
            set of that office carries it, and its hash must be the id. With none here yet, the office's record is \
            made when its first change set arrives.
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The office id (64 hex characters).") var office: String
    @Option(help: "What people call it.") var name: String?
    @Option(name: .customLong("public-key"), help: "Its public key (base64), as `treaty identity` prints it.") var publicKey: String?

    func run() async throws {
        try await global.withClient { client in
            var params: [String: JSONValue] = ["office": .string(office)]
            if let name { params["name"] = .string(name) }
            if let publicKey { params["public_key"] = .string(publicKey) }
            let record = try await client.call("office.admit", params)
            if global.json { return global.print(json: record) }
            let admitted = "admitted office \(office.prefix(12))\(name.map { " (\($0))" } ?? "")"
            if record["pending"] == true {
                return print(admitted + ": its change sets apply as they arrive")
            }
            let held = try await client.call(RPC.SyncStatus.self).held.count
            print(admitted + (held > 0 ? "; \(held) change sets still held back (treaty sync status)" : ""))
        }
    }
}

struct OfficeList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "The offices table: who added each, what this office holds from it, what is held back.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await global.withClient { client in
            let result = try await client.call(RPC.Offices.self)
            if global.json { return global.print(json: RPCCoding.json(result)) }
            var table = Table("OFFICE", "NAME", "ADDED BY", "ADDED", "HOLDS", "HELD")
            for office in result.offices {
                table.add([
                    String(office.office.prefix(12)),
                    (office.name ?? "") + (office.`self` ? " (this office)" : "") + (office.removed ? " (removed)" : "")
                        + (office.pending ? " (admitted; nothing from it yet)" : ""),
                    office.addedBy, String(office.addedAt.prefix(10)), String(office.holds), String(office.held),
                ])
            }
            print(table.render())
        }
    }
}

/// `treaty sync`: bundles for offices without a network, and the state of sync.
struct SyncGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync", abstract: "Exchange change sets with other offices as bundle files; see what this office holds.",
        subcommands: [SyncNow.self, SyncExport.self, SyncImport.self, SyncStatusCommand.self])
}

struct SyncExport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write a bundle of the change sets another office lacks.",
        discussion: """
            --for OFFICE sends what that office is not known to hold (judged by the latest change set of it here); \
            --since VECTOR sends what a holder of VECTOR lacks (its `treaty sync status` prints its vector). With \
            neither, the bundle holds every change set.
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "The bundle file to write.") var out: String
    @Option(name: .customLong("for"), help: "An office id, id prefix or name.") var office: String?
    @Option(help: "A version vector: OFFICE:SEQ,OFFICE:SEQ.") var since: String?

    func validate() throws {
        if office != nil, since != nil { throw ValidationError("give --for or --since, not both") }
    }

    func run() async throws {
        try await global.withClient { client in
            // The daemon writes the bundle to a file of its own; it comes over in pieces, written as they come
            // beside the target and renamed into place: a reader never sees half a bundle.
            let progress = Progress(shown: isatty(STDERR_FILENO) == 1 && !global.json)
            progress.show("writing the bundle…")
            let result = try await client.call(RPC.SyncExportBegin.self, .init(for: office, since: since))
            // A device or pipe named (/dev/stdout) is written in place, never replaced.
            let partial = OutputFile.isSpecial(out) ? out : out + ".partial"
            let handle = try OpenFile.writing(partial)
            var offset: Int? = 0
            var written = 0
            do {
                while let from = offset {
                    let piece = try await client.call(RPC.SyncExportChunk.self, .init(export: result.export, offset: from))
                    guard let data = Data(base64Encoded: piece.data) else {
                        throw CLIFailure("the daemon sent a piece of the bundle that is not base64")
                    }
                    try handle.write(data)
                    written += data.count
                    offset = piece.next
                    progress.show("received \(megabytes(written)) of \(megabytes(result.bytes)) MB")
                }
            } catch {
                // What was written is half a bundle: it goes, whatever stopped it.
                if partial != out { unlink(partial) }
                throw error
            }
            progress.done()
            _ = try? await client.call(RPC.SyncExportEnd.self, .init(export: result.export))
            if partial != out { try OutputFile.replace(out, with: partial) }
            if global.json {
                var summary = RPCCoding.json(result).objectValue ?? [:]
                summary["export"] = nil
                summary["bundle"] = .string(out)
                return global.print(json: .object(summary))
            }
            print("wrote \(out): \(result.changeSets) change sets, \(written) bytes")
        }
    }
}

struct SyncImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Check a bundle whole, then apply it; a bad bundle changes nothing.",
        discussion: "The bundle goes to the daemon in pieces of 1 MiB, whatever its size; nothing is applied before "
            + "the daemon has it whole and has checked it.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The bundle file.") var file: String

    func run() async throws {
        let handle = try OpenFile.reading(file)
        var info = stat()
        let size = fstat(handle.descriptor, &info) == 0 ? Int(info.st_size) : 0
        let progress = Progress(shown: isatty(STDERR_FILENO) == 1 && !global.json)
        try await global.withClient { client in
            let token = try await client.call(RPC.SyncImportBegin.self)
            var sent = 0
            while true {
                let piece = Data(try handle.read(upTo: 1 << 20))
                if piece.isEmpty { break }
                _ = try await client.call(RPC.SyncImportChunk.self, .init(import: token.import, data: piece.base64EncodedString()))
                sent += piece.count
                progress.show("sent \(megabytes(sent)) of \(megabytes(size)) MB")
            }
            progress.show("sent \(megabytes(sent)) MB; checking and applying…")
            progress.done()
            let summary = try await client.call(RPC.SyncImportCommit.self, token)
            if global.json { return global.print(json: RPCCoding.json(summary)) }
            let held = summary.held
            print(
                "applied \(summary.applied), already had \(summary.alreadyHad), held back \(held.count), "
                    + "conflicts \(summary.conflicts)")
            for entry in held.prefix(10) {
                print("  held: " + heldLine(entry))
            }
            if held.count > 10 { print("  ... and \(held.count - 10) more (treaty sync status)") }
        }
    }
}

struct SyncStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Version vector, what is held back and why, log size, conflicts and content digest.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await global.withClient { client in
            let status = try await client.call(RPC.SyncStatus.self)
            if global.json { return global.print(json: RPCCoding.json(status)) }
            let names = try await officeNames(client)
            print("office   \(status.office)")
            print("digest   \(status.digest)")
            let vector = status.vector.sorted { $0.key < $1.key }
            print("holds    " + (vector.isEmpty ? "nothing" : vector.map { "\($0.key.prefix(12)):\($0.value)" }.joined(separator: ",")))
            for (office, seq) in vector {
                print("  \(office.prefix(12))  \(names[office] ?? "")  up to \(seq)")
            }
            print("log      \(status.logChangeSets) change sets, \(status.logBytes) bytes")
            print("conflicts \(status.conflicts)")
            print("held back \(status.held.count)")
            for entry in status.held {
                print("  " + heldLine(entry))
            }
        }
    }
}

/// One held change set: its office, number and why it waits.
func heldLine(_ entry: RPC.HeldChangeSet) -> String {
    "\(entry.office.prefix(12)) #\(entry.seq): \(entry.reason)"
}

func officeNames(_ client: TreatyClient) async throws -> [String: String] {
    var names: [String: String] = [:]
    for office in try await client.call(RPC.Offices.self).offices { names[office.office] = office.name ?? "" }
    return names
}

/// An office as people read it: its id's first 12 letters, and its name when it has one.
func officeLabel(_ id: String, _ names: [String: String]) -> String {
    let name = names[id] ?? ""
    return String(id.prefix(12)) + (name.isEmpty ? "" : " (\(name))")
}

/// `treaty conflicts`: fields two offices wrote concurrently.
struct ConflictsGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflicts", abstract: "Fields two offices wrote without seeing each other's edit: list, show, settle.",
        subcommands: [ConflictsList.self, ConflictsShow.self, ConflictsSettle.self])
}

struct ConflictsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Every field in conflict.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await global.withClient { client in
            let result = try await client.call(RPC.ConflictsList.self, .init())
            if global.json { return global.print(json: RPCCoding.json(result)) }
            guard !result.conflicts.isEmpty else { return print("no conflicts") }
            var table = Table("RECORD", "KIND", "FIELD", "SHOWN", "LOST")
            for conflict in result.conflicts {
                let record = try await client.call("record.get", ["id": .string(conflict.record)])
                table.add([
                    record["short_id"]?.stringValue ?? conflict.record, conflict.kind, conflict.field,
                    display(conflict.current.value), String(conflict.losers.count),
                ])
            }
            print(table.render())
        }
    }
}

struct ConflictsShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "A record's conflicts: the value shown and each value that lost, with who, where and when.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The record (short id or prefix).") var record: String

    func run() async throws {
        try await global.withClient { client in
            let result = try await client.call(RPC.ConflictsList.self, .init(record: record))
            if global.json { return global.print(json: RPCCoding.json(result)) }
            guard !result.conflicts.isEmpty else { return print("no conflicts on \(record)") }
            let names = try await officeNames(client)
            func line(_ value: RPC.ConflictValue) -> String {
                "\(display(value.value))  by \(value.user) at office \(officeLabel(value.office, names)), \(value.at)"
            }
            for conflict in result.conflicts {
                print("\(conflict.kind) \(record) \(conflict.field):")
                print("  shown: \(line(conflict.current))")
                for loser in conflict.losers { print("  lost:  \(line(loser))") }
            }
        }
    }
}

struct ConflictsSettle: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settle", abstract: "Settle a field's conflict; the settlement syncs to every office.",
        discussion: "--keep current keeps the value shown; --keep OFFICE keeps the value that office wrote; --value writes a new one.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The record (short id or prefix).") var record: String
    @Argument(help: "The field.") var field: String
    @Option(help: "current, or the office (name, id or id prefix) whose value to keep.") var keep: String?
    @Option(help: "A new value.") var value: String?

    func validate() throws {
        if (keep == nil) == (value == nil) { throw ValidationError("give --keep or --value") }
    }

    func run() async throws {
        try await global.withClient { client in
            var params: [String: JSONValue] = ["record": .string(record), "field": .string(field)]
            if let keep { params["keep"] = .string(keep) }
            if let value {
                let current = try await client.call("record.get", ["id": .string(record)])
                guard let kind = current["type"]?.stringValue.flatMap(RecordKind.init(rawValue:)) else {
                    throw CLIFailure("cannot tell the kind of \(record)")
                }
                let parsed = try await FieldAssignments.parse(["\(field)=\(value)"], kind: kind, client: client)
                params["value"] = parsed[field] ?? .null
            }
            let settled = try await client.call("conflicts.settle", params)
            if global.json { return global.print(json: settled) }
            print("settled \(field) of \(settled["short_id"]?.stringValue ?? record): \(display(settled[field]))")
        }
    }
}

private func display(_ value: JSONValue?) -> String {
    switch value {
    case .string(let text)?: return text
    case nil, .null?: return "(empty)"
    case let other?: return JSONCodec.string(other)
    }
}

/// A line of progress on a terminal, written over itself.
struct Progress {
    let shown: Bool

    func show(_ text: String) {
        if shown { printError("\r\(text)\u{1B}[K") }
    }

    func done() {
        if shown { printError("\n") }
    }
}

/// Bytes as megabytes with one decimal.
func megabytes(_ bytes: some BinaryInteger) -> String {
    decimal(Double(bytes) / 1_000_000, places: 1)
}
