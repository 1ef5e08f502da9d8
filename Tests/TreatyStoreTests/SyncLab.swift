import Foundation
import Synchronization
import TreatyModel
import TreatySync

@testable import TreatyStore

/// A randomized sync run: several offices edit the same records while partitioned, exchange change sets in
/// random order with duplicates, gaps and relays, then exchange everything. Every random choice comes from
/// one seed, so a seed reproduces a run. With mixed schemas, some offices run record schema 1 (a Treaty not yet
/// upgraded): they hold the others' change sets until, before the full exchange, they are upgraded in place.
///
/// The lab checks the result against a model it keeps itself: for each field, the writes it made (which
/// office, which change set, what value) and what each change set had seen. The value every office must
/// show is the greatest (clock, office) among the writes no other write saw; the others of those, where
/// their value differs, must be listed as conflicts on every office.
final class SyncLab {
    struct Write {
        let origin: String
        let seq: UInt64
        let value: JSONValue
    }

    struct FieldKey: Hashable {
        let id: String
        let field: String
    }

    final class Office {
        private(set) var store: TreatyStore
        let directory: String
        let name: String
        let clock: LabClock
        init(store: TreatyStore, directory: String, name: String, clock: LabClock) {
            self.store = store
            self.directory = directory
            self.name = name
            self.clock = clock
        }

        /// Closes the store and opens its database with this build's schema, as an upgraded treatyd would (which
        /// then applies what it held).
        func upgrade(policy: MergePolicy) async throws {
            let path = store.path
            try store.close()
            var options = StoreOptions(durable: false)
            options.mergePolicy = policy
            let clock = clock
            store = try TreatyStore.open(path: path, clock: { clock.read() }, options: options)
            _ = try await store.applyHeld()
        }
    }

    /// An office's wall clock: it moves 1..500 ms at each read, and a lab can set it forward.
    final class LabClock: Sendable {
        private let state: Mutex<(now: Int64, rng: SplitMix64)>

        init(start: Int64, seed: UInt64) {
            state = Mutex((start, SplitMix64(seed: seed)))
        }

        func read() -> Int64 {
            state.withLock { value in
                value.now += Int64(value.rng.next() % 500) + 1
                return value.now
            }
        }

        func advance(to time: Int64) { state.withLock { $0.now = max($0.now, time) } }
    }

    /// How far ahead the clock of an office set wrong is, in labs that have one: two days, far past the ten minutes
    /// an office accepts, so the others hold its change sets (and all that depend on them) until their clocks catch up.
    static let wrongClockAhead: Int64 = 2 * 86_400_000

    static let tracked: [RecordKind: [String]] = [
        .agreement: ["title", "summary"], .actor: ["name", "note"], .party: ["role"], .name: ["name", "language"],
        .lifecycleEvent: ["note", "place"],
    ]
    static let words = ["Shusha", "Gabala", "Baku", "Ankara", "Nakhchivan", "Kars"]

    var rng: SplitMix64
    let offices: [Office]
    var writes: [FieldKey: [Write]] = [:]
    var deletes: Set<String> = []
    var kinds: [String: RecordKind] = [:]
    var heldSeen = 0
    /// Of those, held for a clock stamp too far ahead.
    var heldForClock = 0
    /// Held at an office of an older schema, when it was upgraded.
    var heldForSchema = 0
    let policy: MergePolicy

