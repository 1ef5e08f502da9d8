import Foundation
import Testing
import TreatyModel
import TreatyProtocol

@Suite("Reading JSON-RPC lines")
struct RPCIncomingTests {
    @Test("A request, a notification, and a request whose id is null")
    func calls() {
        #expect(
            RPCIncoming.parse(Data(#"{"jsonrpc":"2.0","method":"a.b","params":{"x":1},"id":"7"}"#.utf8))
                == .single(.call(RPCRequest(method: "a.b", params: ["x": 1], id: .string("7")))))
        guard case .single(.call(let notification)) = RPCIncoming.parse(Data(#"{"jsonrpc":"2.0","method":"m"}"#.utf8)) else {
            Issue.record("not a call")
            return
        }
        #expect(notification.isNotification)
        guard case .single(.call(let nullID)) = RPCIncoming.parse(Data(#"{"jsonrpc":"2.0","method":"m","id":null}"#.utf8)) else {
            Issue.record("not a call")
            return
        }
        #expect(nullID.id == .null && !nullID.isNotification)
    }

    @Test("Invalid requests carry id null", arguments: [
        #"{"jsonrpc":"2.0","method":1}"#, #"{"jsonrpc":"2.1","method":"m","id":1}"#, #"{"method":"m","id":1}"#,
        #"{"jsonrpc":"2.0","method":"m","id":{}}"#, #"{"jsonrpc":"2.0","method":"m","id":true}"#,
        #"{"jsonrpc":"2.0","method":"m","params":"x","id":1}"#, "17", "\"text\"",
    ])
    func invalid(line: String) {
        guard case .single(.invalid(let error, let id)) = RPCIncoming.parse(Data(line.utf8)) else {
            Issue.record("\(line) was accepted")
            return
        }
        #expect(error.code == ErrorName.invalidRequest.code)
        #expect(id == .null)
    }

    @Test("Responses read back what they carry")
    func responses() throws {
        let ok = RPCResponse(id: .int(3), outcome: .success(["a": 1]))
        #expect(RPCResponse(json: try JSONCodec.decode(JSONCodec.string(ok.json))) == ok)
        let failed = RPCResponse(id: .string("x"), outcome: .failure(.application(.notFound, "no record", details: ["id": "q"])))
        let back = try #require(RPCResponse(json: try JSONCodec.decode(JSONCodec.string(failed.json))))
        #expect(back == failed)
        guard case .failure(let error) = back.outcome else { Issue.record("not a failure"); return }
        #expect(error.name == "not_found" && error.code == -32001)
    }

    /// Random bytes and random mutations of valid requests: the reader never traps, and whatever it
    /// returns is one of the shapes the spec allows. Seeds are fixed; TREATY_FUZZ_RUNS asks for more.
    @Test("Random and mutated lines never crash the reader and always get a spec-shaped verdict")
    func randomized() {
        let runs = ProcessInfo.processInfo.environment["TREATY_FUZZ_RUNS"].flatMap(Int.init) ?? 3000
        var generator = SplitMix64(seed: 0x7EA7_1D)
        let valid = Array(#"[{"jsonrpc":"2.0","method":"person.get","params":{"id":"ab12"},"id":1},{"jsonrpc":"2.0","method":"n"}]"#.utf8)
        let alphabet = Array(#"{}[]":,0123456789.-+eE truefalsnu\"#.utf8) + [0xC3, 0xA9, 0xFF, 0x00, 0x0A]
        for run in 0..<runs {
            var bytes = valid
            if run % 3 == 0 {
                bytes = (0..<Int(generator.next() % 64)).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
            } else {
                for _ in 0..<(1 + Int(generator.next() % 4)) {
                    let at = Int(generator.next() % UInt64(bytes.count))
                    switch generator.next() % 3 {
                    case 0: bytes[at] = alphabet[Int(generator.next() % UInt64(alphabet.count))]
                    case 1: bytes.remove(at: at)
                    default: bytes.insert(alphabet[Int(generator.next() % UInt64(alphabet.count))], at: at)
                    }
                    if bytes.isEmpty { bytes = [0x7B] }
                }
            }
            switch RPCIncoming.parse(Data(bytes)) {
            case .single(.invalid(let error, let id)):
                #expect([-32700, -32600].contains(error.code))
                #expect(id == .null || error.code == -32600)
            case .single(.call(let request)):
                #expect(request.params == nil || request.params?.objectValue != nil || request.params?.arrayValue != nil)
            case .batch(let calls):
                #expect(!calls.isEmpty)
            }
        }
    }
}

@Suite("Socket path")
struct SocketPathTests {
    @Test("Flag, then TREATY_SOCKET, then XDG_RUNTIME_DIR, then /run")
    func order() {
        #expect(SocketPath.resolve(flag: "/a", environment: ["TREATY_SOCKET": "/b"]) == "/a")
        #expect(SocketPath.resolve(flag: nil, environment: ["TREATY_SOCKET": "/b", "XDG_RUNTIME_DIR": "/r"]) == "/b")
        #expect(SocketPath.resolve(flag: nil, environment: ["XDG_RUNTIME_DIR": "/run/user/1000"]) == "/run/user/1000/treaty/treaty.sock")
        #expect(SocketPath.resolve(flag: nil, environment: [:]) == "/run/treaty/treaty.sock")
    }

    @Test("One table of error names: each application error its own code in -32000...-32099, exit codes as the README says")
    func errorTable() {
        let application = ErrorName.allCases.filter { (-32099)...(-32001) ~= $0.code }
        #expect(Set(application.map(\.code)).count == application.count)
        let exits = Dictionary(grouping: ErrorName.allCases, by: \.exitCode).mapValues { Set($0) }
        #expect(exits[3] == [.cannotConnect, .tooManyConnections])
        #expect(exits[4] == [.permissionDenied])
        #expect(exits[5] == [.notFound, .ambiguousID, .wrongKind])
        #expect(exits[6] == [.staleVersion])
        #expect(exits[2]?.contains(.usage) == true && exits[2]?.contains(.invalidRecord) == true)
        #expect(RPCError.application(.staleVersion, "x").name == "stale_version")
        #expect(RPCError.application(.staleVersion, "x").code == -32003)
    }
}
