import CSQLite
import Foundation
import GRDB

/// One row's change in a SQLite session changeset.
struct RowChange {
    enum Operation { case insert, update, delete }

    let table: String
    let operation: Operation
    /// How many columns the table had where the change was made.
    let columns: Int
    /// New values by column index (inserts: all; updates: only the changed columns).
    let new: [Int: DatabaseValue]
    /// Old values by column index (deletes: all; updates: the primary key and changed columns).
    let old: [Int: DatabaseValue]
    /// Which columns make up the primary key.
    let primaryKey: [Bool]

    /// The primary key's values, in column order.
    var key: [DatabaseValue] {
        primaryKey.indices.filter { primaryKey[$0] }.map { old[$0] ?? new[$0] ?? .null }
    }
}

/// Reading SQLite session changesets (``CaptureSession`` makes them).
enum Changeset {
    /// The row changes in a changeset, in its order.
    static func rows(_ changeset: Data) throws -> [RowChange] {
        var changes: [RowChange] = []
        try forEachRow(changeset) { changes.append($0) }
        return changes
    }

    /// Hands each row change of a changeset to `body`, in its order, one at a time: a changeset can be a mapping
    /// of a file of hundreds of MB, and neither its bytes nor its rows are copied whole.
    static func forEachRow(_ changeset: Data, _ body: (RowChange) throws -> Void) throws {
        guard !changeset.isEmpty else { return }
        // SQLite's changeset iterator loops forever on some truncated inputs (3.40.1: seven bytes were enough): a
        // change set's bytes are walked here first, and only a well-formed one is handed to it.
        guard isWellFormed(changeset) else {
            throw StoreError.database("a changeset does not parse (it is not of SQLite's changeset format)")
        }
        var failure: (any Error)?
        let status: Int32 = changeset.withUnsafeBytes { buffer in
            var iterator: OpaquePointer?
            // The iterator only reads the buffer (sqlite3changeset_start takes a non-const pointer all the same).
            var rc = sqlite3changeset_start(&iterator, Int32(buffer.count), UnsafeMutableRawPointer(mutating: buffer.baseAddress))
            guard rc == SQLITE_OK else { return rc }
            defer { sqlite3changeset_finalize(iterator) }
            while true {
                rc = sqlite3changeset_next(iterator)
                guard rc == SQLITE_ROW else { return rc == SQLITE_DONE ? SQLITE_OK : rc }
                var name: UnsafePointer<CChar>?
                var columns: Int32 = 0
                var op: Int32 = 0
                var indirect: Int32 = 0
                rc = sqlite3changeset_op(iterator, &name, &columns, &op, &indirect)
                guard rc == SQLITE_OK, let name else { return rc == SQLITE_OK ? SQLITE_CORRUPT : rc }
                var pkFlags: UnsafeMutablePointer<UInt8>?
                var pkColumns: Int32 = 0
                rc = sqlite3changeset_pk(iterator, &pkFlags, &pkColumns)
                guard rc == SQLITE_OK, let pkFlags else { return rc == SQLITE_OK ? SQLITE_CORRUPT : rc }
                var new: [Int: DatabaseValue] = [:]
                var old: [Int: DatabaseValue] = [:]
                for i in 0..<columns {
                    var value: OpaquePointer?
                    if op != SQLITE_DELETE, sqlite3changeset_new(iterator, i, &value) == SQLITE_OK, let value {
                        new[Int(i)] = databaseValue(value)
                    }
                    value = nil
                    if op != SQLITE_INSERT, sqlite3changeset_old(iterator, i, &value) == SQLITE_OK, let value {
                        old[Int(i)] = databaseValue(value)
                    }
                }
                let operation: RowChange.Operation =
                    op == SQLITE_INSERT ? .insert : op == SQLITE_UPDATE ? .update : .delete
                do {
                    try body(
                        RowChange(
                            table: String(cString: name), operation: operation, columns: Int(columns), new: new,
                            old: old, primaryKey: (0..<Int(pkColumns)).map { pkFlags[$0] != 0 }))
                } catch {
                    failure = error
                    return SQLITE_OK
                }
            }
        }
        if let failure { throw failure }
        guard status == SQLITE_OK else {
            throw StoreError.database("a changeset does not parse (SQLite error \(status))")
        }
    }

