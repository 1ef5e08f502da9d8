import Foundation
import Testing
import TreatyClient
@testable import TreatyDaemon
import TreatyModel

/// proto/treaty.openrpc.json against the OpenRPC meta-schema, against the methods served, and its examples
/// against a live daemon.
@Suite("The interface document", .serialized)
struct InterfaceDocumentTests {
    static let root = DaemonProcess.repositoryRoot
    static var documentPath: String { root.appendingPathComponent("proto/treaty.openrpc.json").path }
    static var metaSchemaPath: String { root.appendingPathComponent("Tests/TreatyDaemonTests/Fixtures/openrpc-meta-schema.json").path }
    static var validator: String { root.appendingPathComponent("Tests/TreatyDaemonTests/Fixtures/validate_interface.py").path }

    static func document() throws -> JSONValue {
        try JSONCodec.decode(try Data(contentsOf: URL(fileURLWithPath: documentPath)))
    }

    /// Runs the Python validator; returns its exit status and output.
    static func validate(document: String, results: String? = nil) async throws -> (Int32, String) {
        try await runProgram("/usr/bin/env", ["python3", validator, metaSchemaPath, document] + (results.map { [$0] } ?? []))
    }

    @Test("It validates against the OpenRPC meta-schema, and a broken copy does not")
    func metaSchema() async throws {
        let (status, output) = try await Self.validate(document: Self.documentPath)
        #expect(status == 0, "\(output)")
        // The check can fail: drop a method's result and it must complain.
        guard case .object(var broken) = try Self.document(), case .array(var methods)? = broken["methods"],
            case .object(var first) = methods[0]
        else { Issue.record("unexpected document shape"); return }
        first["result"] = nil
        methods[0] = .object(first)
        broken["methods"] = .array(methods)
        let path = NSTemporaryDirectory() + "broken-\(UUID().uuidString).json"
        try JSONCodec.string(.object(broken)).write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try await Self.validate(document: path).0 != 0)
    }

    @Test("Every served method is documented and every documented one is served; records and params are closed")
    func methodsAgree() async throws {
        let daemon = try await DaemonProcess()
        let client = try await daemon.client()
        let served = try await client.call("rpc.discover")
        await client.close()
        let committed = try Self.document()
        #expect(served == committed, "rpc.discover serves proto/treaty.openrpc.json")
        let documented = Set(committed["methods"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? [])
        let implemented = Set(try Daemon.interfaceMethods().map(\.name))
        #expect(documented == implemented)
        for method in committed["methods"]?.arrayValue ?? [] {
            for param in method["params"]?.arrayValue ?? [] {
                let schema = param["schema"] ?? .null
                #expect(schema != [:], "\(method["name"]!) \(param["name"]!) has an empty schema")
                if schema["type"] == "object", schema["properties"] != nil {
                    #expect(schema["additionalProperties"] == false, "\(method["name"]!).\(param["name"]!) is open")
                }
            }
            #expect(method["examples"]?.arrayValue?.isEmpty == false, "\(method["name"]!) has no example")
        }
        for (_, schema) in committed["components"]?["schemas"]?.objectValue ?? [:] {
            #expect(schema["additionalProperties"] == false)
        }
    }

    @Test("Every example runs on a seeded live daemon, matches its documented result, and fits the result schema")
    func examplesRunLive() async throws {
        let daemon = try await DaemonProcess()
        try await daemon.seed()
        let client = try await daemon.client()
        let methods = try Daemon.interfaceMethods()
        let results = try await InterfaceExamples.run(methods) { name, params in
            try await client.call(name, params)
        }
        await client.close()
        let documented = Dictionary(
            uniqueKeysWithValues: (try Self.document()["methods"]?.arrayValue ?? []).compactMap { method -> (String, JSONValue)? in
                guard let name = method["name"]?.stringValue,
                    let value = method["examples"]?.arrayValue?.first?["result"]?["value"]
                else { return nil }
                return (name, value)
            })
        #expect(documented.count == methods.count)
        for (name, result) in results {
            #expect(InterfaceExamples.mask(result, method: name) == documented[name], "\(name)")
        }
        // Results against their schemas (rpc.discover's is the meta-schema itself: checked above).
        var raw = results
        raw["rpc.discover"] = nil
        let path = NSTemporaryDirectory() + "results-\(UUID().uuidString).json"
        try JSONCodec.string(.object(raw)).write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (status, output) = try await Self.validate(document: Self.documentPath, results: path)
        #expect(status == 0, "\(output)")
    }
}
