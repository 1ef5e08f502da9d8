import Foundation
import Synchronization
import TreatyModel
@testable import TreatyStore

/// A store in a fresh temporary directory, removed when the fixture goes.
final class StoreFixture: Sendable {
    let directory: String
    let store: TreatyStore

    /// 2025-10-08T12:00:00.000Z: after the Gabala summit, so the seed's undated events are "recorded" then.
    static let fixedClock: @Sendable () -> Int64 = { 1_759_924_800_000 }

    /// - Parameter prepare: runs on the database's path before the store opens it (a database an older treatyd left).
    init(
        clock: @escaping @Sendable () -> Int64 = StoreFixture.fixedClock, options: StoreOptions = StoreOptions(),
        prepare: (String) throws -> Void = { _ in }
    ) throws {
        directory = NSTemporaryDirectory() + "treaty-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/treaty.sqlite"
        try prepare(path)
        store = try TreatyStore.open(path: path, clock: clock, options: options)
    }

    deinit {
        try? store.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The repository's examples/seed.jsonl.
    static var seedPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples/seed.jsonl").path
    }

    /// A clock that starts at ``fixedClock`` and moves one second each time it is read.
    static func tickingClock() -> @Sendable () -> Int64 {
        let ticks = Ticks()
        return { 1_759_924_800_000 + ticks.next() * 1000 }
    }

    /// A fixture with the seed imported.
    static func seeded(clock: @escaping @Sendable () -> Int64 = StoreFixture.fixedClock) async throws -> StoreFixture {
        let fixture = try StoreFixture(clock: clock)
        _ = try await fixture.store.importJSONLines(from: seedPath, user: "seed")
        return fixture
    }

    /// Writes lines to a file in the fixture's directory and returns its path.
    func file(_ name: String, lines: [String]) throws -> String {
        let path = directory + "/" + name
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The one live record of `kind` whose `field` is `value`.
    func one(_ kind: RecordKind, _ field: String, _ value: String) async throws -> Record {
        let found = try await store.list(kind, filter: [field: .string(value)])
        guard found.count == 1 else { throw FixtureError.expectedOne(kind, field, value, found.count) }
        return found[0]
    }
}

final class Ticks: Sendable {
    private let count = Atomic<Int64>(0)
    func next() -> Int64 { count.add(1, ordering: .relaxed).newValue }
}

enum FixtureError: Error {
    case expectedOne(RecordKind, String, String, Int)
}