    /// True when `data` is a sequence of tables in SQLite's changeset format (sqlite3session.h): a header ('T',
    /// the column count as a varint, a primary-key flag per column, the table name ending in a zero byte), then its
    /// rows (an operation, an indirect flag, and one record for an insert or a delete, two for an update), each
    /// record a value per column (a type byte and its bytes), every length inside the buffer.
    static func isWellFormed(_ data: Data) -> Bool {
        data.withUnsafeBytes { isWellFormed($0.bindMemory(to: UInt8.self)) }
    }

    private static func isWellFormed(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var at = 0
        func varint() -> Int? {
            var value = 0
            for index in 0..<9 {
                guard at < bytes.count else { return nil }
                let byte = bytes[at]
                at += 1
                if index == 8 { return (value << 8) | Int(byte) }
                value = (value << 7) | Int(byte & 0x7F)
                if byte & 0x80 == 0 { return value }
                guard value < 1 << 48 else { return nil }
            }
            return nil
        }
        func record(columns: Int) -> Bool {
            for _ in 0..<columns {
                guard at < bytes.count else { return false }
                let type = bytes[at]
                at += 1
                switch type {
                case 0, 5: continue  // undefined, NULL
                case 1, 2: at += 8  // integer, float
                case 3, 4:  // text, blob
                    guard let length = varint(), length >= 0, length <= bytes.count - at else { return false }
                    at += length
                default: return false
                }
                guard at <= bytes.count else { return false }
            }
            return true
        }
        while at < bytes.count {
            guard bytes[at] == UInt8(ascii: "T") else { return false }
            at += 1
            guard let columns = varint(), (1...32767).contains(columns), columns <= bytes.count - at else { return false }
            at += columns  // a byte per column: 0, or its place in the primary key
            guard let end = bytes[at...].firstIndex(of: 0), end > at else { return false }
            at = end + 1
            while at < bytes.count, bytes[at] != UInt8(ascii: "T") {
                let operation = bytes[at]
                guard at + 1 < bytes.count, [9, 18, 23].contains(operation), bytes[at + 1] <= 1 else { return false }
                at += 2
                guard record(columns: columns) else { return false }
                if operation == 23, !record(columns: columns) { return false }
            }
        }
        return true
    }

    private static func databaseValue(_ value: OpaquePointer) -> DatabaseValue {
        switch sqlite3_value_type(value) {
        case SQLITE_INTEGER: return sqlite3_value_int64(value).databaseValue
        case SQLITE_FLOAT: return sqlite3_value_double(value).databaseValue
        case SQLITE_TEXT:
            let count = Int(sqlite3_value_bytes(value))
            guard let text = sqlite3_value_text(value) else { return "".databaseValue }
            return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self).databaseValue
        case SQLITE_BLOB:
            let count = Int(sqlite3_value_bytes(value))
            guard let blob = sqlite3_value_blob(value) else { return Data().databaseValue }
            return Data(bytes: blob, count: count).databaseValue
        default: return .null
        }
    }
}

/// A SQLite session attached to a connection inside a transaction: it records every change to the synced tables
/// from its start, and ``changeset()`` says what they add up to. Ending one and starting another cuts a long
/// write into several change sets.
final class CaptureSession {
    private let session: OpaquePointer

    init(_ db: Database, allTables: Bool = false) throws {
        var session: OpaquePointer?
        guard sqlite3session_create(db.sqliteConnection, "main", &session) == SQLITE_OK, let session else {
            throw StoreError.database("cannot start a capture session")
        }
        self.session = session
        if !allTables {
            sqlite3session_table_filter(
                session,
                { _, table in
                    guard let table else { return 0 }
                    return SyncTables.captured.contains(String(cString: table)) ? 1 : 0
                }, nil)
        }
        guard sqlite3session_attach(session, nil) == SQLITE_OK else {
            throw StoreError.database("cannot attach the capture session")
        }
    }

    deinit {
        sqlite3session_delete(session)
    }

    /// The changes recorded so far (empty when nothing changed).
    func changeset() throws -> Data {
        var size: Int32 = 0
        var buffer: UnsafeMutableRawPointer?
        let rc = sqlite3session_changeset(session, &size, &buffer)
        defer { sqlite3_free(buffer) }
        guard rc == SQLITE_OK else { throw StoreError.database("cannot read the captured changeset (SQLite error \(rc))") }
        return buffer.map { Data(bytes: $0, count: Int(size)) } ?? Data()
    }
}
