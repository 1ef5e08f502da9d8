import GRDB
import TreatyModel
import TreatyProtocol

extension TreatyStore {
    /// Predictions, oldest first: only open ones, only those due by a day, only a person's, as asked.
    public func predictions(open: Bool = false, dueBy: Day? = nil, person: String? = nil) async throws(StoreError)
        -> [PredictionEntry]
    {
        try await read { db in
            var speakerID: String?
            if let person { speakerID = try TreatyStore.fetch(db, person, kind: .person).id }
            let all = try Row.fetchAll(db, sql: "SELECT * FROM prediction WHERE deleted = 0 ORDER BY rowid")
                .map { RecordRows.record(from: $0, kind: .prediction) }
            var entries: [PredictionEntry] = []
            for prediction in all {
                if open, prediction.text("outcome") != "open" { continue }
                if let dueBy {
                    guard let by = prediction.text("by").flatMap(PartialDate.init), by.earliest <= dueBy else { continue }
                }
                let statement = try prediction.text("statement_id").flatMap { try RecordRows.fetch(db, kind: .statement, id: $0) }
                let speaker = statement?.text("speaker_id")
                if let speakerID, speaker != speakerID { continue }
                let parties = try Lookup.records(db, .predictionParty, where: "prediction_id", is: prediction.id)
                    .compactMap { $0.text("actor_id") }
                let provisions = try Lookup.records(db, .predictionProvision, where: "prediction_id", is: prediction.id)
                    .compactMap { $0.text("provision_type") }
                let candidates = prediction.text("outcome") == "open"
                    ? try Self.candidates(db, prediction, statement: statement, parties: parties, provisions: provisions) : []
                entries.append(
                    PredictionEntry(
                        prediction: prediction, speaker: try Lookup.ref(db, speaker),
                        parties: try parties.compactMap { try Lookup.ref(db, $0) }, provisions: provisions.sorted(),
                        candidates: try candidates.compactMap { try Lookup.ref(db, $0) }))
            }
            return entries
        }
    }

    /// Agreements meeting a prediction's condition: all its parties among the agreement's, its kind, its
    /// provision types among the agreement's, signed by its deadline when dated; and new since the claim
    /// (recorded after the prediction, or signed after the statement's date).
    static func candidates(
        _ db: Database, _ prediction: Record, statement: Record?, parties: [String], provisions: [String]
    ) throws -> [String] {
        // Start from the narrowest index: the first party's agreements, else the first provision's.
        var pool: Set<String>
        if let first = parties.first {
            pool = Set(try Lookup.records(db, .party, where: "actor_id", is: first).compactMap { $0.text("agreement_id") })
        } else if let first = provisions.first {
            pool = Set(try Lookup.records(db, .provision, where: "provision_type", is: first).compactMap { $0.text("agreement_id") })
        } else {
            return []  // no parties and no provisions: too broad to suggest anything
        }
        let statementDate = statement?.text("date").flatMap(PartialDate.init)
        let deadline = prediction.text("by").flatMap(PartialDate.init)
        let predictedAt = prediction.provenance?.createdAt ?? ""
        var result: [String] = []
        for id in pool.sorted() {
            guard let agreement = try RecordRows.fetch(db, kind: .agreement, id: id), agreement.provenance?.deleted == false
            else { continue }
            if let kind = prediction.text("agreement_kind"), agreement.text("kind") != kind { continue }
            let agreementParties = Set(try Lookup.records(db, .party, where: "agreement_id", is: id).compactMap { $0.text("actor_id") })
            guard Set(parties).isSubset(of: agreementParties) else { continue }
            let types = Set(try Lookup.records(db, .provision, where: "agreement_id", is: id).compactMap { $0.text("provision_type") })
            guard Set(provisions).isSubset(of: types) else { continue }
            let signed = try Lookup.records(db, .lifecycleEvent, where: "agreement_id", is: id)
                .filter { $0.text("kind") == "signed" }.compactMap { $0.text("date").flatMap(PartialDate.init) }
                .min { $0.earliest < $1.earliest }
            if let deadline, let signed, signed.earliest > deadline.latest { continue }
            let recordedLater = (agreement.provenance?.createdAt ?? "") > predictedAt
            let signedLater = statementDate.flatMap { said in signed.map { $0.earliest > said.latest } } ?? false
            guard recordedLater || signedLater else { continue }
            result.append(id)
        }
        return result
    }

    /// Settles a prediction: its outcome, the agreement or lifecycle event that settled it, and why.
    public func resolvePrediction(
        _ idOrPrefix: String, outcome: String, settledBy: String?, note: String?, user: String
    ) async throws(StoreError) -> TreatyModel.Record {
        guard ["true", "false", "partly", "unknowable"].contains(outcome) else {
            throw .invalidArgument("outcome must be true, false, partly or unknowable, not \"\(outcome)\"")
        }
        let context = context(user: user)
        return try await write(user: user, events: { [ChangeEvent(operation: .updated, record: $0, summary: nil)] }) { db in
            let prediction = try TreatyStore.fetch(db, idOrPrefix, kind: .prediction)
            var changes: [String: JSONValue] = ["outcome": .string(outcome)]
            if let settledBy { changes["settled_by_id"] = .string(try Resolve.id(db, settledBy).id) }
            if let note { changes["resolution_note"] = .string(note) }
            return try Writes.update(
                db, id: prediction.id, version: prediction.provenance?.version ?? 1, set: changes, context: context)
        }
    }

    /// A speaker's predictions and how they turned out.
    public func trackRecord(of person: String) async throws(StoreError) -> TrackRecord {
        let entries = try await predictions(person: person)
        let ref = try await read { db in try Lookup.ref(db, try TreatyStore.fetch(db, person, kind: .person)) }
        var resolved: [String: Int] = [:]
        var squares: [Double] = []
        for entry in entries {
            let outcome = entry.prediction.text("outcome") ?? "open"
            if outcome != "open" { resolved[outcome, default: 0] += 1 }
            if let p = entry.prediction["probability"]?.doubleValue, outcome == "true" || outcome == "false" {
                let o = outcome == "true" ? 1.0 : 0.0
                squares.append((p - o) * (p - o))
            }
        }
        return TrackRecord(
            person: ref, made: entries.count, open: entries.count - resolved.values.reduce(0, +), resolved: resolved,
            brier: squares.isEmpty ? nil : squares.reduce(0, +) / Double(squares.count), scored: squares.count)
    }
}
