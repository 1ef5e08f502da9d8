/// Every error name Treaty answers with, in one table: the stable name programs read (`error.data.name`), its
/// JSON-RPC code and the exit code `treaty` gives it. The daemon, the store's errors and the CLI all take them
/// from here.
public enum ErrorName: String, CaseIterable, Sendable {
    // JSON-RPC's own, with the specification's codes.
    case parseError = "parse_error"
    case invalidRequest = "invalid_request"
    case methodNotFound = "method_not_found"
    case invalidParams = "invalid_params"
    case internalError = "internal_error"
    // What was typed or sent does not fit (JSON-RPC's invalid params).
    case invalidRecord = "invalid_record"
    case invalidJSON = "invalid_json"
    case invalidArgument = "invalid_argument"
    // The application's own, each with a code of its own in -32000 ... -32099.
    case notFound = "not_found"
    case ambiguousID = "ambiguous_id"
    case staleVersion = "stale_version"
    case deleted
    case danglingReference = "dangling_reference"
    case wrongReferenceKind = "wrong_reference_kind"
    case unknownProvisionType = "unknown_provision_type"
    case duplicateID = "duplicate_id"
    case wrongKind = "wrong_kind"
    case permissionDenied = "permission_denied"
    case newerSchema = "newer_schema"
    case officeKey = "office_key"
    case ioError = "io_error"
    case tooManyConnections = "too_many_connections"
    case lineTooLong = "line_too_long"
    case batchTooLarge = "batch_too_large"
    case unknownImport = "unknown_import"
    case bundleRefused = "bundle_refused"
    case databaseError = "database_error"
    // Only the CLI's: no daemon answer.
    case usage
    case cannotConnect = "cannot_connect"
    case connection

    /// The JSON-RPC error code.
    public var code: Int {
        switch self {
        case .parseError: return -32700
        case .invalidRequest: return -32600
        case .methodNotFound: return -32601
        case .invalidParams, .invalidRecord, .invalidJSON, .invalidArgument, .usage: return -32602
        case .internalError: return -32603
        case .notFound: return -32001
        case .ambiguousID: return -32002
        case .staleVersion: return -32003
        case .deleted: return -32004
        case .danglingReference: return -32005
        case .wrongReferenceKind: return -32006
        case .unknownProvisionType: return -32007
        case .duplicateID: return -32008
        case .wrongKind: return -32009
        case .permissionDenied: return -32010
        case .newerSchema: return -32011
        case .officeKey: return -32012
        case .ioError: return -32013
        case .tooManyConnections: return -32014
        case .lineTooLong: return -32015
        case .batchTooLarge: return -32016
        case .unknownImport: return -32017
        case .bundleRefused: return -32018
        case .databaseError: return -32020
        case .cannotConnect, .connection: return -32000
        }
    }

    /// The exit code of `treaty` for an error of this name about what was typed; an error about a line of a file
    /// being imported exits 1 whatever its name (the file is wrong, not the command).
    public var exitCode: Int32 {
        switch self {
        case .usage, .invalidParams, .invalidRecord, .invalidJSON, .invalidArgument, .unknownProvisionType: return 2
        case .cannotConnect, .tooManyConnections: return 3
        case .permissionDenied: return 4
        case .notFound, .ambiguousID, .wrongKind: return 5
        case .staleVersion: return 6
        default: return 1
        }
    }
}
