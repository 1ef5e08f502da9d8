import Foundation
import Logging
import NIOCore
import NIOEmbedded
import NIOPosix
import NIOSSL
import Testing
import TreatyModel
import TreatyStore
import TreatySync

@testable import TreatyPeer

/// A store in a temporary directory.
final class TemporaryStore: Sendable {
    let directory: String
    let store: TreatyStore

    init() throws {
        directory = NSTemporaryDirectory() + "treaty-peer-unit-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        store = try TreatyStore.open(path: directory + "/treaty.sqlite", options: StoreOptions(durable: false))
    }

    var certificate: OfficeCertificate {
        get throws {
            let key = store.office.privateKey.rawRepresentation
            let office = store.office.id
            return try LargeStack.run { try OfficeCertificate(rawKey: key, officeID: office) }
        }
    }

    deinit {
        try? store.close()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

@Suite("The peer protocol")
struct PeerProtocolTests {
    @Test("every frame type reads back as written, split anywhere in the byte stream")
    func framesRoundTrip() throws {
        let vector = VersionVector([String(repeating: "a", count: 64): 7])
        let messages: [PeerMessage] = [
            .hello(.init(protocol: 1, office: String(repeating: "b", count: 64), schema: 1, vector: vector.entries)),
            .changeSet(Data((0..<2000).map { UInt8($0 % 251) })), .vector(vector, round: "r1"),
            .caughtUp(vector, round: nil), .ack(vector, round: "r2"), .error("no"),
            .changeSetPiece(total: ChangeSetEnvelope.inlineLimit + 1, bytes: Data((0..<3000).map { UInt8($0 % 7) })),
        ]
        var stream = ByteBuffer()
        for message in messages { message.encode(into: &stream) }
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(PeerFrameDecoder()))
        // Feed it in 7-byte pieces: frames cross piece boundaries.
        while stream.readableBytes > 0 {
            try channel.writeInbound(stream.readSlice(length: min(7, stream.readableBytes))!)
        }
        var read: [PeerMessage] = []
        while let message = try channel.readInbound(as: PeerMessage.self) { read.append(message) }
        #expect(read == messages)
    }

    @Test("a frame longer than the limit closes the connection instead of being buffered")
    func oversizeFrame() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(PeerFrameDecoder()))
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt32(PeerMessage.maximumFrame + 1))
        buffer.writeInteger(UInt8(2))
        #expect(throws: SyncError.self) { try channel.writeInbound(buffer) }
    }

    @Test("an office certificate speaks for the office id, the hash of the key")
    func certificateIdentity() throws {
        let office = try TemporaryStore()
        let certificate = try office.certificate
        #expect(PeerIdentity.office(of: certificate.certificate) == office.store.office.id)
    }

    @Test("a hello with another protocol version is answered with an error naming both versions, then closed")
    func protocolMismatch() async throws {
        let listener = try TemporaryStore()
        let dialer = try TemporaryStore()
        let service = try PeerService(store: listener.store, certificate: try listener.certificate, logger: Logger(label: "test"))
        _ = try await listener.store.addPeer(name: "dialer", address: "127.0.0.1:1", office: dialer.store.office.id)
        try await service.start(listen: "127.0.0.1:0")
        let address = try #require(await service.listeningAddress)
        defer { Task { await service.stop() } }

        let certificate = try dialer.certificate
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateChain = [.certificate(certificate.certificate)]
        configuration.privateKey = .privateKey(certificate.privateKey)
        configuration.minimumTLSVersion = .tlsv13
        configuration.certificateVerification = .noHostnameVerification
        configuration.signingSignatureAlgorithms = [.ed25519]
        configuration.verifySignatureAlgorithms = [.ed25519]
        let context = try NIOSSLContext(configuration: configuration)
        let port = Int(address.split(separator: ":").last!)!
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        try NIOSSLClientHandler(context: context, serverHostname: nil) { _, promise in
                            promise.succeed(.certificateVerified)
                        })
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(PeerFrameDecoder()))
                    return try NIOAsyncChannel<PeerMessage, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let received = try await channel.executeThenClose { inbound, outbound in
            var hello = ByteBuffer()
            PeerMessage.hello(.init(protocol: 2, office: dialer.store.office.id, schema: 1, vector: [:])).encode(into: &hello)
            try await outbound.write(hello)
            var messages: [PeerMessage] = []
            do {
                for try await message in inbound { messages.append(message) }
            } catch {
                // The listener closes after its error frame.
            }
            return messages
        }
        let errors = received.compactMap { message -> String? in
            if case .error(let why) = message { return why }
            return nil
        }
        #expect(errors.count == 1)
        #expect(errors.first?.contains("speaks peer protocol 2") == true)
        #expect(errors.first?.contains("this office speaks 1") == true)
    }
}
