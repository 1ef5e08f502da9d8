import Foundation
import Testing
import TreatyModel
import TreatyProtocol

/// JSON-RPC 2.0 over the real socket: the specification's examples section (with this daemon's real method
/// names beside unknown ones) and the cases daemon.md adds.
@Suite("JSON-RPC 2.0 conformance over the socket", .serialized)
struct ConformanceTests {
    func exchange(_ daemon: DaemonProcess, _ line: String) throws -> JSONValue? {
        let socket = try RawSocket(path: daemon.socketPath)
        socket.write(line + "\n")
        return socket.readJSON(timeout: .seconds(10))
    }

    @Test("The specification's examples, with real and unknown methods")
    func specificationExamples() async throws {
        let daemon = try await DaemonProcess()
        // rpc call with named params on a real method.
        let named = try #require(try exchange(daemon, #"{"jsonrpc":"2.0","method":"health","params":{},"id":1}"#))
        #expect(named["id"] == 1 && named["result"]?["status"] == "ok")
        // positional params: this interface is by name.
        let positional = try #require(try exchange(daemon, #"{"jsonrpc":"2.0","method":"search","params":["x"],"id":2}"#))
        #expect(positional["error"]?["code"] == -32602 && positional["id"] == 2)
        // non-existent method
        let missing = try #require(try exchange(daemon, #"{"jsonrpc": "2.0", "method": "foobar", "id": "1"}"#))
        #expect(missing["error"]?["code"] == -32601 && missing["id"] == "1")
        // invalid JSON
        let parse = try #require(try exchange(daemon, #"{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]"#))
        #expect(parse["error"]?["code"] == -32700 && parse["id"] == .null)
        // invalid Request object
        let invalid = try #require(try exchange(daemon, #"{"jsonrpc": "2.0", "method": 1, "params": "bar"}"#))
        #expect(invalid["error"]?["code"] == -32600 && invalid["id"] == .null)
        // batch, invalid JSON
        let batchParse = try #require(
            try exchange(
                daemon,
                #"[{"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},{"jsonrpc": "2.0", "method"]"#))
        #expect(batchParse["error"]?["code"] == -32700)
        // empty array: one error, not an array
        let empty = try #require(try exchange(daemon, "[]"))
        #expect(empty["error"]?["code"] == -32600 && empty["id"] == .null)
        // invalid batch, not empty
        let one = try #require(try exchange(daemon, "[1]")?.arrayValue)
        #expect(one.count == 1 && one[0]["error"]?["code"] == -32600)
        let three = try #require(try exchange(daemon, "[1,2,3]")?.arrayValue)
        #expect(three.count == 3 && three.allSatisfy { $0["error"]?["code"] == -32600 && $0["id"] == .null })
        // mixed batch
        let mixed = try #require(
            try exchange(
                daemon,
                #"[{"jsonrpc":"2.0","method":"health","id":"1"},{"jsonrpc":"2.0","method":"stats"},"#
                    + #"{"jsonrpc":"2.0","method":"record.get","params":{"id":"nothere"},"id":"2"},{"foo":"boo"},"#
                    + #"{"jsonrpc":"2.0","method":"foo.get","params":{"name":"myself"},"id":"5"},"#
                    + #"{"jsonrpc":"2.0","method":"get_data","id":"9"}]"#)?.arrayValue)
        #expect(mixed.count == 5)
        #expect(mixed[0]["id"] == "1" && mixed[0]["result"]?["status"] == "ok")
        #expect(mixed[1]["id"] == "2" && mixed[1]["error"]?["data"]?["name"] == "not_found")
        #expect(mixed[2]["id"] == .null && mixed[2]["error"]?["code"] == -32600)
        #expect(mixed[3]["id"] == "5" && mixed[3]["error"]?["code"] == -32601)
        #expect(mixed[4]["id"] == "9" && mixed[4]["error"]?["code"] == -32601)
    }

    @Test("Notifications get nothing back, alone or in a batch; the next answer is the next request's")
    func notifications() async throws {
        let daemon = try await DaemonProcess()
        let socket = try RawSocket(path: daemon.socketPath)
        socket.write(#"{"jsonrpc":"2.0","method":"health"}"# + "\n")
        socket.write(#"{"jsonrpc":"2.0","method":"nonexistent","params":[1,2]}"# + "\n")
        socket.write(#"[{"jsonrpc":"2.0","method":"health"},{"jsonrpc":"2.0","method":"stats"}]"# + "\n")
        socket.write(#"{"jsonrpc":"2.0","method":"health","id":"after"}"# + "\n")
        let first = try #require(socket.readJSON())
        #expect(first["id"] == "after")
    }

    @Test("Cases the spec leaves open: jsonrpc 2.1, object ids, invalid UTF-8, two requests in one write")
    func openCases() async throws {
        let daemon = try await DaemonProcess()
        let version = try #require(try exchange(daemon, #"{"jsonrpc":"2.1","method":"health","id":7}"#))
        #expect(version["error"]?["code"] == -32600 && version["id"] == .null)
        let objectID = try #require(try exchange(daemon, #"{"jsonrpc":"2.0","method":"health","id":{}}"#))
        #expect(objectID["error"]?["code"] == -32600 && objectID["id"] == .null)
        let arrayID = try #require(try exchange(daemon, #"{"jsonrpc":"2.0","method":"health","id":[1]}"#))
        #expect(arrayID["error"]?["code"] == -32600 && arrayID["id"] == .null)

        let socket = try RawSocket(path: daemon.socketPath)
        socket.write([0x7B, 0xFF, 0xFE, 0x7D, 0x0A])
        let utf8 = try #require(socket.readJSON())
        #expect(utf8["error"]?["code"] == -32700)
        // The connection is still good, and two requests in one write get two answers, in order.
        socket.write(#"{"jsonrpc":"2.0","method":"health","id":1}"# + "\n" + #"{"jsonrpc":"2.0","method":"health","id":2}"# + "\n")
        #expect(socket.readJSON()?["id"] == 1)
        #expect(socket.readJSON()?["id"] == 2)
    }

    @Test("A line over the limit gets one error and the connection closes; others are served")
    func lineTooLong() async throws {
        let daemon = try await DaemonProcess(config: ["max_line_bytes": 4096])
        let socket = try RawSocket(path: daemon.socketPath)
        socket.write(#"{"jsonrpc":"2.0","method":"search","params":{"query":""# + String(repeating: "a", count: 10_000) + "\"},\"id\":1}\n")
        let error = try #require(socket.readJSON())
        #expect(error["error"]?["data"]?["name"] == "line_too_long")
        #expect(socket.isClosedByPeer(timeout: .seconds(10)))
        let other = try #require(try exchange(daemon, #"{"jsonrpc":"2.0","method":"health","id":1}"#))
        #expect(other["result"]?["status"] == "ok")
    }

    @Test("Unknown params, wrong types and batches over the limit are refused with what is wrong")
    func badParams() async throws {
        let daemon = try await DaemonProcess(config: ["max_batch": 3])
        let unknown = try #require(try exchange(daemon, #"{"jsonrpc":"2.0","method":"person.add","params":{"name":"x","colour":"red"},"id":1}"#))
        #expect(unknown["error"]?["code"] == -32602)
        #expect(unknown["error"]?["message"]?.stringValue?.contains("colour") == true)
        let wrongType = try #require(try exchange(daemon, #"{"jsonrpc":"2.0","method":"person.add","params":{"name":17},"id":2}"#))
        #expect(wrongType["error"]?["code"] == -32602)
        let badDate = try #require(
            try exchange(daemon, #"{"jsonrpc":"2.0","method":"event.add","params":{"kind":"summit","name":"x","start":"2021-13"},"id":3}"#))
        #expect(badDate["error"]?["data"]?["name"] == "invalid_record")
        let batch = try #require(try exchange(daemon, "[" + Array(repeating: #"{"jsonrpc":"2.0","method":"health","id":1}"#, count: 4).joined(separator: ",") + "]"))
        #expect(batch["error"]?["data"]?["name"] == "batch_too_large")
        // Nothing was written by any of it.
        let client = try await daemon.client()
        #expect(try await client.call("person.list")["records"]?.arrayValue?.isEmpty == true)
        await client.close()
    }
}
