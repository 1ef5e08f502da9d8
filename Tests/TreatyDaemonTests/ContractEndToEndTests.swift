import Foundation
import Testing
import TreatyModel
import TreatyProtocol

#if canImport(Glibc)
    import Glibc
#endif

/// A daemon that answers every request with one fixed result: what an older or broken treatyd might send.
private final class OneAnswerDaemon: @unchecked Sendable {
    let socketPath: String
    private let listener: Int32

    init(result: JSONValue) throws {
        socketPath = NSTemporaryDirectory() + "treaty-fake-\(UUID().uuidString.prefix(8)).sock"
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        let socketPath = socketPath
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in socketPath.utf8.enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(listener, 4) == 0 else { throw POSIXError(.EADDRINUSE) }
        // A thread of its own: it blocks in accept and read, which the test's cooperative threads must not.
        Thread.detachNewThread {
            while true {
                let connection = accept(listener, nil, nil)
                if connection < 0 { return }
                var line: [UInt8] = []
                var byte: UInt8 = 0
                while read(connection, &byte, 1) == 1 {
                    if byte == UInt8(ascii: "\n") {
                        let request = try? JSONCodec.decode(Data(line))
                        let answer = JSONCodec.string(["jsonrpc": "2.0", "id": request?["id"] ?? .null, "result": result]) + "\n"
                        _ = answer.utf8CString.withUnsafeBufferPointer { write(connection, $0.baseAddress, $0.count - 1) }
                        line.removeAll()
                    } else {
                        line.append(byte)
                    }
                }
                close(connection)
            }
        }
    }

    deinit {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        unlink(socketPath)
    }
}

@Suite("One contract between daemon and CLI")
struct ContractEndToEndTests {
    @Test(
        "A field the CLI needs and the daemon's answer lacks is an error naming it, never a blank",
        arguments: [
            (["sync", "status"], RPC.SyncStatus.method, "digest"),
            (["identity"], RPC.Identity.method, "public_key"),
            (["peer", "list"], RPC.PeerList.method, "peers"),
        ])
    func missingField(arguments: [String], method: String, field: String) async throws {
        // Everything sync.status answers but its digest; the others lack what they need too.
        let daemon = try OneAnswerDaemon(result: [
            "office": .string(String(repeating: "a", count: 64)), "vector": [:], "held": [], "log_change_sets": 0,
            "log_bytes": 0, "conflicts": 0,
        ])
        let (status, output) = try await runProgram(
            DaemonProcess.productsDirectory.appendingPathComponent("treaty").path, ["--socket", daemon.socketPath] + arguments)
        #expect(status == 1, "\(output)")
        #expect(output.contains("its answer to \(method) has no \"\(field)\""), "\(output)")
        #expect(!output.contains("DecodingError"), "\(output)")
        withExtendedLifetime(daemon) {}
    }
}
