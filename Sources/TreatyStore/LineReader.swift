import Foundation

/// Reads a file line by line in fixed-size chunks, so a file of any size is read in constant memory.
public struct LineReader: Sequence, IteratorProtocol {
    private let handle: FileHandle
    private var buffer = Data()
    private var atEnd = false
    private let maximumLineLength: Int
    /// Set when a line longer than the maximum was met; the reader stops there.
    public private(set) var overlongLine = false

    public init(path: String, maximumLineLength: Int = 16 << 20) throws(StoreError) {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw .io("cannot read \(path)") }
        self.handle = handle
        self.maximumLineLength = maximumLineLength
    }

    /// The next line without its newline (a final line without one counts), or nil at the end.
    public mutating func next() -> Data? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffer[buffer.startIndex..<newline]
                buffer = Data(buffer[(newline + 1)...])
                return Data(line)
            }
            if buffer.count > maximumLineLength {
                overlongLine = true
                return nil
            }
            if atEnd {
                guard !buffer.isEmpty else { return nil }
                defer { buffer = Data() }
                return buffer
            }
            let chunk = (try? handle.read(upToCount: 1 << 16)) ?? nil
            if let chunk, !chunk.isEmpty {
                buffer.append(chunk)
            } else {
                atEnd = true
                try? handle.close()
            }
        }
    }
}
