import Foundation
import Synchronization
import TreatyModel

/// A committed change, as subscribers see it.
public struct ChangeEvent: Sendable, Hashable {
    public enum Operation: String, Sendable {
        case created, updated, deleted
        /// Many records at once; `record` is nil and `summary` says how many.
        case imported
    }

    public let operation: Operation
    public let record: TreatyModel.Record?
    public let summary: ImportSummary?

    public init(operation: Operation, record: TreatyModel.Record?, summary: ImportSummary?) {
        self.operation = operation
        self.record = record
        self.summary = summary
    }
}

/// Fans committed changes out to subscribers. Each subscriber has a bounded buffer: one that falls more
/// than ``bufferLimit`` events behind loses the oldest, never the daemon's memory.
public final class ChangeFeed: Sendable {
    public static let bufferLimit = 10_000
    private let subscribers = Mutex<[UUID: AsyncStream<ChangeEvent>.Continuation]>([:])

    public init() {}

    /// A stream of changes committed from now on; it ends when the caller stops iterating.
    public func subscribe() -> AsyncStream<ChangeEvent> {
        let key = UUID()
        let (stream, continuation) = AsyncStream.makeStream(
            of: ChangeEvent.self, bufferingPolicy: .bufferingNewest(Self.bufferLimit))
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.removeValue(forKey: key) }
        }
        subscribers.withLock { $0[key] = continuation }
        return stream
    }

    func publish(_ event: ChangeEvent) {
        let targets = subscribers.withLock { Array($0.values) }
        for continuation in targets { continuation.yield(event) }
    }

    /// How many subscribers there are now.
    public var count: Int { subscribers.withLock { $0.count } }
}
