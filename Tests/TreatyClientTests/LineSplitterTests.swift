import Testing

@testable import TreatyClient

@Suite("Reading the daemon's lines")
struct LineSplitterTests {
    @Test("lines come out whole however the bytes are cut, a long one included", arguments: [1, 7, 4096, 65_536])
    func splitAnywhere(piece: Int) {
        let long = String(repeating: "x", count: 100_000)
        let text = Array("{\"a\":1}\n\(long)\n\n{\"b\":2}\n{\"c\":".utf8)
        var splitter = LineSplitter()
        var lines: [String] = []
        var offset = 0
        while offset < text.count {
            splitter.append(text[offset..<min(offset + piece, text.count)])
            offset += piece
            while let line = splitter.next() { lines.append(String(decoding: line, as: UTF8.self)) }
        }
        // The unfinished last line waits for its newline.
        #expect(lines == ["{\"a\":1}", long, "", "{\"b\":2}"])
        splitter.append(Array("3}\n".utf8))
        #expect(splitter.next().map { String(decoding: $0, as: UTF8.self) } == "{\"c\":3}")
        #expect(splitter.next() == nil)
    }
}
