import Foundation
import GRDB
import Testing
import TreatyModel
import TreatySync

@testable import TreatyStore

/// Runs of the randomized merge test: 300 by default; `TREATY_MERGE_FUZZ_RUNS=100000` runs more,
/// `TREATY_MERGE_FUZZ_SEED=N` starts from another seed.
private let fuzzRuns = ProcessInfo.processInfo.environment["TREATY_MERGE_FUZZ_RUNS"].flatMap(Int.init) ?? 300
private let fuzzSeed = ProcessInfo.processInfo.environment["TREATY_MERGE_FUZZ_SEED"].flatMap(UInt64.init) ?? 20_261_203

/// Change sets signed by admitted offices, with random tables, column counts, values of every SQLite type, clock
/// stamps, sequence numbers and dependencies, go through the path a bundle or a peer takes: decoded and checked,
/// then received. Nothing may crash the store, the database must stay intact, every change set held must say
/// why, and the store must go on reading and writing.
@Suite("Hostile change sets, at random")
struct MergeFuzzTests {
    struct Lab {
        var rng: SplitMix64
        /// Ids of records in the store, by kind, so forged rows can name real ones.
        var ids: [RecordKind: [String]]
        let now: Int64

        mutating func pick<T>(_ items: [T]) -> T { items[Int(rng.next() % UInt64(items.count))] }
        mutating func chance(_ percent: UInt64) -> Bool { rng.next() % 100 < percent }

        mutating func text() -> String {
            switch rng.next() % 8 {
            case 0: return ""
            case 1: return Timestamp.format(millisecondsSince1970: now)
            case 2: return pick(Schema.agreementKinds)
            case 3: return pick(Array(ids.values.joined()) + ["nobody"])
            case 4: return "2021-06"
            case 5: return String(repeating: "ə", count: Int(rng.next() % 5000))
            case 6: return pick(["defense", "consultation", "x y", "\0", "'; DROP TABLE person; --"])
            default: return RecordID.generate(using: &rng)
            }
        }

        mutating func value() -> DatabaseValue {
            switch rng.next() % 7 {
            case 0: return .null
            case 1: return pick([0, 1, -1, Int64.max, Int64.min, Int64(truncatingIfNeeded: rng.next())]).databaseValue
            case 2: return pick([0.5, -1e300, 1e300, Double.infinity, 2.0, 1.0]).databaseValue
            case 3: return Data((0..<Int(rng.next() % 40)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }).databaseValue
            default: return text().databaseValue
            }
        }

        /// A value the field accepts.
        mutating func valid(_ field: Field) -> DatabaseValue {
            switch field.type {
            case .text: return text().databaseValue
            case .integer: return Int64(rng.next() % 1000).databaseValue
            case .number(let range): return (range?.lowerBound ?? 0.5).databaseValue
            case .boolean: return Int64(rng.next() % 2).databaseValue
            case .date: return pick(["2021", "2021-06", "2021-06-15"]).databaseValue
            case .choice(let choices): return pick(choices).databaseValue
            case .reference(let kinds): return pick(kinds.flatMap { ids[$0] ?? [] } + ["missing"]).databaseValue
            case .provisionType: return pick(["defense", "consultation", "cyber-defense"]).databaseValue
            }
        }

        mutating func clock() -> UInt64 {
            let wall = HybridClock.stamp(milliseconds: now)
            guard chance(30) else { return wall &- (rng.next() % (1 << 30)) }
            return pick([0, 1, 1 << 63, .max, wall, wall &+ (rng.next() % (1 << 24)), rng.next()])
        }

        /// A changeset: empty, garbage, or one row change to a random or real table, of a random or right shape.
        mutating func changeset() throws -> Data {
            switch rng.next() % 10 {
            case 0: return Data()
            case 1: return Data((0..<Int(rng.next() % 200)).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
            default: break
            }
            let kind = pick(RecordKind.allCases)
            let table = chance(85) ? kind.rawValue : pick(["sync_conflict", "sync_log", "treaty_meta", "record_index", "x"])
            let operation = pick([Forger.Operation.insert, .insert, .update, .delete])
            let existing = ids[kind] ?? []
            let id: DatabaseValue = chance(40) && !existing.isEmpty ? pick(existing).databaseValue : chance(90)
                ? RecordID.generate(using: &rng).databaseValue : value()
            var values: [DatabaseValue]
            if chance(60) {
                // Well formed, with a field or two made wrong (or none).
                var fields: [String: DatabaseValue] = [:]
                for field in kind.fields where field.required || chance(30) { fields[field.name] = valid(field) }
                values = Forger.row(kind, id: "", fields: fields, version: chance(80) ? 1 : pick([2, 0, -5]))
                values[0] = id
                if chance(50) {
                    for _ in 0..<Int(rng.next() % 3) + 1 { values[Int(rng.next() % UInt64(values.count))] = value() }
                }
            } else {
                values = [id] + (0..<Int(rng.next() % 24)).map { _ in value() }
            }
            if case .null = values[0].storage { values[0] = "nullid".databaseValue }
            // An update needs a column besides the key.
            return try Forger.changeset(table: table, operation: values.count < 2 ? .insert : operation, values: values)
        }
    }

