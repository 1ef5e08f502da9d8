import Synchronization

/// Counts connections in all and per user, refusing past the limits.
///
/// Under systemd the socket is open to every local user and the daemon decides per call, so a user in neither
/// group can connect: enough to hear which group to join, and no more. Such a user holds at most
/// ``maximumPerOutsider`` connections, so outsiders cannot take the places of the people who use the register.
final class ConnectionLimits: Sendable {
    static let maximumPerOutsider = 4

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
    func admit(uid: UInt32, role: AccessRole) -> String? {
        counts.withLock { c in
            if c.total >= maximum { return "the daemon serves at most \(maximum) connections; try again later" }
            let cap = role == .none ? min(maximumPerUser, Self.maximumPerOutsider) : maximumPerUser
            if c.perUser[uid, default: 0] >= cap {
                return "a user may hold at most \(cap) connections; close some"
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
