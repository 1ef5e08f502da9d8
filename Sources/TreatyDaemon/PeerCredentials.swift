#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Who is on the other end of a Unix socket, from SO_PEERCRED, and what they may do.
public struct PeerCredentials: Sendable, Hashable {
    public let pid: Int32
    public let uid: UInt32
    public let gid: UInt32

    public init(pid: Int32, uid: UInt32, gid: UInt32) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }

    /// The user's login name, or the uid as text when it has none.
    public var userName: String { Accounts.userName(uid) ?? String(uid) }
}

/// What a connection may do.
public enum AccessRole: String, Sendable, Comparable {
    case none, reader, writer

    public static func < (a: AccessRole, b: AccessRole) -> Bool {
        [AccessRole.none, .reader, .writer].firstIndex(of: a)! < [AccessRole.none, .reader, .writer].firstIndex(of: b)!
    }
}

/// Decides roles: root, the daemon's own user and the writer group write; the reader group reads.
public struct AccessPolicy: Sendable {
    public let writerGroup: String
    public let readerGroup: String
    public let daemonUID: UInt32

    public init(writerGroup: String, readerGroup: String, daemonUID: UInt32 = getuid()) {
        self.writerGroup = writerGroup
        self.readerGroup = readerGroup
        self.daemonUID = daemonUID
    }

    public func role(of peer: PeerCredentials) -> AccessRole {
        if peer.uid == 0 || peer.uid == daemonUID { return .writer }
        let groups = Accounts.groupNames(uid: peer.uid, primaryGID: peer.gid)
        if groups.contains(writerGroup) { return .writer }
        if groups.contains(readerGroup) { return .reader }
        return .none
    }
}

/// Looks users and groups up in the system's databases.
enum Accounts {
    static func userName(_ uid: UInt32) -> String? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, let result else { return nil }
        return String(cString: result.pointee.pw_name)
    }

    static func groupNames(uid: UInt32, primaryGID: UInt32) -> Set<String> {
        guard let user = userName(uid) else { return [] }
        var count: Int32 = 64
        var groups = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(user, primaryGID, &groups, &count) < 0 {
            groups = [gid_t](repeating: 0, count: Int(count))
            _ = getgrouplist(user, primaryGID, &groups, &count)
        }
        var names: Set<String> = []
        for gid in groups.prefix(Int(max(0, count))) {
            var entry = group()
            var result: UnsafeMutablePointer<group>?
            var buffer = [CChar](repeating: 0, count: 4096)
            if getgrgid_r(gid, &entry, &buffer, buffer.count, &result) == 0, let result {
                names.insert(String(cString: result.pointee.gr_name))
            }
        }
        return names
    }
}
