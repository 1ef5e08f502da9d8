import Foundation
import Testing
import TreatyModel

/// The README's tour and two-office walkthrough, read out of README.md and run as a reader would: every command
/// must succeed, and what the README says a command prints (the seed's count, the agreements listed, the counts
/// of each bundle import) must be what it prints.
@Suite("README.md as written", .serialized)
struct ReadmeTests {
    static let readme = DaemonProcess.repositoryRoot.appendingPathComponent("README.md").path

    /// The shell lines of the ```sh blocks between two headings, with the ``` blocks of output that follow them.
    static func blocks(from start: String, to end: String) throws -> [(commands: [String], output: [String])] {
        let text = try String(contentsOfFile: readme, encoding: .utf8)
        guard let from = text.range(of: start), let to = text.range(of: end, range: from.upperBound..<text.endIndex) else {
            throw DaemonError.notServing("README.md has no section \(start)")
        }
        var blocks: [(commands: [String], output: [String])] = []
        var current: [String]?
        var kind = ""
        for line in text[from.upperBound..<to.lowerBound].split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                if current == nil {
                    kind = String(line.dropFirst(3))
                    current = []
                } else {
                    if kind == "sh" { blocks.append((current!, [])) } else if !blocks.isEmpty { blocks[blocks.count - 1].output = current! }
                    current = nil
                }
            } else if current != nil {
                current!.append(String(line))
            }
        }
        return blocks
    }

    /// A command line and its comment (after "  # ").
    static func split(_ line: String) -> (command: String, comment: String) {
        guard let range = line.range(of: #"\s+# "#, options: .regularExpression) else { return (line, "") }
        return (String(line[..<range.lowerBound]), String(line[range.upperBound...]))
    }

    @Test("The five-minute tour and the two-office walkthrough run as written and print what they say")
    func tourAndTwoOffices() async throws {
        let ankara = try await DaemonProcess()
        let directory = ankara.directory + "/reader"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/examples", withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: DaemonProcess.repositoryRoot.appendingPathComponent("examples/seed.jsonl").path,
            toPath: directory + "/examples/seed.jsonl")
        var baku: DaemonProcess?
        var replacements: [String: String] = [:]
        let blocks = try Self.blocks(from: "## A five-minute tour", to: "## What is in it")
            .filter { !$0.commands.contains { $0.contains("10.0.0.") } }  // pairing over a network needs two hosts
        #expect(blocks.count >= 6)
        for block in blocks {
            var printed = ""
            for line in block.commands where !line.isEmpty && !line.hasPrefix("#") {
                var (command, comment) = Self.split(line)
                if command.hasPrefix("export PATH=") { continue }
                if command.hasPrefix("treatyd ") {
                    baku = try await DaemonProcess()
                    continue
                }
                if command.hasPrefix("export B=") { continue }
                if let baku { command = command.replacingOccurrences(of: "$B", with: "--socket " + baku.socketPath) }
                for (placeholder, value) in replacements { command = command.replacingOccurrences(of: placeholder, with: value) }
                let (status, output) = try await runProgram(
                    "/bin/sh", ["-c", "cd '\(directory)' && " + command],
                    environment: [
                        "PATH": DaemonProcess.productsDirectory.path + ":/usr/local/bin:/usr/bin:/bin",
                        "TREATY_SOCKET": ankara.socketPath, "HOME": directory,
                    ])
                #expect(status == 0, "README: \(line)\n\(output)")
                printed += output
                // What the README's comment says it prints.
                if let counts = comment.range(of: #"applied \d+, already had \d+(, held back \d+)?(, conflicts \d+)?"#, options: .regularExpression) {
                    #expect(output.contains(comment[counts]), "README: \(line)\nprinted: \(output)")
                }
                if comment.contains("146 records") { #expect(output.contains("146 created"), "\(output)") }
                if command.hasSuffix(" identity") {
                    let id = output.split(separator: "\n").first { $0.hasPrefix("office") }?.split(separator: " ").last.map(String.init) ?? ""
                    replacements[comment.contains("Baku") ? "4be07d…64-hex-id" : "9f2c41…64-hex-id"] = id
                }
                if command.contains(" add "), let added = output.split(separator: " ").dropFirst(2).first, output.hasPrefix("added ") {
                    replacements["3srm4a"] = String(added)
                }
                if comment.hasPrefix("finds ") {
                    #expect(output.contains(comment.dropFirst("finds ".count)), "README: \(line)\n\(output)")
                }
            }
            // An output block after the commands: each row's first column (an id) is in what they printed.
            for row in block.output.dropFirst() where !row.isEmpty {
                let id = String(row.split(separator: " ").first ?? "")
                #expect(printed.contains(id), "README shows \(row)\nprinted: \(printed)")
            }
        }
        #expect(replacements.count == 3, "\(replacements)")
        // The walkthrough ends with both offices holding the same content.
        let onAnkara = try await SyncEndToEndTests.json(ankara, ["sync", "status"])["digest"]
        let onBaku = try await SyncEndToEndTests.json(try #require(baku), ["sync", "status"])["digest"]
        #expect(onAnkara != nil && onAnkara == onBaku)
    }
}