    /// Runs on one store before the next: every held change set is tried again at each receive, so a store that
    /// collected thousands would only make the run slow.
    static let runsPerStore = 200

    @Test("signed change sets of every shape never crash the store, and each one held says why")
    func hostileMerge() async throws {
        var rng = SplitMix64(seed: fuzzSeed)
        var counts = (decoded: 0, refusedOnArrival: 0, applied: 0)
        let verbose = ProcessInfo.processInfo.environment["TREATY_SYNC_VERBOSE"] != nil
        for first in stride(from: 0, to: fuzzRuns, by: Self.runsPerStore) {
            try await Self.runs(first..<min(first + Self.runsPerStore, fuzzRuns), rng: &rng, counts: &counts)
            let done = min(first + Self.runsPerStore, fuzzRuns)
            if verbose, done % 10_000 == 0 { print("merge fuzz: \(done) runs done, \(counts.applied) applied so far") }
        }
        if ProcessInfo.processInfo.environment["TREATY_SYNC_VERBOSE"] != nil {
            print("merge fuzz: \(fuzzRuns) runs, \(counts.decoded) change sets received, \(counts.refusedOnArrival) refused on arrival, \(counts.applied) applied")
        }
        #expect(counts.applied > 0, "no forged change set was well formed enough to apply: the test tries too little")
    }

    static func runs(
        _ runs: Range<Int>, rng: inout SplitMix64, counts: inout (decoded: Int, refusedOnArrival: Int, applied: Int)
    ) async throws {
        let fixture = try StoreFixture(options: StoreOptions(durable: false))
        _ = try await fixture.store.importJSONLines(from: StoreFixture.seedPath, user: "seed")
        var ids: [RecordKind: [String]] = [:]
        for kind in RecordKind.allCases {
            ids[kind] = try await fixture.store.list(kind, limit: 20).map(\.id)
        }
        var lab = Lab(rng: SplitMix64(seed: rng.next()), ids: ids, now: StoreFixture.fixedClock())
        var offices: [String] = []
        for run in runs {
            let forger = Forger(seed: &lab.rng)
            try await forger.admit(at: fixture.store)
            offices.append(forger.id)
            var envelopes: [ChangeSetEnvelope] = []
            for next in 1...Int(lab.rng.next() % 3) + 1 {
                // Mostly what an office would send (its next number, what it saw), sometimes anything at all.
                var dependencies = VersionVector()
                for _ in 0..<(lab.chance(70) ? 0 : Int(lab.rng.next() % 3) + 1) {
                    dependencies[lab.pick(offices)] = lab.pick([0, 1, 2, .max, lab.rng.next() % 5])
                }
                let seq = lab.chance(80) ? UInt64(next) : lab.pick([0, 2, 3, .max, 1 << 63, lab.rng.next()])
                let schema = lab.chance(90) ? UInt32(Schema.version) : lab.pick([0, 2, .max])
                let forged = try forger.envelope(
                    seq: seq, clock: lab.clock(), dependencies: dependencies, schema: schema, changeset: try lab.changeset())
                // The way a bundle or a peer delivers it: decoded and checked first.
                do {
                    envelopes.append(try ChangeSetEnvelope(decoding: forged.encoded))
                    counts.decoded += 1
                } catch {
                    counts.refusedOnArrival += 1
                }
            }
            let summary = try await fixture.store.receive(envelopes)
            counts.applied += summary.applied
            #expect(summary.held.allSatisfy { !$0.reason.isEmpty }, "run \(run)")
            if run % 50 == 49 || run == runs.upperBound - 1 {
                #expect(try await fixture.store.integrityCheck() == "ok", "run \(run)")
                // Every row merged must read back, and the office must still write.
                for kind in RecordKind.allCases { _ = try await fixture.store.list(kind, limit: 10_000) }
                _ = try await fixture.store.syncStatus()
                _ = try await fixture.store.conflicts()
                _ = try await fixture.store.create(.person, fields: ["name": .string("After run \(run)")], user: "ana")
            }
        }
    }
}
