import ArgumentParser
import Foundation
import TreatyClient
import TreatyModel

/// `treaty peer`: the offices this one syncs with over the network (mutual TLS, pinned by office id).
struct PeerGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peer", abstract: "Network peers: other offices' treatyd, pinned by office id.",
        subcommands: [PeerAdd.self, PeerList.self, PeerRemove.self])
}

struct PeerAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Pin a peer: connect to it, and let it connect, only with the key of OFFICE.",
        discussion: """
            OFFICE is what `treaty identity` prints at the other office; give it this office's id the same way. \
            The peer's office joins the offices table when it first connects, so its change sets apply.
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "A short name for the peer.") var name: String
    @Argument(help: "HOST:PORT where its treatyd listens (--listen).") var address: String
    @Argument(help: "Its office id (64 hex characters).") var office: String

    func run() async throws {
        try await global.withClient { client in
            let peer = try await client.call(
                "peer.add", ["name": .string(name), "address": .string(address), "office": .string(office)])
            if global.json { return global.print(json: peer) }
            print("pinned peer \(name) at \(address), office \(office.prefix(12)); connecting (treaty peer list)")
        }
    }
}

struct PeerList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Peers: address, connected, last seen, last sync, what each lags, last error.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await global.withClient { client in
            let result = try await client.call("peer.list")
            if global.json { return global.print(json: result) }
            let peers = result["peers"]?.arrayValue ?? []
            guard !peers.isEmpty else { return print("no peers (treaty peer add NAME HOST:PORT OFFICE-ID)") }
            let names = try await officeNames(client)
            var table = Table("PEER", "ADDRESS", "OFFICE", "CONNECTED", "LAST SEEN", "LAST SYNC", "BEHIND")
            for peer in peers {
                let changeSets = peer["behind"]?["change_sets"]?.intValue ?? 0
                let bytes = peer["behind"]?["bytes"]?.intValue ?? 0
                table.add([
                    peer["name"]?.stringValue ?? "", peer["address"]?.stringValue ?? "",
                    officeLabel(peer["office"]?.stringValue ?? "", names), peer["connected"] == true ? "yes" : "no",
                    peer["last_seen"]?.stringValue ?? "never", peer["last_sync"]?.stringValue ?? "never",
                    changeSets == 0 ? "nothing" : "\(changeSets) change sets, \(megabytes(bytes)) MB",
                ])
            }
            print(table.render())
            for peer in peers {
                if let error = peer["last_error"]?.stringValue {
                    print("\(peer["name"]?.stringValue ?? ""): last error: \(error)")
                }
            }
        }
    }
}

struct PeerRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm", abstract: "Unpin a peer and close its connection (its office stays in the offices table).",
        aliases: ["remove"])

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The peer's name.") var name: String

    func run() async throws {
        try await global.withClient { client in
            _ = try await client.call("peer.remove", ["name": .string(name)])
            if global.json { return global.print(json: ["removed": .string(name)]) }
            print("unpinned peer \(name)")
        }
    }
}

struct SyncNow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "now", abstract: "Sync with one peer or all now, and say what moved.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Only this peer.") var peer: String?

    func run() async throws {
        let failed = try await global.withClient { client -> Bool in
            var params: [String: JSONValue] = [:]
            if let peer { params["peer"] = .string(peer) }
            let result = try await client.call("sync.now", params)
            let rounds = result["rounds"]?.arrayValue ?? []
            if global.json {
                global.print(json: result)
            } else if rounds.isEmpty {
                print("no peers (treaty peer add NAME HOST:PORT OFFICE-ID)")
            }
            for round in rounds where !global.json {
                let name = round["peer"]?.stringValue ?? ""
                if let error = round["error"]?.stringValue {
                    print("\(name): failed: \(error)")
                    continue
                }
                let t = round["traffic"] ?? .null
                print(
                    "\(name): sent \(t["sent"]?.intValue ?? 0), received \(t["received"]?.intValue ?? 0) "
                        + "(applied \(t["applied"]?.intValue ?? 0), already had \(t["already_had"]?.intValue ?? 0)), "
                        + "\(t["bytes_sent"]?.intValue ?? 0) bytes sent")
            }
            return rounds.contains { $0["error"]?.stringValue != nil }
        }
        if failed { throw CLIFailure("a sync round failed", code: 1) }
    }
}
