import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import TreatyClient
import TreatyModel
import TreatyProtocol

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
            let peer = try await client.call(RPC.PeerAdd.self, .init(name: name, address: address, office: office))
            if global.json { return global.print(json: RPCCoding.json(peer)) }
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
            let peers = try await client.call(RPC.PeerList.self).peers
            if global.json { return global.print(json: RPCCoding.json(RPC.PeerList.Result(peers: peers))) }
            guard !peers.isEmpty else { return print("no peers (treaty peer add NAME HOST:PORT OFFICE-ID)") }
            let names = try await officeNames(client)
            var table = Table("PEER", "ADDRESS", "OFFICE", "CONNECTED", "LAST SEEN", "LAST SYNC", "BEHIND")
            for peer in peers {
                let behind = peer.behind
                table.add([
                    peer.name, peer.address, officeLabel(peer.office, names), peer.connected ? "yes" : "no",
                    peer.lastSeen ?? "never", peer.lastSync ?? "never",
                    behind.changeSets == 0 ? "nothing" : "\(behind.changeSets) change sets, \(megabytes(behind.bytes)) MB",
                ])
            }
            print(table.render())
            for peer in peers {
                if let error = peer.lastError { print("\(peer.name): last error: \(error)") }
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
            _ = try await client.call(RPC.PeerRemove.self, .init(name: name))
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
            let result = try await client.call(RPC.SyncNow.self, .init(peer: peer))
            if global.json {
                global.print(json: RPCCoding.json(result))
            } else if result.rounds.isEmpty {
                print("no peers (treaty peer add NAME HOST:PORT OFFICE-ID)")
            }
            for round in result.rounds where !global.json {
                if let error = round.error {
                    print("\(round.peer): failed: \(error)")
                    continue
                }
                let t = round.traffic
                print(
                    "\(round.peer): sent \(t.sent), received \(t.received) (applied \(t.applied), already had "
                        + "\(t.alreadyHad)), \(t.bytesSent) bytes sent")
            }
            return result.rounds.contains { $0.error != nil }
        }
        if failed { throw CLIFailure("a sync round failed", code: 1) }
    }
}
