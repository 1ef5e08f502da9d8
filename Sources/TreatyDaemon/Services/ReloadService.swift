import Logging
import ServiceLifecycle
import UnixSignals

/// Tells systemd how the daemon is doing: READY=1 once the socket is served (and the SIGHUP handler exists, since a
/// SIGHUP without one would end the process), a new configuration on each SIGHUP, STOPPING=1 when the group stops.
struct ReloadService: Service {
    let settings: LiveSettings
    let notifier: SystemdNotifier
    let logger: Logger
    let serving: Handoff<String>
    /// Reads the configuration again, for SIGHUP.
    let reload: @Sendable () throws -> DaemonConfiguration

    func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        guard let path = try await serving.valueUnlessStopped() else { return }
        let status = "STATUS=serving on \(path)"
        notifier.notify("READY=1\n" + status)
        for await _ in hangups.cancelOnGracefulShutdown() {
            reloadConfiguration()
            notifier.notify("READY=1\n" + status)
        }
        notifier.notify("STOPPING=1\nSTATUS=stopping")
    }

    /// Applies the configuration read anew; a broken one is logged and the old one stays in force.
    func reloadConfiguration() {
        notifier.notify("RELOADING=1\nSTATUS=reloading the configuration")
        do {
            let new = try reload()
            let kept = settings.replace(with: new)
            logger.notice(
                "configuration reloaded",
                metadata: kept.isEmpty ? [:] : ["needs restart": "\(kept.joined(separator: ", "))"])
        } catch {
            logger.error("configuration not reloaded; keeping the one in force", metadata: ["why": "\(error)"])
        }
    }
}