    init(seed: UInt64, policy: MergePolicy = .fieldClock, mixedSchemas: Bool = false) async throws {
        var rng = SplitMix64(seed: seed)
        self.policy = policy
        let count = Int(rng.next() % 3) + 3
        // With mixed schemas, office 0 runs this build's and office 1 the first; the rest either.
        let schemas = (0..<count).map { index in
            !mixedSchemas ? Schema.version : index < 2 ? [Schema.version, 1][index] : rng.next() % 2 == 0 ? 1 : Schema.version
        }
        // In a third of the labs, one office's clock is set days ahead.
        let wrongClock = rng.next() % 3 == 0 ? Int(rng.next() % UInt64(count)) : nil
        var offices: [Office] = []
        for index in 0..<count {
            let directory = NSTemporaryDirectory() + "treaty-sync-\(seed)-\(index)-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            // Each office's clock starts skewed by up to a minute (one by days, in some labs).
            let start = Int64(1_759_924_800_000) + Int64(rng.next() % 60_000) + (index == wrongClock ? Self.wrongClockAhead : 0)
            let clock = LabClock(start: start, seed: rng.next())
            var options = StoreOptions(durable: false)
            options.mergePolicy = policy
            options.newOfficeKey = Data((0..<32).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
            options.recordSchema = schemas[index]
            let store = try TreatyStore.open(
                path: directory + "/treaty.sqlite", officeName: "office \(index)", clock: { clock.read() }, options: options)
            offices.append(Office(store: store, directory: directory, name: "office \(index)", clock: clock))
        }
        self.offices = offices
        self.rng = rng
        // Every office knows every other: the same rows made concurrently everywhere.
        for office in offices {
            for other in offices where other !== office {
                _ = try await office.store.addOffice(
                    id: other.store.office.id, publicKey: other.store.office.publicKeyBase64, name: other.name,
                    user: "admin")
            }
        }
    }

    func close() {
        for office in offices {
            try? office.store.close()
            try? FileManager.default.removeItem(atPath: office.directory)
        }
    }

    private func pick<T>(_ items: [T]) -> T? {
        items.isEmpty ? nil : items[Int(rng.next() % UInt64(items.count))]
    }

    private func chance(_ percent: UInt64) -> Bool { rng.next() % 100 < percent }

    /// Notes the write this office's latest change set made.
    private func noteWrite(_ office: Office, id: String, field: String, value: JSONValue) async throws {
        let seq = try await office.store.versionVector()[office.store.office.id]
        writes[FieldKey(id: id, field: field), default: []].append(Write(origin: office.store.office.id, seq: seq, value: value))
    }

    /// Live records of a kind at an office.
    private func live(_ office: Office, _ kind: RecordKind) async throws -> [TreatyModel.Record] {
        try await office.store.list(kind, limit: 10_000)
    }

    private func create(_ office: Office, _ kind: RecordKind, _ fields: [String: JSONValue]) async throws {
        let id = RecordID.generate(using: &rng)
        let record = try await office.store.create(kind, fields: fields, id: id, user: office.name)
        kinds[id] = kind
        let seq = try await office.store.versionVector()[office.store.office.id]
        for field in Self.tracked[kind] ?? [] {
            writes[FieldKey(id: id, field: field), default: []].append(
                Write(origin: office.store.office.id, seq: seq, value: record.fields[field] ?? .null))
        }
    }

    /// One random edit at one office: create, edit (same or different fields), delete, child rows.
    func randomOperation() async throws {
        guard let office = pick(offices) else { return }
        let word = JSONValue.string(pick(Self.words)!)
        switch rng.next() % 16 {
        case 0:
            try await create(office, .agreement, ["kind": "memorandum", "title": word])
        case 1:
            try await create(office, .actor, ["kind": "state", "name": word])
        case 2, 3, 4, 10, 11, 12, 13:
            let kind = pick([RecordKind.agreement, .actor, .party, .name, .lifecycleEvent])!
            guard let record = try await pick(live(office, kind)) else { return }
            // An office of an older schema cannot write a field added since.
            let schema = office.store.recordSchema
            guard let field = pick(Self.tracked[kind]!.filter { kind.field($0)!.since <= schema }) else { return }
            var value: JSONValue
            switch field {
            case "role": value = .string(pick(["party", "guarantor", "observer", "witness"])!)
            case "language": value = .string(pick(["az", "tr", "en"])!)
            default: value = chance(10) ? .null : word
            }
            if field == "name" || (kind == .name && field == "name") { if value == .null { value = word } }
            guard record.fields[field] ?? .null != value else { return }
            _ = try await office.store.update(
                record.id, version: record.provenance!.version, set: [field: value], user: office.name)
            try await noteWrite(office, id: record.id, field: field, value: value)
        case 5:
            guard chance(40), let kind = pick([RecordKind.agreement, .actor, .party]),
                let record = try await pick(live(office, kind))
            else { return }
            _ = try await office.store.delete(record.id, user: office.name)
            deletes.insert(record.id)
        case 6, 7:
            guard let agreement = try await pick(live(office, .agreement)),
                let actor = try await pick(live(office, .actor))
            else { return }
            try await create(office, .party, ["agreement_id": .string(agreement.id), "actor_id": .string(actor.id)])
        case 8:
            guard let actor = try await pick(live(office, .actor)) else { return }
            try await create(office, .name, ["owner_id": .string(actor.id), "name": word, "language": "en"])
        case 14:
            guard let agreement = try await pick(live(office, .agreement)) else { return }
            var fields: [String: JSONValue] = ["agreement_id": .string(agreement.id), "kind": "signed", "date": "2021-06-15"]
            if office.store.recordSchema >= 2, chance(50) { fields["place"] = word }
            try await create(office, .lifecycleEvent, fields)
        default:
            return
        }
    }

    /// Sends a random part of what `source` holds to `target`: shuffled, some change sets twice, some left out.
    func randomDelivery(from source: Office, to target: Office) async throws {
        let all = try await source.store.changeSets(missingFrom: VersionVector())
        var parcel = all.filter { _ in chance(60) }
        parcel += parcel.filter { _ in chance(20) }
        parcel.shuffle(using: &rng)
        let held = try await target.store.receive(parcel).held
        heldSeen += held.count
        heldForClock += held.filter { $0.reason.contains("ahead of this office's clock") }.count
    }

    /// Sends `target` everything `source` holds that `target` lacks.
    func fullDelivery(from source: Office, to target: Office) async throws {
        let missing = try await source.store.changeSets(missingFrom: try await target.store.versionVector())
        _ = try await target.store.receive(missing)
    }

    /// A run: operations and deliveries within two partitions, then across them, then full exchange.
    /// Returns every way the offices disagree with each other or with the model; empty when all is well.
    func run(operations: Int = 60) async throws -> [String] {
        // Common ground first: records every office has before the partition, so both sides edit them.
        let first = offices[0]
        for word in Self.words.prefix(3) {
            try await create(first, .agreement, ["kind": "treaty", "title": .string(word)])
            try await create(first, .actor, ["kind": "state", "name": .string(word)])
        }
        for target in offices.dropFirst() { try await fullDelivery(from: first, to: target) }
        let cut = offices.count / 2
        let groups = [Array(offices[..<cut]), Array(offices[cut...])]
        for step in 0..<(operations * 3 / 2) {
            if step % 3 == 2 {
                // A delivery: inside a partition in the first half, between any two offices later.
                let group = step < operations ? pick(groups)! : offices
                guard let source = pick(group), let target = pick(group.filter { $0 !== source }) else { continue }
                try await randomDelivery(from: source, to: target)
            } else {
                do {
                    try await randomOperation()
                } catch let error as StoreError {
                    // Refusals a user would see too (an edit of what another office deleted): not a sync fault.
                    if case .deleted = error { continue }
                    throw error
                }
            }
        }
        // The wall clocks catch up with the one set ahead: what was held for its stamps applies by itself. (A store
        // plans that on the real clock; the lab's clocks jump, so it asks.)
        let latest = offices.map { $0.clock.read() }.max()!
        for office in offices {
            office.clock.advance(to: latest)
            _ = try await office.store.applyHeld()
        }
        // Offices of an older schema hold the others' change sets ("upgrade Treaty") until they are upgraded.
        for office in offices where office.store.recordSchema < Schema.version {
            let held = try await office.store.syncStatus().held
            heldForSchema += held.filter { $0.reason.contains("upgrade Treaty") }.count
            try await office.upgrade(policy: policy)
        }
        // Full exchange until nobody lacks anything.
        for _ in 0..<offices.count {
            for source in offices {
                for target in offices where target !== source { try await fullDelivery(from: source, to: target) }
            }
        }
        if ProcessInfo.processInfo.environment["TREATY_SYNC_VERBOSE"] != nil { print(try await statistics()) }
        return try await problems()
    }

    /// How much a run exercised: printed with `TREATY_SYNC_VERBOSE=1`.
    func statistics() async throws -> String {
        let status = try await offices[0].store.syncStatus()
        let conflicts = try await offices[0].store.conflicts()
        return "\(offices.count) offices, \(status.logChangeSets) change sets, \(writes.values.map(\.count).reduce(0, +)) "
            + "field writes, \(deletes.count) deletes, \(conflicts.count) fields in conflict, held during the run: \(heldSeen) "
            + "(\(heldForClock) for a clock ahead); held for a newer schema at the upgrade: \(heldForSchema)"
    }

    /// Compares the offices with each other and with the model.
    func problems() async throws -> [String] {
        var problems: [String] = []
        let statuses = try await offices.asyncMap { try await $0.store.syncStatus() }
        for (office, status) in zip(offices, statuses) where !status.held.isEmpty {
            problems.append("\(office.name) still holds back \(status.held.count) change sets: \(status.held[0].reason)")
        }
        if Set(statuses.map(\.digest)).count != 1 { problems.append("content digests differ") }
        if Set(statuses.map(\.vector)).count != 1 { problems.append("version vectors differ") }
        let conflictLists = try await offices.asyncMap { try await $0.store.conflicts() }
        if Set(conflictLists.map { $0.map(Self.describe) }).count != 1 { problems.append("conflict lists differ") }

        // The model: what must have won and what must be listed as lost.
        let envelopes = try await offices[0].store.changeSets(missingFrom: VersionVector())
        var sets: [String: ChangeSetEnvelope] = [:]
        for envelope in envelopes { sets["\(envelope.origin)/\(envelope.seq)"] = envelope }
        func saw(_ a: Write, _ b: Write) -> Bool {
            (sets["\(a.origin)/\(a.seq)"]?.dependencies[b.origin] ?? 0) >= b.seq
        }
        for office in offices {
            let conflicts = try await office.store.conflicts()
            for (key, fieldWrites) in writes {
                let heads = fieldWrites.filter { w in !fieldWrites.contains { $0.origin != w.origin || $0.seq != w.seq ? saw($0, w) : false } }
                let clock = { (w: Write) in sets["\(w.origin)/\(w.seq)"]?.clock ?? 0 }
                guard let winner = heads.max(by: { (clock($0), $0.origin) < (clock($1), $1.origin) }) else { continue }
                let record = try await office.store.get(key.id)
                let shown = record.fields[key.field] ?? .null
                if shown != winner.value {
                    problems.append("\(office.name): \(key.id).\(key.field) is \(shown), the winning write was \(winner.value)")
                }
                let expected = Set(heads.filter { $0.value != winner.value }.map { "\($0.origin)/\($0.seq)=\($0.value)" })
                let listed = Set(
                    conflicts.filter { $0.recordID == key.id && $0.field == key.field }.flatMap(\.losers)
                        .map { "\($0.office)/\($0.seq)=\($0.value)" })
                if expected != listed {
                    problems.append("\(office.name): conflicts on \(key.id).\(key.field) are \(listed), expected \(expected)")
                }
            }
            for id in deletes where try await office.store.get(id).provenance?.deleted != true {
                problems.append("\(office.name): \(id) was deleted somewhere but is live here")
            }
        }
        return problems
    }

    static func describe(_ conflict: Conflict) -> String {
        "\(conflict.recordID).\(conflict.field)=\(conflict.current.value) lost: "
            + conflict.losers.map { "\($0.office.prefix(8))/\($0.seq)=\($0.value)" }.joined(separator: ",")
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
