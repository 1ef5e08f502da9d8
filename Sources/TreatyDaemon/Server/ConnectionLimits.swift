import Synchronization

/// Counts connections in all and per user, refusing past the limits.
final class ConnectionLimits: Sendable {
    private struct Counts {
        var total = 0
        var perUser: [UInt32: Int] = [:]
    }

    private let counts = Mutex(Counts())
    let maximum: Int
    let maximumPerUser: Int

    init(maximum: Int, maximumPerUser: Int) {
        self.maximum = maximum
        self.maximumPerUser = maximumPerUser
    }

    /// Takes a place for `uid`, or says why there is none.
    func admit(uid: UInt32) -> String? {
        counts.withLock { c in
            if c.total >= maximum { return "the daemon serves at most \(maximum) connections; try again later" }
            if c.perUser[uid, default: 0] >= maximumPerUser {
                return "a user may hold at most \(maximumPerUser) connections; close some"
            }
            c.total += 1
            c.perUser[uid, default: 0] += 1
            return nil
        }
    }

    func release(uid: UInt32) {
        counts.withLock { c in
            c.total -= 1
            c.perUser[uid, default: 1] -= 1
            if c.perUser[uid] == 0 { c.perUser[uid] = nil }
        }
    }
}
