import Foundation
import Testing
import TreatyClient
import TreatyModel

#if canImport(Glibc)
    import Glibc
#endif

/// A datagram socket standing in for systemd's NOTIFY_SOCKET.
final class NotifyListener: @unchecked Sendable {
    let path: String
    let fd: Int32

    init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard withUnixAddress(path, { bind(fd, $0, $1) }) == 0 else { throw DaemonError.notServing("cannot bind \(path)") }
    }

    deinit {
        close(fd)
        unlink(path)
    }

    /// The next datagram, or nil after `timeout`.
    func next(timeout: Duration = .seconds(30)) -> String? {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ms = Int32(timeout.components.seconds * 1000)
        guard poll(&poller, 1, ms) > 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = recv(fd, &buffer, buffer.count, 0)
        return n > 0 ? String(decoding: buffer[..<n], as: UTF8.self) : nil
    }

    /// Waits for a datagram containing `line`; returns every datagram seen until then.
    func wait(for line: String, timeout: Duration = .seconds(30)) -> [String]? {
        let end = ContinuousClock.now + timeout
        var seen: [String] = []
        while ContinuousClock.now < end {
            guard let message = next(timeout: end - ContinuousClock.now) else { return nil }
            seen.append(message)
            if message.split(separator: "\n").contains(Substring(line)) { return seen }
        }
        return nil
    }
}

@Suite("systemd", .serialized)
struct SystemdTests {
    static let units = DaemonProcess.repositoryRoot.appendingPathComponent("systemd")

    static func run(_ arguments: [String]) async throws -> (Int32, String) {
        try await runProgram("/usr/bin/env", arguments)
    }

    static var hasSystemdAnalyze: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze") }

