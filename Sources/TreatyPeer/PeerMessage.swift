import Foundation
import NIOCore
import TreatySync

/// What peers say to each other, one frame each: a 4-byte big-endian length (of what follows), a 1-byte type,
/// and the payload. Control frames carry JSON; a change set frame carries one signed change set, zlib-compressed.
/// See proto/peer-protocol.md.
public enum PeerMessage: Sendable, Equatable {
    /// First frame each side sends: the protocol it speaks, who it is, its schema, and what it holds.
    case hello(Hello)
    /// One change set exactly as its origin signed it (at most ``ChangeSetEnvelope/inlineLimit`` bytes).
    case changeSet(Data)
    /// The next piece (at most ``pieceSize`` bytes) of a change set of `total` bytes, larger than
    /// ``ChangeSetEnvelope/inlineLimit``: its pieces follow each other with nothing between them.
    case changeSetPiece(total: Int, bytes: Data)
    /// "Here is what I hold: send what I lack." `round` ties the answer to a `sync now`.
    case vector(VersionVector, round: String?)
    /// "I have sent everything I hold that you lacked, as of this vector."
    case caughtUp(VersionVector, round: String?)
    /// "I have applied what you sent; I now hold this."
    case ack(VersionVector, round: String?)
    /// Why the sender is closing the connection.
    case error(String)

    public struct Hello: Sendable, Equatable, Codable {
        public var `protocol`: Int
        public var office: String
        public var schema: Int
        public var vector: [String: UInt64]
        /// The sender says something at least this often (seconds), so a silence of a few of these means the link
        /// is gone. Absent from peers that do not promise it: their silence is never taken for a lost link.
        public var heartbeatSeconds: Int?

        enum CodingKeys: String, CodingKey {
            case `protocol`, office, schema, vector
            case heartbeatSeconds = "heartbeat_seconds"
        }
    }

    /// The version of the protocol this build speaks.
    public static let protocolVersion = 1
    /// No frame may be longer than this.
    public static let maximumFrame = 64 << 20
    /// A large change set travels in pieces of this many bytes (before compression).
    public static let pieceSize = 4 << 20

    enum Kind: UInt8 {
        case hello = 1, changeSet, vector, caughtUp, ack, error, changeSetPiece
    }

    struct Control: Codable {
        var vector: [String: UInt64]?
        var round: String?
        var error: String?
    }

    /// The frame's bytes.
    public func encode(into buffer: inout ByteBuffer) {
        let (kind, payload): (Kind, Data) = {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            func json(_ value: some Encodable) -> Data { (try? encoder.encode(value)) ?? Data("{}".utf8) }
            switch self {
            case .hello(let hello): return (.hello, json(hello))
            case .changeSet(let envelope): return (.changeSet, Zlib.deflate(envelope, level: 6))
            case .changeSetPiece(let total, let bytes):
                var payload = ByteWriter()
                payload.u64(UInt64(total))
                payload.raw(Zlib.deflate(bytes, level: 6))
                return (.changeSetPiece, payload.data)
            case .vector(let vector, let round): return (.vector, json(Control(vector: vector.entries, round: round)))
            case .caughtUp(let vector, let round): return (.caughtUp, json(Control(vector: vector.entries, round: round)))
            case .ack(let vector, let round): return (.ack, json(Control(vector: vector.entries, round: round)))
            case .error(let message): return (.error, json(Control(error: message)))
            }
        }()
        buffer.writeInteger(UInt32(payload.count + 1))
        buffer.writeInteger(kind.rawValue)
        buffer.writeBytes(payload)
    }

    /// Parses one frame's type and payload.
    static func decode(kind: UInt8, payload: ByteBuffer) throws(SyncError) -> PeerMessage {
        let data = Data(payload.readableBytesView)
        guard let kind = Kind(rawValue: kind) else { throw .malformed("unknown peer frame type \(kind)") }
        func control() throws(SyncError) -> Control {
            do {
                return try JSONDecoder().decode(Control.self, from: data)
            } catch {
                throw .malformed("a peer control frame is not valid JSON: \(error)")
            }
        }
        switch kind {
        case .hello:
            do {
                return .hello(try JSONDecoder().decode(Hello.self, from: data))
            } catch {
                throw .malformed("the peer's hello is not valid: \(error)")
            }
        case .changeSet: return .changeSet(try Zlib.inflate(data, limit: ChangeSetEnvelope.inlineLimit))
        case .changeSetPiece:
            var reader = ByteReader(data)
            let total = try reader.u64()
            guard total > ChangeSetEnvelope.inlineLimit, total <= ChangeSetEnvelope.maximumSize else {
                throw .malformed("a change set of \(total) bytes sent in pieces (pieces carry \(ChangeSetEnvelope.inlineLimit) to \(ChangeSetEnvelope.maximumSize))")
            }
            return .changeSetPiece(
                total: Int(total), bytes: try Zlib.inflate(try reader.bytes(reader.remaining), limit: pieceSize))
        case .vector:
            let c = try control()
            return .vector(VersionVector(c.vector ?? [:]), round: c.round)
        case .caughtUp:
            let c = try control()
            return .caughtUp(VersionVector(c.vector ?? [:]), round: c.round)
        case .ack:
            let c = try control()
            return .ack(VersionVector(c.vector ?? [:]), round: c.round)
        case .error: return .error((try control()).error ?? "no reason given")
        }
    }
}

/// Splits the byte stream into ``PeerMessage``s, refusing a frame longer than the limit.
struct PeerFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = PeerMessage

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else { return .needMoreData }
        guard length >= 1, Int(length) <= PeerMessage.maximumFrame else {
            throw SyncError.tooLarge("a peer frame of \(length) bytes (the limit is \(PeerMessage.maximumFrame))")
        }
        guard buffer.readableBytes >= 4 + Int(length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 4)
        let kind: UInt8 = buffer.readInteger()!
        let payload = buffer.readSlice(length: Int(length) - 1)!
        context.fireChannelRead(wrapInboundOut(try PeerMessage.decode(kind: kind, payload: payload)))
        return .continue
    }
}
