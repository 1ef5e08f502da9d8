extension Record {
    /// A short human label: an agreement's title, a person's name, the start of a statement.
    ///
    /// Unknown titles are said to be unknown, never made up.
    public var label: String {
        func clip(_ s: String, _ n: Int = 60) -> String {
            s.count <= n ? s : String(s.prefix(n - 1)) + "…"
        }
        switch kind {
        case .agreement:
            if let title = text("title") { return title }
            let kindWord = (text("kind") ?? "agreement").replacingUnderscores
            return "(\(kindWord), title unknown)" + (text("summary").map { " " + clip($0, 50) } ?? "")
        case .actor, .person, .event, .name: return text("name") ?? id
        case .office: return text("name") ?? String(id.prefix(12))
        case .membership: return text("role") ?? id
        case .party: return text("role") ?? id
        case .provisionType: return text("label") ?? id
        case .provision: return (text("provision_type") ?? "") + (text("excerpt").map { ": " + clip($0, 50) } ?? "")
        case .lifecycleEvent:
            return (text("kind")?.replacingUnderscores ?? "") + " " + (text("date") ?? "(date unknown)")
        case .relation: return text("kind")?.replacingUnderscores ?? id
        case .source: return text("title") ?? text("url") ?? "(untitled source)"
        case .statement, .prediction: return clip(text("text") ?? id)
        case .about: return text("subject_id") ?? id
        case .predictionParty: return text("actor_id") ?? id
        case .predictionProvision: return text("provision_type") ?? id
        }
    }
}

extension String {
    /// `exchange_of_notes` -> `exchange of notes`.
    public var replacingUnderscores: String {
        String(map { $0 == "_" ? " " : $0 })
    }
}
