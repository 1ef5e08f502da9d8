#if canImport(Glibc)
    import Glibc
#endif

/// Room for clients under the process's limit on open descriptors. Past that limit accept fails: the client
/// waits unanswered in the backlog, and nothing else (a database file, the notify socket) can be opened either.
/// So the daemon raises its soft limit to fit its connection limits, up to the hard limit, and keeps its
/// connection limits under what fits: a client past them gets the documented error instead of a hang.
enum DescriptorLimit {
    /// Descriptors kept for everything but clients: the database and its WAL for each pooled connection, the
    /// office key, peers and their listener, import staging, the notify socket.
    static let reserve = 256

    /// Raises the soft limit to fit `connections` clients and the reserve (as far as the hard limit allows), and
    /// returns how many clients fit under it.
    static func raise(toFit connections: Int) -> Int {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return connections }
        let wanted = rlim_t(connections + reserve)
        if limit.rlim_cur < wanted {
            limit.rlim_cur = min(wanted, limit.rlim_max)
            _ = setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
            _ = getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        }
        let soft = limit.rlim_cur >= rlim_t(Int.max) ? Int.max : Int(limit.rlim_cur)
        return max(soft - reserve, 1)
    }
}
