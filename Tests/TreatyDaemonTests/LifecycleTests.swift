import Foundation
import Testing

@testable import TreatyDaemon

@Suite("The daemon's services hand on what they make and wait for what they need")
struct LifecycleTests {
    struct Broken: Error, Equatable {}

    @Test("a handed-on value reaches those who waited before and those who ask after; a failure reaches them all")
    func handoff() async throws {
        let made = Handoff<Int>()
        let early = Task { try await made.value() }
        try await Task.sleep(for: .milliseconds(20))
        made.publish(7)
        #expect(try await early.value == 7)
        #expect(try await made.value() == 7)
        made.publish(8)
        #expect(try await made.value() == 7, "the first value stays")

        let failed = Handoff<Int>()
        let waiting = Task { try await failed.value() }
        failed.fail(Broken())
        await #expect(throws: Broken.self) { _ = try await waiting.value }
        await #expect(throws: Broken.self) { _ = try await failed.value() }
    }

    @Test("a wait for a value never made ends when its task is cancelled")
    func handoffCancelled() async {
        let never = Handoff<Int>()
        let waiter = Task { try await never.value() }
        try? await Task.sleep(for: .milliseconds(20))
        waiter.cancel()
        await #expect(throws: CancellationError.self) { _ = try await waiter.value }
    }

    @Test("a shutdown waits for the calls in flight, and only for them")
    func drain() async throws {
        let calls = InFlight()
        await calls.idle()  // none in flight: at once
        calls.enter()
        calls.enter()
        let drained = Task {
            await calls.idle()
            return ContinuousClock.now
        }
        try await Task.sleep(for: .milliseconds(50))
        calls.leave()
        try await Task.sleep(for: .milliseconds(50))
        let lastLeft = ContinuousClock.now
        calls.leave()
        #expect(await drained.value >= lastLeft)

        // A wait cut short (drain's timeout cancels it) returns although a call is still in flight.
        calls.enter()
        let cut = Task { await calls.idle() }
        cut.cancel()
        await cut.value
        calls.leave()
    }
}
