import Foundation

/// A file that takes a large change set's bytes as they arrive (peer frames, a bundle's inflated stream, a blob
/// of the log), then hands them out as a mapping of the file: a change set over ``ChangeSetEnvelope/inlineLimit``
/// is never held in anonymous memory. The file is removed once mapped (the mapping keeps its pages) or when the
/// spool is dropped.
public final class Spool {
    private let path: String
    private let handle: FileHandle
    /// Bytes written so far.
    public private(set) var count = 0

    /// A new empty file in `directory`, readable by this user only.
    public init(directory: String) throws(SyncError) {
        var template = Array((directory + "/spool.XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw .malformed("cannot make a spool file in \(directory): \(String(cString: strerror(errno)))") }
        path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    private var linked = true

    deinit {
        // Once mapped, the name may already be another spool's.
        if linked { unlink(path) }
    }

    public func append(_ bytes: Data) throws(SyncError) {
        do {
            try handle.write(contentsOf: bytes)
        } catch {
            throw .malformed("cannot write the spool file \(path): \(error)")
        }
        count += bytes.count
    }

    /// What was written, mapped from the file.
    public func mapped() throws(SyncError) -> Data {
        do {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
            unlink(path)
            linked = false
            return bytes
        } catch {
            throw .malformed("cannot map the spool file \(path): \(error)")
        }
    }
}
