import Foundation

/// Reads a file line by line in fixed-size chunks, so a file of any size is read in constant memory.
public struct LineReader: Sequence, IteratorProtocol {
    private let handle: FileHandle
    private var buffer = [UInt8]()
    /// Where the unread part of `buffer` starts: lines are handed out without copying the rest.
    private var start = 0
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
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = Data(buffer[start..<newline])
                start = newline + 1
                return line
            }
            if buffer.count - start > maximumLineLength {
                overlongLine = true
                return nil
            }
            if atEnd {
                guard start < buffer.count else { return nil }
                defer { start = buffer.count }
                return Data(buffer[start...])
            }
            // Drop what was handed out, then read the next chunk after the partial line.
            buffer.removeFirst(start)
            start = 0
            let chunk = (try? handle.read(upToCount: 1 << 16)) ?? nil
            if let chunk, !chunk.isEmpty {
                buffer.append(contentsOf: chunk)
            } else {
                atEnd = true
                try? handle.close()
            }
        }
    }
}
