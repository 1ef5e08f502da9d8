import ServiceLifecycle

/// Pings systemd's watchdog (WATCHDOG=1) at the interval it asks for, from the time the socket is served until the
/// group stops; without WATCHDOG_USEC it only waits for the stop.
struct WatchdogService: Service {
    let notifier: SystemdNotifier
    let interval: Duration?
    let serving: Handoff<String>

    func run() async throws {
        guard let interval else {
            try? await gracefulShutdown()
            return
        }
        guard try await serving.valueUnlessStopped() != nil else { return }
        while !Task.isShuttingDownGracefully {
            notifier.notify("WATCHDOG=1")
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
