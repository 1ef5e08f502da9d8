import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import TreatyClient
import TreatyModel
import TreatyProtocol

struct GraphCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph", abstract: "The network of agreements among states, as a picture (DOT, SVG or GraphML).",
        discussion: "States are nodes; agreements are edges labelled by kind and year, solid when in force, dashed when "
            + "signed but not in force, dotted when partial dates leave it open. SVG needs Graphviz's `dot`.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case dot, svg, graphml }

    @OptionGroup var global: GlobalOptions
    @Option(help: "An organisation: its member states are the nodes.") var org: String?
    @Option(help: "States, comma-separated (short ids or prefixes).") var actors: String?
    @Option(help: "Only agreements carrying this provision type.") var provision: String?
    @Option(help: "Standings as of this day: YYYY-MM-DD, YYYY-MM, YYYY, today, yesterday, 7d (today).") var on: String?
    @Option(help: "dot, svg or graphml.") var format: Format = .dot
    @Option(help: "The file to write.") var out: String

    func run() async throws {
        guard org != nil || actors != nil else { throw CLIFailure("name --org or --actors", code: 2) }
        if format == .svg, Graphviz.dotPath == nil {
            throw CLIFailure(
                "SVG needs Graphviz's `dot`, which is not on the PATH: install it (apt-get install graphviz), "
                    + "or write --format dot or graphml", code: 2)
        }
        let network = try await global.withClient { client in
            var params = RPC.Network.Params(provision: provision, on: try on.map { try DayArgument.day($0, edge: .last) })
            if let org { params.organization = try await NameResolution.id(org, kinds: [.actor], client: client) }
            if let actors {
                var ids: [String] = []
                for actor in actors.split(separator: ",") {
                    ids.append(try await NameResolution.id(String(actor), kinds: [.actor], client: client))
                }
                params.actors = ids
            }
            return try await client.call(RPC.Network.self, params)
        }
        let text: String
        switch format {
        case .dot: text = Graphviz.dot(network)
        case .graphml: text = Graphviz.graphML(network)
        case .svg: text = try Graphviz.svg(Graphviz.dot(network))
        }
        try OutputFile.write(Array(text.utf8), to: out)
        if global.json { return global.print(json: RPCCoding.json(network)) }
        print("wrote \(out): \(network.nodes.count) states, \(network.edges.count) agreement links")
    }
}

/// Renders a network as DOT and GraphML, and SVG through Graphviz.
enum Graphviz {
    static let styles: [GapsReport.Standing: String] = [.inForce: "solid", .signed: "dashed", .uncertain: "dotted", .none: "invis"]

    static func dot(_ network: AgreementNetwork) -> String {
        var lines = ["graph treaty {", "  graph [overlap=false, splines=true];", "  node [shape=ellipse, fontname=\"DejaVu Sans\"];"]
        for node in network.nodes {
            let label = node.iso3.map { "\(node.label)\\n\($0)" } ?? node.label
            lines.append("  \(quote(node.id)) [label=\(quote(label))];")
        }
        for edge in network.edges {
            lines.append(
                "  \(quote(edge.a)) -- \(quote(edge.b)) "
                    + "[label=\(quote(label(edge))), style=\(styles[edge.standing] ?? "solid"), tooltip=\(quote(edge.agreement.label))];")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    static func label(_ edge: AgreementNetwork.Edge) -> String {
        let kind = edge.kind.replacing("_", with: " ")
        return edge.year.map { "\(kind) \($0)" } ?? kind
    }

    static func graphML(_ network: AgreementNetwork) -> String {
        var lines = [
            #"<?xml version="1.0" encoding="UTF-8"?>"#,
            #"<graphml xmlns="http://graphml.graphdrawing.org/xmlns">"#,
            #"  <key id="label" for="all" attr.name="label" attr.type="string"/>"#,
            #"  <key id="iso3" for="node" attr.name="iso3" attr.type="string"/>"#,
            #"  <key id="agreement" for="edge" attr.name="agreement" attr.type="string"/>"#,
            #"  <key id="kind" for="edge" attr.name="kind" attr.type="string"/>"#,
            #"  <key id="year" for="edge" attr.name="year" attr.type="int"/>"#,
            #"  <key id="standing" for="edge" attr.name="standing" attr.type="string"/>"#,
            #"  <graph id="treaty" edgedefault="undirected">"#,
        ]
        for node in network.nodes {
            lines.append("    <node id=\"\(xml(node.id))\">")
            lines.append("      <data key=\"label\">\(xml(node.label))</data>")
            if let iso3 = node.iso3 { lines.append("      <data key=\"iso3\">\(xml(iso3))</data>") }
            lines.append("    </node>")
        }
        for (index, edge) in network.edges.enumerated() {
            lines.append("    <edge id=\"e\(index)\" source=\"\(xml(edge.a))\" target=\"\(xml(edge.b))\">")
            lines.append("      <data key=\"label\">\(xml(edge.agreement.label))</data>")
            lines.append("      <data key=\"agreement\">\(xml(edge.agreement.id))</data>")
            lines.append("      <data key=\"kind\">\(xml(edge.kind))</data>")
            if let year = edge.year { lines.append("      <data key=\"year\">\(year)</data>") }
            lines.append("      <data key=\"standing\">\(xml(edge.standing.rawValue))</data>")
            lines.append("    </edge>")
        }
        lines += ["  </graph>", "</graphml>"]
        return lines.joined(separator: "\n") + "\n"
    }

    /// `dot` on the PATH, if any.
    static var dotPath: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return path.split(separator: ":").map { "\($0)/dot" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func svg(_ dot: String) throws -> String {
        guard let path = dotPath else { throw CLIFailure("Graphviz's `dot` is not on the PATH (apt-get install graphviz)", code: 2) }
        // dot reads the whole graph before it writes: the graph goes in, then the picture comes out.
        let process = try Subprocess(path, arguments: ["-Tsvg"])
        // If dot stops early its status says why; the write that found it gone does not.
        try? process.write(dot)
        var svg: [UInt8] = []
        while case let piece = try process.output.read(upTo: 1 << 16), !piece.isEmpty { svg += piece }
        let status = process.wait()
        guard status == 0 else { throw CLIFailure("dot failed (status \(status))") }
        return String(decoding: svg, as: UTF8.self)
    }

    static func quote(_ text: String) -> String {
        "\"" + text.replacingScalars(["\\": "\\\\", "\"": "\\\""]).replacing("\\\\n", with: "\\n") + "\""
    }

    static func xml(_ text: String) -> String {
        text.replacingScalars(["&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;"])
    }
}
