import NIOCore
import NIOEmbedded
import Testing

@testable import TreatyClient

@Suite("Reading the daemon's lines")
struct NewlineDecoderTests {
    @Test("lines come out whole however the bytes are cut, a long one included", arguments: [7, 4096, 65_536])
    func splitAnywhere(piece: Int) throws {
        let long = String(repeating: "x", count: 100_000)
        let text = "{\"a\":1}\n\(long)\n\n{\"b\":2}\n"
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(NewlineDecoder()))
        var bytes = ByteBuffer(string: text)
        while bytes.readableBytes > 0 {
            try channel.writeInbound(bytes.readSlice(length: min(piece, bytes.readableBytes))!)
        }
        var lines: [String] = []
        while let line = try channel.readInbound(as: ByteBuffer.self) { lines.append(String(buffer: line)) }
        #expect(lines == ["{\"a\":1}", long, "", "{\"b\":2}"])
    }
}
