#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import TreatyModel

/// Reads CSV files as `treaty export --format csv` writes them (one per record kind, named `KIND.csv`, columns
/// id, the kind's fields, provenance) into JSON Lines records, typed by the schema.
enum CSVImport {
    /// Where a streamed line came from, to report errors against the file the user wrote.
    struct Origin {
        let file: String
        let line: Int
    }

    /// The record lines of every `KIND.csv` under `path` (a folder, or one file), in record-kind order.
    static func lines(from path: String) throws -> [(String, Origin)] {
        var info = stat()
        guard stat(path, &info) == 0 else { throw CLIFailure("no such file or folder: \(path)", code: 2) }
        var files: [(RecordKind, String)] = []
        if info.st_mode & S_IFMT == S_IFDIR {
            let names = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".csv") }
            for name in names {
                guard let kind = RecordKind(rawValue: String(name.dropLast(4))) else {
                    throw CLIFailure("\(name): not a record kind's file (expected KIND.csv, such as person.csv)", code: 2)
                }
                files.append((kind, path + "/" + name))
            }
        } else {
            let name = String(path.split(separator: "/").last ?? "")
            guard name.hasSuffix(".csv"), let kind = RecordKind(rawValue: String(name.dropLast(4))) else {
                throw CLIFailure("\(name): expected KIND.csv, such as person.csv", code: 2)
            }
            files.append((kind, path))
        }
        var out: [(String, Origin)] = []
        for (kind, file) in files.sorted(by: { $0.0 < $1.0 }) {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            let rows = try parse(text, file: file)
            guard let header = rows.first?.cells else { continue }
            let known = Set(["id"] + kind.fields.map(\.name) + Provenance.keys)
            for column in header where !known.contains(column) {
                throw CLIFailure("\(file): \(kind.rawValue) has no column \"\(column)\"", code: 2)
            }
            for row in rows.dropFirst() {
                let line = try record(kind, header: header, cells: row.cells, at: "\(file) line \(row.line)")
                out.append((line, Origin(file: file, line: row.line)))
            }
        }
        return out
    }

    /// One CSV row as a JSON record line.
    static func record(_ kind: RecordKind, header: [String], cells: [String], at place: String) throws -> String {
        guard cells.count == header.count else {
            throw CLIFailure("\(place): \(cells.count) cells, but the header has \(header.count)", code: 2)
        }
        var object: [String: JSONValue] = ["type": .string(kind.rawValue)]
        var provenance = 0
        for (column, cell) in zip(header, cells) where !cell.isEmpty {
            if Provenance.keys.contains(column) { provenance += 1 }
            switch (column, kind.field(column)?.type) {
            case ("version", _):
                guard let v = Int64(cell) else { throw CLIFailure("\(place): version \"\(cell)\" is not a whole number", code: 2) }
                object[column] = .int(v)
            case ("deleted", _):
                guard let b = Bool(cell) else { throw CLIFailure("\(place): deleted must be true or false", code: 2) }
                object[column] = .bool(b)
            case (_, .integer?):
                guard let i = Int64(cell) else { throw CLIFailure("\(place): \(column) \"\(cell)\" is not a whole number", code: 2) }
                object[column] = .int(i)
            case (_, .number?):
                guard let d = Double(cell) else { throw CLIFailure("\(place): \(column) \"\(cell)\" is not a number", code: 2) }
                object[column] = .double(d)
            case (_, .boolean?):
                guard let b = Bool(cell) else { throw CLIFailure("\(place): \(column) must be true or false", code: 2) }
                object[column] = .bool(b)
            default:
                object[column] = .string(cell)
            }
        }
        if provenance > 0, provenance < Provenance.keys.count {
            throw CLIFailure("\(place): provenance must be given whole (\(Provenance.keys.joined(separator: ", "))) or not at all", code: 2)
        }
        return JSONCodec.string(.object(object))
    }

    /// RFC 4180: quoted cells may hold commas, doubled quotes and line breaks. Each row keeps the line it
    /// starts on.
    static func parse(_ text: String, file: String) throws -> [(line: Int, cells: [String])] {
        var rows: [(Int, [String])] = []
        var cells: [String] = []
        var cell = ""
        var quoted = false
        var line = 1
        var rowLine = 1
        var iterator = Array(text.unicodeScalars).makeIterator()
        var pending: Unicode.Scalar? = nil
        func nextScalar() -> Unicode.Scalar? {
            if let p = pending { pending = nil; return p }
            return iterator.next()
        }
        while let c = nextScalar() {
            if quoted {
                if c == "\"" {
                    if let after = nextScalar() {
                        if after == "\"" { cell.unicodeScalars.append("\"") } else { quoted = false; pending = after }
                    } else {
                        quoted = false
                    }
                } else {
                    if c == "\n" { line += 1 }
                    cell.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"" where cell.isEmpty: quoted = true
            case ",":
                cells.append(cell)
                cell = ""
            case "\r": continue
            case "\n":
                cells.append(cell)
                if !(cells.count == 1 && cells[0].isEmpty) { rows.append((rowLine, cells)) }
                cells = []
                cell = ""
                line += 1
                rowLine = line
            default: cell.unicodeScalars.append(c)
            }
        }
        if quoted { throw CLIFailure("\(file) line \(rowLine): a quoted cell is never closed", code: 2) }
        if !cell.isEmpty || !cells.isEmpty {
            cells.append(cell)
            rows.append((rowLine, cells))
        }
        return rows
    }
}
