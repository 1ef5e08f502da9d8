import ArgumentParser
import Foundation
import TreatyClient
import TreatyModel

#if canImport(Glibc)
    import Glibc
#endif

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import a JSON Lines file: all records or none.",
        discussion: "Lines are sent in chunks and applied in one transaction when the whole file is in; one bad "
            + "line and nothing is written. Progress shows on a terminal.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The JSON Lines file.") var file: String

    func run() async throws {
        guard let handle = FileHandle(forReadingAtPath: file) else { throw CLIFailure("cannot read \(file)", code: 2) }
        let showProgress = isatty(STDERR_FILENO) == 1 && !global.json
        try await global.withClient { client in
            let begun = try await client.call("import.begin")
            let token = begun["import"] ?? .null
            var sent = 0
            var pending: [JSONValue] = []
            var carry = [UInt8]()
            func flush() async throws {
                guard !pending.isEmpty else { return }
                _ = try await client.call("import.chunk", ["import": token, "lines": .array(pending)])
                sent += pending.count
                pending.removeAll(keepingCapacity: true)
                if showProgress { FileHandle.standardError.write(Data("\rsent \(sent) lines".utf8)) }
            }
            while true {
                let chunk = try handle.read(upToCount: 1 << 16) ?? Data()
                carry.append(contentsOf: chunk)
                var start = 0
                while let newline = carry[start...].firstIndex(of: 0x0A) {
                    pending.append(.string(String(decoding: carry[start..<newline], as: UTF8.self)))
                    start = newline + 1
                    if pending.count == 1000 { try await flush() }
                }
                carry.removeFirst(start)
                if chunk.isEmpty { break }
            }
            if !carry.isEmpty { pending.append(.string(String(decoding: carry, as: UTF8.self))) }
            try await flush()
            if showProgress { FileHandle.standardError.write(Data("\rsent \(sent) lines; applying…\n".utf8)) }
            let summary = try await client.call("import.commit", ["import": token])
            if global.json { return global.print(json: summary) }
            print(
                "imported \(file): \(summary["created"]?.intValue ?? 0) created, \(summary["updated"]?.intValue ?? 0) updated, "
                    + "\(summary["unchanged"]?.intValue ?? 0) already there")
        }
    }
}

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Export everything, tombstones included, as lossless JSON Lines.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "Write to this file instead of standard output.") var out: String?

    func run() async throws {
        var output = FileHandle.standardOutput
        if let out {
            guard FileManager.default.createFile(atPath: out, contents: nil), let handle = FileHandle(forWritingAtPath: out) else {
                throw CLIFailure("cannot write \(out)", code: 2)
            }
            output = handle
        }
        let target = output
        let count = try await global.withClient { client in
            var cursor: JSONValue = .null
            var count = 0
            repeat {
                var params: [String: JSONValue] = ["limit": 1000]
                if !cursor.isNull { params["cursor"] = cursor }
                let page = try await client.call("export.page", params)
                var data = Data()
                for line in page["lines"]?.arrayValue ?? [] {
                    data.append(contentsOf: (line.stringValue ?? "").utf8)
                    data.append(0x0A)
                    count += 1
                }
                try target.write(contentsOf: data)
                cursor = page["next"] ?? .null
            } while !cursor.isNull
            return count
        }
        if let out { FileHandle.standardError.write(Data("exported \(count) records to \(out)\n".utf8)) }
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
            if !global.json { FileHandle.standardError.write(Data("watching for changes; Ctrl-C stops\n".utf8)) }
            var seen = 0
            for await event in events {
                if global.json {
                    print(JSONCodec.string(event))
                } else {
                    let operation = event["operation"]?.stringValue ?? ""
                    if let summary = event["summary"] {
                        print("imported \(summary["created"]?.intValue ?? 0) created, \(summary["updated"]?.intValue ?? 0) updated")
                    } else if let json = event["record"], let record = Record.from(json) {
                        let who = record.provenance.map { " by \($0.updatedUser) at \($0.updatedAt)" } ?? ""
                        print("\(operation) \(record.kind.rawValue) \(String(record.id.prefix(8)))  \(record.label)\(who)")
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
            let health = try await client.call("health")
            let stats = try await client.call("stats")
            if global.json { return global.print(json: ["health": health, "stats": stats, "socket": .string(global.socketPath)]) }
            print("treatyd \(health["version"]?.stringValue ?? "") at \(global.socketPath): \(health["status"]?.stringValue ?? "")")
            print("office \(health["office"]?.stringValue ?? "")")
            let records = stats["records"]?.objectValue ?? [:]
            let held = records.filter { ($0.value.intValue ?? 0) > 0 }.sorted { $0.key < $1.key }
            print("records: " + (held.isEmpty ? "none" : held.map { "\($0.key) \($0.value.intValue ?? 0)" }.joined(separator: ", ")))
            print("connections \(stats["connections"]?.intValue ?? 0), requests \(stats["requests"]?.intValue ?? 0), up \(Int(stats["uptime_seconds"]?.doubleValue ?? 0)) s")
        }
    }
}
