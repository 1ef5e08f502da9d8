import ArgumentParser
import Dispatch
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import TreatyClient
import TreatyModel
import TreatyProtocol

#if canImport(Glibc)
    import Glibc
#endif

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import JSON Lines, or CSV as `export --format csv` writes it: all or nothing.",
        discussion: "Lines are sent in chunks and applied in one transaction when the whole input is in; one bad "
            + "record or reference and nothing is written. --dry-run checks everything and reports what would "
            + "change, writing nothing. Progress shows on a terminal.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case jsonl, csv }

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The JSON Lines file; for csv, a folder of KIND.csv files or one such file.") var file: String
    @Option(help: "jsonl or csv.") var format: Format = .jsonl
    @Flag(name: .customLong("dry-run"), help: "Report what would change; write nothing.") var dryRun = false
    @Option(
        name: .customLong("admit-office"),
        help: .init(
            "Let the file admit this office (its signed change sets are then applied here). Repeat for more. Without it, a "
                + "file holding an office that is not admitted here is refused.", valueName: "OFFICE-ID"))
    var admitOffices: [String] = []

    func run() async throws {
        var origins: [CSVImport.Origin] = []
        var csvLines: [String] = []
        if format == .csv {
            let read = try CSVImport.lines(from: file)
            csvLines = read.map(\.0)
            origins = read.map(\.1)
        }
        let handle = format == .jsonl ? try OpenFile.reading(file) : nil
        let showProgress = isatty(STDERR_FILENO) == 1 && !global.json
        try await global.withClient { client in
            let token = try await client.call(RPC.ImportBegin.self).import
            var sent = 0
            var pending: [String] = []
            func flush() async throws {
                guard !pending.isEmpty else { return }
                _ = try await client.call(RPC.ImportChunk.self, .init(import: token, lines: pending))
                sent += pending.count
                pending.removeAll(keepingCapacity: true)
                if showProgress { printError("\rsent \(sent) lines") }
            }
            if let handle {
                var carry = [UInt8]()
                while true {
                    let chunk = try handle.read(upTo: 1 << 16)
                    carry.append(contentsOf: chunk)
                    var start = 0
                    while let newline = carry[start...].firstIndex(of: 0x0A) {
                        pending.append(String(decoding: carry[start..<newline], as: UTF8.self))
                        start = newline + 1
                        if pending.count == 1000 { try await flush() }
                    }
                    carry.removeFirst(start)
                    if chunk.isEmpty { break }
                }
                if !carry.isEmpty { pending.append(String(decoding: carry, as: UTF8.self)) }
            } else {
                for line in csvLines {
                    pending.append(line)
                    if pending.count == 1000 { try await flush() }
                }
            }
            try await flush()
            if showProgress { printError("\rsent \(sent) lines; \(dryRun ? "checking" : "applying")…\n") }
            // Once the file is uploaded the daemon applies it whatever happens to this process: Ctrl-C says so.
            let interrupt = Interrupt.say(
                dryRun
                    ? "treaty: stopped; the daemon finishes checking \(file) and writes nothing\n"
                    : "treaty: stopped waiting; the daemon goes on applying \(file), all or nothing "
                        + "(treaty status shows the records once it has)\n")
            defer { interrupt.cancel() }
            let summary: RPC.ImportSummary
            do {
                summary = try await client.call(
                    RPC.ImportCommit.self,
                    .init(import: token, dryRun: dryRun, admitOffices: admitOffices.map { $0.lowercased() }))
            } catch {
                // Name the CSV file and line rather than the line of the stream.
                if case .rpc(let rpc) = error as? ClientError, let line = rpc.data?["line"]?.intValue,
                    !origins.isEmpty, (1...origins.count).contains(Int(line))
                {
                    let origin = origins[Int(line) - 1]
                    let message = rpc.message.replacing("line \(line): ", with: "")
                    throw CLIFailure("\(origin.file) line \(origin.line): \(message)")
                }
                throw error
            }
            if global.json { return global.print(json: RPCCoding.json(summary)) }
            print(
                (dryRun ? "would import \(file): " : "imported \(file): ")
                    + "\(summary.created) created, \(summary.updated) updated, \(summary.unchanged) already there"
                    + (dryRun ? "; nothing was written" : ""))
            for office in summary.admitted {
                print("\(dryRun ? "would admit" : "admitted") office \(office)")
            }
            if summary.stale > 0 {
                let stale = summary.stale
                let lines = summary.staleLines.map { origin(of: $0, origins) }
                print(
                    "\(stale) \(stale == 1 ? "line was" : "lines were") not applied: other content than the record here, "
                        + "at an older version (edited on an outdated copy): \(lines.joined(separator: ", "))"
                        + (stale > lines.count ? ", …" : "") + ". Export again and redo those edits.")
            }
        }
    }
}

