import Foundation
import TreatyModel
import TreatyProtocol

/// Bundles moving between a client and the daemon a piece at a time, so neither holds a whole bundle in memory
/// and no bundle is bounded by the request line: each is a file in the state directory, owned by the connection
/// that started it and removed when that connection ends.
actor BundleTransfers {
    /// The largest piece of a bundle one call carries (before base64).
    static let pieceBytes = 4 << 20

    private struct Transfer {
        let path: String
        let owner: ObjectIdentifier
        var handle: FileHandle?
        var bytes = 0
    }

    private let directory: String
    private var transfers: [String: Transfer] = [:]

    init(directory: String) {
        self.directory = directory
    }

    /// A new file for a bundle on its way in, and its token.
    func beginUpload(owner: Session) throws(RPCError) -> String {
        let token = RecordID.generate()
        let path = directory + "/bundle-in-" + token
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
            let handle = FileHandle(forWritingAtPath: path)
        else { throw .application(.ioError, "cannot stage a bundle in \(directory)") }
        transfers[token] = Transfer(path: path, owner: ObjectIdentifier(owner), handle: handle)
        return token
    }

    /// Appends a piece to an upload; returns the bytes received so far.
    func append(_ token: String, _ data: Data, owner: Session) throws(RPCError) -> Int {
        guard var transfer = transfers[token], transfer.owner == ObjectIdentifier(owner), let handle = transfer.handle else {
            throw Self.unknown(token)
        }
        do {
            try handle.write(contentsOf: data)
        } catch {
            throw .application(.ioError, "cannot stage the bundle: \(error)")
        }
        transfer.bytes += data.count
        transfers[token] = transfer
        return transfer.bytes
    }

    /// Hands an upload's file over; the caller removes it.
    func finishUpload(_ token: String, owner: Session) throws(RPCError) -> String {
        guard let transfer = transfers[token], transfer.owner == ObjectIdentifier(owner), transfer.handle != nil else {
            throw Self.unknown(token)
        }
        transfers[token] = nil
        try? transfer.handle?.close()
        return transfer.path
    }

    /// A path for a bundle the daemon writes for the client, and its token.
    func reserveDownload(owner: Session) -> (token: String, path: String) {
        let token = RecordID.generate()
        let path = directory + "/bundle-out-" + token
        transfers[token] = Transfer(path: path, owner: ObjectIdentifier(owner))
        return (token, path)
    }

    /// Up to ``pieceBytes`` of a download from `offset`, and the offset of the next piece (nil after the last).
    func read(_ token: String, at offset: Int, owner: Session) throws(RPCError) -> (Data, next: Int?) {
        guard let transfer = transfers[token], transfer.owner == ObjectIdentifier(owner), transfer.handle == nil else {
            throw Self.unknown(token)
        }
        do {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: transfer.path))
            defer { try? handle.close() }
            let size = Int(try handle.seekToEnd())
            guard (0...size).contains(offset) else {
                throw RPCError.invalidParams("offset \(offset) is outside the bundle's \(size) bytes")
            }
            try handle.seek(toOffset: UInt64(offset))
            let data = try handle.read(upToCount: Self.pieceBytes) ?? Data()
            let next = offset + data.count
            return (data, next < size ? next : nil)
        } catch let error as RPCError {
            throw error
        } catch {
            throw .application(.ioError, "cannot read the staged bundle: \(error)")
        }
    }

    /// Removes a transfer's file.
    func end(_ token: String, owner: Session) throws(RPCError) {
        guard let transfer = transfers[token], transfer.owner == ObjectIdentifier(owner) else { throw Self.unknown(token) }
        remove(token, transfer)
    }

    /// Removes every transfer a closed connection left.
    func abandon(owner: Session) {
        for (token, transfer) in transfers where transfer.owner == ObjectIdentifier(owner) { remove(token, transfer) }
    }

    private func remove(_ token: String, _ transfer: Transfer) {
        transfers[token] = nil
        try? transfer.handle?.close()
        try? FileManager.default.removeItem(atPath: transfer.path)
    }

    static func unknown(_ token: String) -> RPCError {
        .application(.unknownImport, "no bundle transfer \"\(token)\" is open on this connection; start one with its .begin method")
    }
}
