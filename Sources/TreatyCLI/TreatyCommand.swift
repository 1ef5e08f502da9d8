import ArgumentParser
import Foundation
import TreatyModel

/// `treaty`: the command-line client of treatyd.
public struct TreatyCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "treaty",
        abstract: "Keep and query a register of security agreements and the commentary around them.",
        discussion: """
            Talks to treatyd over its Unix socket. Records are named by their short id or any unambiguous prefix. \
            Every command takes --json. Exit codes: 0 ok, 1 error reported by the daemon, 2 usage, 3 daemon not \
            reachable, 4 permission denied, 5 no such record, 6 the record changed since you read it.
            """,
        subcommands: [
            StatusCommand.self, SearchCommand.self, ImportCommand.self, ExportCommand.self, WatchCommand.self, GapsCommand.self,
            RecordGroup<AgreementKind>.self, RecordGroup<ActorKind>.self, RecordGroup<PersonKind>.self,
            RecordGroup<MembershipKind>.self, RecordGroup<StatementKind>.self, RecordGroup<EventKind>.self,
            RecordGroup<RelationKind>.self, RecordGroup<SourceKind>.self, RecordGroup<PredictionKind>.self,
            RecordGroup<PartyKind>.self, RecordGroup<ProvisionKind>.self, RecordGroup<LifecycleKindCommand>.self,
            RecordGroup<NameKind>.self, RecordGroup<AboutKind>.self, RecordGroup<ProvisionTypeKind>.self,
            RecordGroup<PredictionPartyKind>.self, RecordGroup<PredictionProvisionKind>.self, RecordGroup<OfficeKind>.self,
        ])

    public init() {}

    /// Runs the command line, turning failures into a message on stderr and the documented exit code.
    public static func run(arguments: [String] = Array(CommandLine.arguments.dropFirst())) async {
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as CLIFailure {
            failure.exit()
        } catch {
            exit(withError: error)
        }
    }
}