/// Where a line of the stream came from: the CSV file and line, or the line itself.
private func origin(of line: Int, _ origins: [CSVImport.Origin]) -> String {
    guard (1...origins.count).contains(line) else { return "line \(line)" }
    return "\(origins[line - 1].file) line \(origins[line - 1].line)"
}

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Export as lossless JSON Lines, CSV per record kind, or the dyadic table.",
        discussion: """
            jsonl: every record, tombstones included (reads back with `treaty import`). \
            csv: a folder with one CSV per record kind. \
            dyadic: one row per unordered pair of states (A before B by ISO3) per year, with ISO3 and COW codes, a \
            0/1 column per provision type meaning an agreement between them carrying it was in force at some point \
            that year, and the ids behind each flag; name the states with --org or --actors and the years with \
            --from and --to.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case jsonl, csv, dyadic }

    @OptionGroup var global: GlobalOptions
    @Option(help: "jsonl, csv or dyadic.") var format: Format = .jsonl
    @Option(help: "Write to this file (a folder for csv) instead of standard output.") var out: String?
    @Option(help: "dyadic: an organisation whose member states to pair.") var org: String?
    @Option(help: "dyadic: states, comma-separated.") var actors: String?
    @Option(help: "dyadic: first year.") var from: Int?
    @Option(help: "dyadic: last year (this year).") var to: Int?

    func run() async throws {
        switch format {
        case .jsonl: try await exportLines()
        case .csv: try await exportCSV()
        case .dyadic: try await exportDyadic()
        }
    }

    /// Every record's JSON line, page by page.
    func pages(_ client: TreatyClient, _ body: (String) throws -> Void) async throws {
        var cursor: String?
        repeat {
            let page = try await client.call(RPC.ExportPage.self, .init(cursor: cursor, limit: 1000))
            for line in page.lines { try body(line) }
            cursor = page.next
        } while cursor != nil
    }

    func output() throws -> OpenFile {
        guard let out else { return OpenFile.standardOutput }
        return try OpenFile.writing(out)
    }

    func exportLines() async throws {
        let target = try output()
        let count = try await global.withClient { client in
            var count = 0
            var data: [UInt8] = []
            try await pages(client) { line in
                data.append(contentsOf: line.utf8)
                data.append(0x0A)
                count += 1
                if data.count > 1 << 16 {
                    try target.write(data)
                    data.removeAll(keepingCapacity: true)
                }
            }
            try target.write(data)
            return count
        }
        if let out { printError("exported \(count) records to \(out)\n") }
    }

    func exportCSV() async throws {
        guard let out else { throw CLIFailure("--format csv writes a folder: name it with --out", code: 2) }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        var files: [RecordKind: OpenFile] = [:]
        var counts: [RecordKind: Int] = [:]
        try await global.withClient { client in
            try await pages(client) { line in
                guard let record = Record.from(try JSONCodec.decode(line)) else { return }
                let columns = CSV.columns(record.kind)
                if files[record.kind] == nil {
                    let path = out + "/" + record.kind.rawValue + ".csv"
                    let handle = try OpenFile.writing(path)
                    try handle.write(CSV.row(columns) + "\n")
                    files[record.kind] = handle
                }
                let json = record.json
                try files[record.kind]!.write(CSV.row(columns.map { CSV.cell(json[$0]) }) + "\n")
                counts[record.kind, default: 0] += 1
            }
        }
        files.removeAll()
        if global.json { return global.print(json: .object(Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, .int(Int64($0.value))) }))) }
        print("wrote \(counts.count) files to \(out): " + counts.sorted { $0.key < $1.key }.map { "\($0.key.rawValue).csv \($0.value)" }.joined(separator: ", "))
    }

    func exportDyadic() async throws {
        guard org != nil || actors != nil else { throw CLIFailure("--format dyadic needs --org or --actors", code: 2) }
        guard let from else { throw CLIFailure("--format dyadic needs --from YEAR", code: 2) }
        let to = self.to ?? DayArgument.today().year
        let rows = try await global.withClient { client in
            var params = RPC.Dyadic.Params(actors: actors.map { $0.split(separator: ",").map(String.init) }, from: from, to: to)
            if let org { params.organization = try await NameResolution.id(org, kinds: [.actor], client: client) }
            return try await client.call(RPC.Dyadic.self, params).rows
        }
        if global.json { return global.print(json: RPCCoding.json(rows)) }
        let types = Set(rows.flatMap(\.provisions.keys)).sorted()
        var text = CSV.row(["year", "state_a", "cow_a", "state_b", "cow_b"] + types + types.map { $0 + "_ids" }) + "\n"
        for row in rows {
            let ids: [[String]] = types.map { row.provisions[$0] ?? [] }
            let states: [String] = [
                String(row.year), row.a.iso3, row.a.cow.map { String($0) } ?? "", row.b.iso3, row.b.cow.map { String($0) } ?? "",
            ]
            let flags: [String] = ids.map { $0.isEmpty ? "0" : "1" }
            let behind: [String] = ids.map { $0.joined(separator: ";") }
            text += CSV.row(states + flags + behind) + "\n"
        }
        let target = try output()
        try target.write(text)
        if let out { printError("wrote \(rows.count) rows to \(out)\n") }
    }
}

/// RFC 4180 CSV.
enum CSV {
    /// id, the kind's fields, then provenance: the same columns for every record of a kind.
    static func columns(_ kind: RecordKind) -> [String] {
        ["id"] + kind.fields.map(\.name) + Provenance.keys
    }

    static func cell(_ value: JSONValue?) -> String {
        switch value {
        case nil, .null?: return ""
        case .string(let s)?: return s
        case .bool(let b)?: return b ? "true" : "false"
        case let other?: return JSONCodec.string(other)
        }
    }

    static func row(_ cells: [String]) -> String {
        cells.map { cell in
            // By scalar: "\r\n" is one Character, and so is a quote with a combining mark after it.
            cell.unicodeScalars.contains(where: { ",\"\n\r".unicodeScalars.contains($0) })
                ? "\"" + cell.replacingScalars(["\"": "\"\""]) + "\"" : cell
        }.joined(separator: ",")
    }
}

struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch", abstract: "Print changes as they commit (all, or one record's, its current state first).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Only this record (short id or prefix).") var id: String?
    @Option(help: "Stop after this many changes.") var count: Int?

    func run() async throws {
        try await global.withClient { client in
            var full: String?
            if let id { full = try await client.call("record.get", ["id": .string(id)])["id"]?.stringValue }
            let (_, events) = try await client.subscribe(to: full)
            if !global.json { printError("watching for changes; Ctrl-C stops\n") }
            var seen = 0
            for await event in events {
                if global.json {
                    print(JSONCodec.string(event))
                } else {
                    let change: RPC.ChangeEvent
                    do throws(ContractError) {
                        change = try RPCCoding.decode(RPC.ChangeEvent.self, from: event)
                    } catch {
                        throw CLIFailure(ClientError.protocolViolation("a changes.event \(error.problem)"))
                    }
                    if let summary = change.summary {
                        print("imported \(summary.created) created, \(summary.updated) updated")
                    } else if let record = change.record {
                        let who = record.provenance.map { " by \($0.updatedUser) at \($0.updatedAt)" } ?? ""
                        print("\(change.operation.rawValue) \(record.kind.rawValue) \(record.id.prefix(8))  \(record.label)\(who)")
                    }
                }
                fflush(nil)
                seen += 1
                if let count, seen >= count { break }
            }
        }
    }
}

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Is the daemon up, which office is this, what does it hold.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await global.withClient { client in
            let health = try await client.call(RPC.Health.self)
            let stats = try await client.call(RPC.Stats.self)
            if global.json {
                return global.print(
                    json: ["health": RPCCoding.json(health), "stats": RPCCoding.json(stats), "socket": .string(global.socketPath)])
            }
            print("treatyd \(health.version) at \(global.socketPath): \(health.status.rawValue)")
            print("office \(health.office)")
            let held = stats.records.filter { $0.value > 0 }.sorted { $0.key < $1.key }
            print("records: " + (held.isEmpty ? "none" : held.map { "\($0.key) \($0.value)" }.joined(separator: ", ")))
            print("connections \(stats.connections), requests \(stats.requests), up \(Int(stats.uptimeSeconds)) s")
        }
    }
}

/// Says something on Ctrl-C (SIGINT), then exits 130, as a shell expects of a program stopped that way.
enum Interrupt {
    static func say(_ message: String) -> any DispatchSourceSignal {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            printError("\n" + message)
            exit(130)
        }
        source.setCancelHandler { signal(SIGINT, SIG_DFL) }
        source.resume()
        return source
    }
}
