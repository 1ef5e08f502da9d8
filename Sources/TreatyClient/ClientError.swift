import TreatyProtocol

/// What can go wrong talking to treatyd.
public enum ClientError: Error, Sendable, CustomStringConvertible {
    /// Nothing answers at the socket: the daemon is not running, or the path is wrong.
    case cannotConnect(path: String, reason: String)
    /// The socket's file mode keeps this user out (EACCES on connect): `group` is the socket file's group.
    case socketDenied(path: String, group: String?)
    /// The daemon answered with an error.
    case rpc(RPCError)
    /// The connection closed before the answer came.
    case connectionClosed
    /// The daemon sent something that is not JSON-RPC.
    case protocolViolation(String)

    public var description: String {
        switch self {
        case .cannotConnect(let path, let reason):
            return "cannot reach treatyd at \(path) (\(reason)). Is it running? Try `systemctl status treatyd`, "
                + "or start it with `treatyd`; --socket or TREATY_SOCKET names another socket."
        case .socketDenied(let path, let group):
            let join = group.map { "join the group \($0) (sudo usermod -aG \($0) $USER) and log in again" }
                ?? "ask the administrator for access"
            return "treatyd's socket \(path) does not let you in (Permission denied): \(join)"
        case .rpc(let error): return error.message
        case .connectionClosed: return "treatyd closed the connection before answering"
        case .protocolViolation(let why): return "treatyd sent something unexpected: \(why)"
        }
    }
}
