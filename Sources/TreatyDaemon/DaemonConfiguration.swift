import Foundation
import TreatyModel
import TreatyProtocol
import TreatyStore
import TreatySync

/// How treatyd runs: where its state and socket are, who may write, and its limits.
///
/// Read from a JSON configuration file (every key optional, unknown keys refused) and then overridden by
/// command-line flags.
public struct DaemonConfiguration: Sendable, Equatable {
    /// The directory holding the database and the office key.
    public var stateDirectory: String
    public var socketPath: String
    /// Members may change data (with root and the daemon's own user).
    public var writerGroup = "treaty-writers"
    /// Members may read.
    public var readerGroup = "treaty"
    /// A name for a new office.
    public var officeName: String?
    /// HOST:PORT of the mutual-TLS listener for peer offices; none when nil (this office still dials its peers).
    public var listen: String?
    /// How often a connected peer is asked for what it has (a safety net: changes are pushed as they commit).
    public var peerPollSeconds = 30
    /// How far ahead of this office's clock a received change set's stamp may be; one further ahead is held until
    /// the clock catches up (ten minutes).
    public var maxClockSkewSeconds = Int(StoreOptions.defaultMaxClockSkew / 1000)
    /// The bound on one change set of an import: records, and bytes of input.
    public var maxChangeSetRecords = StoreOptions.defaultMaxChangeSetRecords
    public var maxChangeSetBytes = StoreOptions.defaultMaxChangeSetBytes
    public var limits = Limits()

    public struct Limits: Sendable, Equatable {
        /// Longest request line, in bytes (16 MiB, as varlink). Over it: one error, then the connection closes.
        public var maxLineBytes = 16 << 20
        /// Most calls in one batch (1,000, as go-ethereum).
        public var maxBatch = 1000
        /// Connections in all (4,096, as varlink).
        public var maxConnections = 4096
        /// Connections per user (1,024, as varlink).
        public var maxConnectionsPerUser = 1024
        /// Most bytes queued for a client that does not read before it is dropped (4 MiB).
        public var maxQueuedBytes = 4 << 20

        public init() {}
    }

    public init(stateDirectory: String, socketPath: String) {
        self.stateDirectory = stateDirectory
        self.socketPath = socketPath
    }

    /// The database inside the state directory.
    public var databasePath: String { stateDirectory + "/" + "treaty.sqlite" }

    /// The default state directory: `$STATE_DIRECTORY` (systemd), else `$XDG_STATE_HOME/treaty`, else
    /// `~/.local/state/treaty`.
    public static func defaultStateDirectory(environment: [String: String]) -> String {
        if let dir = environment["STATE_DIRECTORY"], !dir.isEmpty {
            return String(dir.split(separator: ":").first ?? Substring(dir))
        }
        if let state = environment["XDG_STATE_HOME"], !state.isEmpty { return state + "/treaty" }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.local/state/treaty"
    }

    /// Builds the configuration: defaults, then the file (when given), then the flags.
    public static func load(
        file: String?, stateDirectory: String?, socket: String?, listen: String? = nil, environment: [String: String]
    ) throws(ConfigurationError) -> DaemonConfiguration {
        var config = DaemonConfiguration(
            stateDirectory: defaultStateDirectory(environment: environment),
            socketPath: SocketPath.resolve(flag: nil, environment: environment))
        if let file { try config.apply(file: file) }
        if let stateDirectory { config.stateDirectory = stateDirectory }
        if let socket { config.socketPath = socket }
        if let listen { config.listen = listen }
        if let address = config.listen, !Self.isAddress(address) {
            throw .invalid(file ?? "--listen", "listen must be HOST:PORT, such as 0.0.0.0:7420, not \"\(address)\"")
        }
        return config
    }

    /// HOST:PORT with a port number.
    static func isAddress(_ text: String) -> Bool {
        PeerAddress.split(text) != nil
    }

    /// Applies the keys of a JSON configuration file.
    public mutating func apply(file path: String) throws(ConfigurationError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path)
        }
        let json: JSONValue
        do {
            json = try JSONCodec.decode(data)
        } catch {
            throw .invalid(path, error.description)
        }
        guard case .object(let object) = json else { throw .invalid(path, "the file must hold a JSON object") }
        func text(_ key: String) throws(ConfigurationError) -> String {
            guard let s = object[key]?.stringValue, !s.isEmpty else { throw .invalid(path, "\"\(key)\" must be a non-empty string") }
            return s
        }
        func positive(_ key: String) throws(ConfigurationError) -> Int {
            guard let i = object[key]?.intValue, i > 0, i <= Int64(Int32.max) else {
                throw .invalid(path, "\"\(key)\" must be a positive integer")
            }
            return Int(i)
        }
        for key in object.keys.sorted() {
            switch key {
            case "state_directory": stateDirectory = try text(key)
            case "socket": socketPath = try text(key)
            case "writer_group": writerGroup = try text(key)
            case "reader_group": readerGroup = try text(key)
            case "office_name": officeName = try text(key)
            case "listen": listen = try text(key)
            case "peer_poll_seconds": peerPollSeconds = try positive(key)
            case "max_clock_skew_seconds": maxClockSkewSeconds = try positive(key)
            case "max_change_set_records": maxChangeSetRecords = try positive(key)
            case "max_change_set_bytes": maxChangeSetBytes = try positive(key)
            case "max_line_bytes": limits.maxLineBytes = try positive(key)
            case "max_batch": limits.maxBatch = try positive(key)
            case "max_connections": limits.maxConnections = try positive(key)
            case "max_connections_per_user": limits.maxConnectionsPerUser = try positive(key)
            case "max_queued_bytes": limits.maxQueuedBytes = try positive(key)
            default:
                throw .invalid(
                    path,
                    "unknown key \"\(key)\"; known: state_directory, socket, writer_group, reader_group, office_name, "
                        + "listen, peer_poll_seconds, max_clock_skew_seconds, max_change_set_records, max_change_set_bytes, "
                        + "max_line_bytes, max_batch, max_connections, "
                        + "max_connections_per_user, max_queued_bytes")
            }
        }
    }
}

/// A configuration that cannot be used, and why.
public enum ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    case unreadable(String)
    case invalid(String, String)

    public var errorDescription: String? { description }

    public var description: String {
        switch self {
        case .unreadable(let path): return "cannot read configuration file \(path)"
        case .invalid(let path, let why): return "configuration file \(path): \(why)"
        }
    }
}
