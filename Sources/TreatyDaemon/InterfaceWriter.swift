import Foundation
import Logging
import TreatyModel
import TreatyStore

/// Writes `proto/treaty.openrpc.json`: the methods, and each example's result run on a seeded store.
public enum InterfaceWriter {
    public static func write(to path: String, seed: String) async throws {
        let directory = NSTemporaryDirectory() + "treaty-interface-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try TreatyStore.open(path: directory + "/treaty.sqlite")
        defer { try? store.close() }
        _ = try await store.importJSONLines(from: seed, user: "seed")
        let statistics = ServerStatistics()
        let peers = try Daemon.peerService(store: store, configuration: nil, logger: Logger(label: "interface"))
        defer { Task { await peers.stop() } }
        let methods = Daemon.methods(
            store: store, statistics: statistics, staging: ImportStaging(directory: directory), peers: peers
        ) { .null }
        let dispatcher = Dispatcher(
            methods: methods, settings: LiveSettings(DaemonConfiguration(stateDirectory: directory, socketPath: "")),
            statistics: statistics, logger: Logger(label: "interface"))
        let session = Session(user: "analyst", role: .writer, credentials: nil) { _ in }
        let results = try await InterfaceExamples.run(methods) { name, params in
            switch await dispatcher.run(.init(method: name, params: .object(params), id: .int(1)), session: session) {
            case .success(let value): return value
            case .failure(let error): throw error
            }
        }
        let masked = results.mapValues { $0 }.reduce(into: [String: JSONValue]()) { out, entry in
            out[entry.key] = InterfaceExamples.mask(entry.value, method: entry.key)
        }
        let document = InterfaceDocument.build(methods: methods, examples: masked)
        try (JSONCodec.pretty(document) + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }
}