    /// The units with ExecStart pointing at the built treatyd, so verify can check the binary exists.
    static func stagedUnits() throws -> String {
        let directory = "/tmp/treaty-units-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let binary = DaemonProcess.productsDirectory.appendingPathComponent("treatyd").path
        let service = try String(contentsOf: units.appendingPathComponent("treatyd.service"), encoding: .utf8)
            .replacingOccurrences(of: "/usr/local/bin/treatyd", with: binary)
        try service.write(toFile: directory + "/treatyd.service", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(
            atPath: units.appendingPathComponent("treatyd.socket").path, toPath: directory + "/treatyd.socket")
        return directory
    }

    @Test("systemd-analyze verify prints nothing for the units", .enabled(if: hasSystemdAnalyze))
    func verify() async throws {
        let directory = try Self.stagedUnits()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (status, output) = try await Self.run(
            ["systemd-analyze", "verify", directory + "/treatyd.service", directory + "/treatyd.socket"])
        #expect(status == 0)
        #expect(output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "\(output)")
        // The check can fail: a typo is reported.
        try "[Service]\nExecStartt=/bin/true\n".write(toFile: directory + "/typo.service", atomically: true, encoding: .utf8)
        let (_, typo) = try await Self.run(["systemd-analyze", "verify", directory + "/typo.service"])
        #expect(!typo.isEmpty)
    }

    @Test(
        "systemd-analyze security scores treatyd.service at most 1.5, with the network drop-in for peers too",
        .enabled(if: hasSystemdAnalyze), arguments: [false, true])
    func security(withPeers: Bool) async throws {
        let directory = try Self.stagedUnits()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        if withPeers {
            // What systemd makes of the unit with systemd/peers.conf as a drop-in: its lines after the unit's.
            let dropIn = try String(contentsOf: Self.units.appendingPathComponent("peers.conf"), encoding: .utf8)
            let service = try String(contentsOfFile: directory + "/treatyd.service", encoding: .utf8)
            try (service + "\n" + dropIn).write(toFile: directory + "/treatyd.service", atomically: true, encoding: .utf8)
            let (status, verify) = try await Self.run(["systemd-analyze", "verify", directory + "/treatyd.service"])
            #expect(status == 0, "\(verify)")
        }
        let (_, output) = try await Self.run(["systemd-analyze", "security", "--offline=yes", directory + "/treatyd.service"])
        let line = try #require(output.split(separator: "\n").first { $0.contains("Overall exposure level") })
        let score = try #require(
            line.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .punctuationCharacters.subtracting(["."]))) }.first)
        #expect(score <= 1.5, "\(line)")
        if withPeers { #expect(output.contains("AF_(INET|INET6)")) }
    }

    @Test(
        "Under socket activation: READY=1 once it accepts, watchdog pings, reload, broken reload, STOPPING=1",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-socket-activate")))
    func socketActivation() async throws {
        let directory = "/tmp/treaty-sd-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let notify = try NotifyListener(path: directory + "/notify.sock")
        let socketPath = directory + "/treaty.sock"
        let configPath = directory + "/treatyd.json"
        try #"{"max_batch": 2}"#.write(toFile: configPath, atomically: true, encoding: .utf8)
        let process = try ChildProcess(
            "/usr/bin/systemd-socket-activate",
            [
                "-l", socketPath, "-E", "NOTIFY_SOCKET=" + notify.path, "-E", "WATCHDOG_USEC=200000",
                DaemonProcess.productsDirectory.appendingPathComponent("treatyd").path,
                "--state-dir", directory + "/state", "--config", configPath,
            ])
        defer { process.killGroup() }
        // systemd-socket-activate starts the daemon on the first connection.
        let socket = try await Self.connect(socketPath)
        let ready = try #require(notify.wait(for: "READY=1"), "no READY=1")
        #expect(ready.contains { $0.hasPrefix("STATUS=") || $0.contains("\nSTATUS=") })
        // While the database opens (migrations can take minutes), systemd's start timeout is moved ahead.
        #expect(ready.contains { $0.hasPrefix("EXTEND_TIMEOUT_USEC=90000000") }, "\(ready)")
        // READY=1 means it accepts: the connection made before is answered now.
        socket.write(#"{"jsonrpc":"2.0","method":"health","id":1}"# + "\n")
        #expect(socket.readJSON()?["result"]?["status"] == "ok")

        // Watchdog pings keep coming, every 100 ms here: at least 5 in a generous 5 s.
        var pings = 0
        let end = ContinuousClock.now + .seconds(5)
        while pings < 5, ContinuousClock.now < end {
            if notify.next(timeout: .seconds(1))?.contains("WATCHDOG=1") == true { pings += 1 }
        }
        #expect(pings >= 5)

        let batchOf3 = "[" + Array(repeating: #"{"jsonrpc":"2.0","method":"health","id":1}"#, count: 3).joined(separator: ",") + "]\n"
        socket.write(batchOf3)
        #expect(socket.readJSON()?["error"]?["data"]?["name"] == "batch_too_large")

        // A good reload: RELOADING=1, then READY=1, and the new limit applies.
        try #"{"max_batch": 5}"#.write(toFile: configPath, atomically: true, encoding: .utf8)
        process.send(SIGHUP)
        let reloaded = try #require(notify.wait(for: "READY=1"))
        let reloading = reloaded.firstIndex { $0.contains("RELOADING=1") }
        #expect(reloading != nil && reloading! < reloaded.count - 1)
        socket.write(batchOf3)
        #expect(socket.readJSON()?.arrayValue?.count == 3)

        // A broken reload keeps the daemon serving with the configuration it had.
        try "{ not json".write(toFile: configPath, atomically: true, encoding: .utf8)
        process.send(SIGHUP)
        #expect(notify.wait(for: "READY=1") != nil)
        socket.write(batchOf3)
        #expect(socket.readJSON()?.arrayValue?.count == 3)
        let fresh = try await Self.connect(socketPath)
        fresh.write(#"{"jsonrpc":"2.0","method":"health","id":2}"# + "\n")
        #expect(fresh.readJSON()?["result"]?["status"] == "ok")

        process.send(SIGTERM)
        #expect(notify.wait(for: "STOPPING=1") != nil)
        #expect(await process.exit(within: .seconds(30)) == 0)
    }

    static func connect(_ path: String) async throws -> RawSocket {
        let end = ContinuousClock.now + .seconds(30)
        while true {
            if let socket = try? RawSocket(path: path) { return socket }
            guard ContinuousClock.now < end else { throw DaemonError.notServing("no socket at \(path)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

@Suite("Install and uninstall")
struct InstallTests {
    @Test("scripts/install puts everything in place under DESTDIR; scripts/uninstall removes it and keeps the data")
    func installRoundTrip() async throws {
        let root = "/tmp/treaty-root-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let scripts = DaemonProcess.repositoryRoot.appendingPathComponent("scripts")
        // The binaries this test run built (BIN), not a release build.
        let (status, output) = try await SystemdTests.run(
            ["DESTDIR=" + root, "BIN=" + DaemonProcess.productsDirectory.path, scripts.appendingPathComponent("install").path, "--no-build"])
        #expect(status == 0, "\(output)")
        let expected = [
            "/usr/local/bin/treatyd", "/usr/local/bin/treaty", "/etc/systemd/system/treatyd.service",
            "/etc/systemd/system/treatyd.socket", "/etc/sysusers.d/treaty.conf", "/etc/treaty/treatyd.json",
            "/usr/local/share/treaty/treaty.openrpc.json",
        ]
        for path in expected { #expect(FileManager.default.fileExists(atPath: root + path), "\(path)") }
        try FileManager.default.createDirectory(atPath: root + "/var/lib/treaty", withIntermediateDirectories: true)
        try "data".write(toFile: root + "/var/lib/treaty/treaty.sqlite", atomically: true, encoding: .utf8)
        let (removed, removeOutput) = try await SystemdTests.run(["DESTDIR=" + root, scripts.appendingPathComponent("uninstall").path])
        #expect(removed == 0, "\(removeOutput)")
        for path in expected where !path.hasPrefix("/etc/treaty") { #expect(!FileManager.default.fileExists(atPath: root + path), "\(path)") }
        #expect(FileManager.default.fileExists(atPath: root + "/var/lib/treaty/treaty.sqlite"))
        #expect(FileManager.default.fileExists(atPath: root + "/etc/treaty/treatyd.json"))
    }
}

/// treatyd under a seccomp filter that mimics the unit's SystemCallFilter= and MemoryDenyWriteExecute=
/// (scripts/hardened-run), since tests have no systemd as PID 1.
@Suite("Hardening", .serialized)
struct HardeningTests {
    static let launcher = DaemonProcess.repositoryRoot.appendingPathComponent("scripts/hardened-run").path
    static func available() async -> Bool {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze") else { return false }
        return (try? await runProgram("/usr/bin/python3", ["-c", "import seccomp"]).status) == 0
    }

    @Test("The filter bites: a writable+executable mapping, a privileged and a resource call all fail",
          .enabled("needs python3-seccomp and systemd-analyze") { await available() })
    func filterBites() async throws {
        let probes = [
            "import mmap; mmap.mmap(-1, 4096, prot=mmap.PROT_WRITE | mmap.PROT_EXEC)",
            "import os; os.chroot('/')",
            "import os; os.sched_setaffinity(0, {0})",
        ]
        for probe in probes {
            let (status, output) = try await runProgram(Self.launcher, ["/usr/bin/python3", "-c", probe])
            #expect(status != 0, "\(probe) ran under the filter")
            #expect(output.contains("PermissionError") || output.contains("Operation not permitted"), "\(output)")
        }
        #expect(try await runProgram(Self.launcher, ["/usr/bin/python3", "-c", "import mmap; mmap.mmap(-1, 4096)"]).status == 0)
        // The unit gives setpriority back: libdispatch lowers its workers' priority and logs each refusal.
        #expect(try await runProgram(
            Self.launcher, ["/usr/bin/python3", "-c", "import os; os.setpriority(os.PRIO_PROCESS, 0, 1)"]).status == 0)
    }

    @Test("treatyd serves, writes, searches and stops cleanly under the filter",
          .enabled("needs python3-seccomp and systemd-analyze") { await available() })
    func daemonUnderFilter() async throws {
        let directory = "/tmp/treaty-hard-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let process = try ChildProcess(
            Self.launcher,
            [
                DaemonProcess.productsDirectory.appendingPathComponent("treatyd").path, "--state-dir", directory + "/state",
                "--socket", directory + "/treaty.sock",
            ])
        defer { process.killGroup() }
        let status = try String(contentsOfFile: "/proc/\(process.pid)/status", encoding: .utf8)
        let socket = try await SystemdTests.connect(directory + "/treaty.sock")
        let filtered = try String(contentsOfFile: "/proc/\(process.pid)/status", encoding: .utf8)
        #expect(filtered.contains("Seccomp:\t2"), "\(status)")
        socket.write(#"{"jsonrpc":"2.0","method":"person.add","params":{"name":"Cəlil Xəlilov"},"id":1}"# + "\n")
        #expect(socket.readJSON()?["result"]?["name"] == "Cəlil Xəlilov")
        socket.write(#"{"jsonrpc":"2.0","method":"search","params":{"query":"Jalil Khalilov"},"id":2}"# + "\n")
        #expect(socket.readJSON()?["result"]?["hits"]?.arrayValue?.count == 1)
        process.send(SIGTERM)
        #expect(await process.exit(within: .seconds(30)) == 0)
    }
}
