import ArgumentParser
import Dispatch
import TreatyProtocol
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import TreatyModel

/// `treaty`: the command-line client of treatyd.
public struct TreatyCommand: AsyncParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "treaty",
            abstract: "Keep and query a register of security agreements and the commentary around them.",
            discussion: """
                Talks to treatyd over its Unix socket. Records are named by their short id or any unambiguous prefix. \
                Every command takes --json. Exit codes: 0 ok, 1 error reported by the daemon, 2 usage, 3 daemon not \
                reachable, 4 permission denied, 5 no such record, 6 the record changed since you read it.
                """,
            version: TreatyVersion.current,
            subcommands: parsing ?? commands)
    }

    /// Every command under `treaty`.
    static let commands: [ParsableCommand.Type] = [
        StatusCommand.self, SearchCommand.self, SaidStatementCommand.self, ImportCommand.self, ExportCommand.self, WatchCommand.self, GapsCommand.self,
        ChangesCommand.self, GraphCommand.self, IdentityCommand.self, OfficeGroup.self, PeerGroup.self, SyncGroup.self,
        ConflictsGroup.self,
        RecordGroup<AgreementKind>.self, RecordGroup<ActorKind>.self, RecordGroup<PersonKind>.self,
        RecordGroup<MembershipKind>.self, RecordGroup<StatementKind>.self, RecordGroup<EventKind>.self,
        RecordGroup<RelationKind>.self, RecordGroup<SourceKind>.self, RecordGroup<PredictionKind>.self,
        RecordGroup<PartyKind>.self, RecordGroup<ProvisionKind>.self, RecordGroup<LifecycleKindCommand>.self,
        RecordGroup<NameKind>.self, RecordGroup<AboutKind>.self, RecordGroup<ProvisionTypeKind>.self,
        RecordGroup<PredictionPartyKind>.self, RecordGroup<PredictionProvisionKind>.self,
    ]

    /// The commands the parser is shown while it parses one command line: only the one the line names, when it
    /// names one. The parser builds the tree of every command it is shown, and the whole tree (a hundred generic
    /// commands) was most of a one-shot command's start-up. Help, `--version` and a line that names no command
    /// see them all, so what they print is unchanged.
    @TaskLocal static var parsing: [ParsableCommand.Type]?

    public init() {}

    /// `--socket PATH` and `--json` may come before the subcommand (`treaty --socket s status`); every
    /// subcommand declares them, so they are moved after it.
    static func movingGlobalOptions(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var rest = arguments[...]
        while let first = rest.first, first.hasPrefix("--") {
            if first == "--json" || first.hasPrefix("--socket=") {
                leading.append(first)
                rest = rest.dropFirst()
            } else if first == "--socket", rest.count >= 2 {
                leading += rest.prefix(2)
                rest = rest.dropFirst(2)
            } else {
                break
            }
        }
        guard !leading.isEmpty, !rest.isEmpty else { return arguments }
        // Put them after the innermost subcommand named (`status`, `agreement show`, `sync export`).
        var command: ParsableCommand.Type = TreatyCommand.self
        var depth = 0
        while depth < rest.count,
            let next = command.configuration.subcommands.first(where: { $0.names(rest[rest.startIndex + depth]) })
        {
            command = next
            depth += 1
        }
        depth = max(depth, 1)
        return Array(rest.prefix(depth)) + leading + Array(rest.dropFirst(depth))
    }

    /// Runs the command line from a synchronous `main` and exits: 0, or the code ``run(arguments:)`` exits with.
    ///
    /// Not an async `main`: that parks the main thread in `dispatch_main`, which ends it with `pthread_exit`, and the
    /// unwinding that does in a statically linked program first sorts the unwind tables of the whole binary (25 ms
    /// for this one). The main thread waits here instead; the command runs on the global executor.
    public static func runAndExit() -> Never {
        let finished = DispatchSemaphore(value: 0)
        Task.detached {
            await run()
            finished.signal()
        }
        finished.wait()
        terminate(0)
    }

    /// Runs the command line, turning failures into a message on stderr and the documented exit code: 2 for
    /// every usage error (the parser's own included), and with `--json` the error as JSON.
    public static func run(arguments: [String] = Array(CommandLine.arguments.dropFirst())) async {
        let json = arguments.prefix { $0 != "--" }.contains("--json")
        do {
            let line = movingGlobalOptions(arguments)
            let named = line.first.flatMap { word in commands.first { $0.names(word) } }
            var command = try $parsing.withValue(named.map { [$0] }) { try parseAsRoot(line) }
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as CLIFailure {
            failure.exit(json: json)
        } catch {
            // Help and --version exit 0 as the parser prints them; anything else it refuses is a usage error.
            guard exitCode(for: error) != .success else { exit(withError: error) }
            var message = fullMessage(for: error)
            if message.hasPrefix("Error: ") { message.removeFirst("Error: ".count) }
            CLIFailure(message, code: 2, name: "usage").exit(json: json)
        }
    }
}

extension ParsableCommand {
    /// Whether `word` names this command (its name or an alias).
    static func names(_ word: String) -> Bool {
        let configuration = configuration
        return configuration.commandName == word || configuration.aliases.contains(word)
    }
}

