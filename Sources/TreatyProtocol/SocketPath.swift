/// Where the daemon's socket is, for the daemon and the CLI alike.
public enum SocketPath {
    /// `--socket`, else `$TREATY_SOCKET`, else `$XDG_RUNTIME_DIR/treaty/treaty.sock` when that variable is
    /// set, else `/run/treaty/treaty.sock`.
    public static func resolve(flag: String?, environment: [String: String]) -> String {
        if let flag, !flag.isEmpty { return flag }
        if let path = environment["TREATY_SOCKET"], !path.isEmpty { return path }
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty { return runtime + "/treaty/treaty.sock" }
        return systemPath
    }

    /// The socket under systemd.
    public static let systemPath = "/run/treaty/treaty.sock"
}
