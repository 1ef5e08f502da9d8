import Foundation
import Testing
import TreatyModel

@testable import TreatyStore

/// Seeds for the randomized sync test: 200 by default; `TREATY_SYNC_SEEDS=5000` runs more,
/// `TREATY_SYNC_SEED=1234` runs one (to reproduce a failure).
private let seeds: [UInt64] = {
    let environment = ProcessInfo.processInfo.environment
    if let one = environment["TREATY_SYNC_SEED"].flatMap(UInt64.init) { return [one] }
    let count = environment["TREATY_SYNC_SEEDS"].flatMap(Int.init) ?? 200
    return (0..<UInt64(count)).map { $0 &* 7919 &+ 1 }
}()

/// Lets a few labs run at a time. Parameterized cases all start at once: 200 labs of 3 to 5 databases each, open
/// together, held about 4,000 descriptors and 1.3 GB for no gain on two cores.
private actor Gate {
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(width: Int) { free = width }

    func enter() async {
        if free > 0 {
            free -= 1
        } else {
            await withCheckedContinuation { waiting.append($0) }
        }
    }

    func leave() {
        if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
    }
}

private let labs = Gate(width: 4)

@Suite("Sync converges")
struct SyncConvergenceTests {
    @Test("offices that exchange everything hold the same content and list the same conflicts", arguments: seeds)
    func converges(seed: UInt64) async throws {
        await labs.enter()
        do {
            let lab = try await SyncLab(seed: seed)
            defer { lab.close() }
            let problems = try await lab.run()
            #expect(problems.isEmpty, "seed \(seed): \(problems.prefix(5).joined(separator: "; "))")
        } catch {
            await labs.leave()
            throw error
        }
        await labs.leave()
    }

    @Test(
        "offices of record schemas 1 and 2 converge: the older hold the newer's change sets until upgraded in place",
        arguments: seeds.prefix(40))
    func convergesAcrossSchemas(seed: UInt64) async throws {
        await labs.enter()
        do {
            let lab = try await SyncLab(seed: seed, mixedSchemas: true)
            defer { lab.close() }
            let problems = try await lab.run()
            #expect(problems.isEmpty, "seed \(seed): \(problems.prefix(5).joined(separator: "; "))")
            #expect(lab.heldForSchema > 0, "seed \(seed): an office of schema 1 held nothing of schema 2")
        } catch {
            await labs.leave()
            throw error
        }
        await labs.leave()
    }

    @Test("the same harness catches a naive merge (every incoming value overwrites)")
    func naiveMergeDiverges() async throws {
        var failing = 0
        for seed in seeds.prefix(10) {
            let lab = try await SyncLab(seed: seed, policy: .naiveOverwrite)
            defer { lab.close() }
            if try await !lab.run().isEmpty { failing += 1 }
        }
        #expect(failing > 0, "a merge that overwrites blindly must diverge on some seed")
    }
}
