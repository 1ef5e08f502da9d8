import Foundation

/// Appends big-endian integers and length-prefixed fields to a byte buffer.
package struct ByteWriter {
    package init() {}

    package private(set) var data = Data()

    package mutating func u32(_ value: UInt32) {
        withUnsafeBytes(of: value.bigEndian) { data.append(contentsOf: $0) }
    }

    package mutating func u64(_ value: UInt64) {
        withUnsafeBytes(of: value.bigEndian) { data.append(contentsOf: $0) }
    }

    package mutating func raw(_ bytes: Data) { data.append(bytes) }

    /// A 32-bit length, then the bytes.
    package mutating func field(_ bytes: Data) {
        u32(UInt32(bytes.count))
        data.append(bytes)
    }
}

/// Reads what ``ByteWriter`` wrote, refusing to read past the end.
package struct ByteReader {
    package let data: Data
    package private(set) var offset: Int

    package init(_ data: Data) {
        self.data = data
        self.offset = data.startIndex
    }

    package var remaining: Int { data.endIndex - offset }

    package mutating func bytes(_ count: Int) throws(SyncError) -> Data {
        guard count >= 0, count <= remaining else { throw .malformed("truncated: needs \(count) bytes, \(remaining) left") }
        defer { offset += count }
        return data[offset..<(offset + count)]
    }

    package mutating func u32() throws(SyncError) -> UInt32 {
        try bytes(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    package mutating func u64() throws(SyncError) -> UInt64 {
        try bytes(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    package mutating func field(limit: Int) throws(SyncError) -> Data {
        let count = Int(try u32())
        guard count <= limit else { throw .malformed("a field of \(count) bytes is over the limit of \(limit)") }
        return try bytes(count)
    }
}

extension Data {
    /// Lowercase hex.
    package var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(count * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Bytes from lowercase or uppercase hex; nil if the text is not hex of whole bytes.
    package init?(hex: String) {
        let utf8 = Array(hex.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(utf8.count / 2)
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: return c - 48
            case 97...102: return c - 87
            case 65...70: return c - 55
            default: return nil
            }
        }
        var i = 0
        while i < utf8.count {
            guard let high = nibble(utf8[i]), let low = nibble(utf8[i + 1]) else { return nil }
            bytes.append(high << 4 | low)
            i += 2
        }
        self.init(bytes)
    }
}
