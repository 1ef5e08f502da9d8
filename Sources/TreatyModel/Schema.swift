/// The fields of every record kind. This one table drives the database columns, validation, the JSON
/// interchange format and the interface document, so they cannot drift apart.
public enum Schema {
    /// Agreement kinds, also used in prediction conditions.
    public static let agreementKinds = [
        "treaty", "memorandum", "declaration", "agreement", "protocol", "exchange_of_notes", "joint_statement",
    ]

    /// Lifecycle event kinds, in the order a same-day tie is broken.
    public static let lifecycleKinds = LifecycleKind.allCases.map(\.rawValue)

    /// Prediction outcomes.
    public static let outcomes = ["open", "true", "false", "partly", "unknowable"]

    /// The version of the record layout. A database from a higher version is refused; a change set from one is
    /// held until this office is upgraded. A version only adds optional fields (``Field/since``): docs/sync.md.
    public static let version = 2

    static func summary(of kind: RecordKind) -> String {
        switch kind {
        case .office: return "An office taking part in sync, named by the SHA-256 of its Ed25519 public key."
        case .actor: return "A state, organisation, legislature, committee, ministry or news outlet."
        case .person: return "A person who speaks or acts."
        case .name: return "Another name or spelling (native, English, transliteration) of a record."
        case .membership: return "A role held by a person or state in an organisation (or in none) over a period."
        case .agreement: return "A treaty, memorandum, declaration or other agreement."
        case .party: return "A party to an agreement and its role."
        case .provisionType: return "A user-defined provision type; its id is the slug."
        case .provision: return "What an agreement obliges: a provision type, article and excerpt."
        case .lifecycleEvent: return "A dated step in an agreement's life, for all parties or one."
        case .relation: return "A relation from one agreement to another."
        case .event: return "A summit, exercise or meeting."
        case .source: return "Where a fact or statement comes from."
        case .statement: return "Commentary: who said what, in which role, where and when."
        case .about: return "A record a statement is about."
        case .prediction: return "A forward-looking claim with a structured condition and a resolution."
        case .predictionParty: return "A party named by a prediction's condition."
        case .predictionProvision: return "A provision type named by a prediction's condition."
        }
    }

    static func fields(of kind: RecordKind) -> [Field] {
        switch kind {
        case .office:
            return [
                Field("public_key", .text, required: true, doc: "Ed25519 public key, base64 of the 32 raw bytes."),
                Field("name", .text, searchable: true, doc: "What people call the office."),
            ]
        case .actor:
            return [
                Field(
                    "kind",
                    .choice([
                        "state", "organization", "legislature", "committee", "ministry", "executive", "military",
                        "outlet", "other",
                    ]), required: true, doc: "What sort of actor."),
                Field("name", .text, required: true, searchable: true, doc: "The name in its own language."),
                Field("iso3", .text, doc: "ISO 3166-1 alpha-3 code, for states."),
                Field("cow_code", .integer, doc: "Correlates of War country code, for states."),
                Field("wikidata", .text, doc: "Wikidata id, such as Q227."),
                Field("founded", .date, doc: "When it was founded."),
                Field("dissolved", .date, doc: "When it was dissolved."),
                Field("parent_id", .reference([.actor]), doc: "The actor it belongs to (committee -> legislature)."),
                Field("note", .text, searchable: true, doc: "Anything else."),
            ]
        case .person:
            return [
                Field("name", .text, required: true, searchable: true, doc: "The name in its native spelling."),
                Field("note", .text, searchable: true, doc: "Anything else."),
            ]
        case .name:
            return [
                Field(
                    "owner_id", .reference([.actor, .person, .agreement, .event]), required: true,
                    doc: "The record this name belongs to."),
                Field("name", .text, required: true, searchable: true, doc: "The name or spelling."),
                Field("language", .text, doc: "BCP 47 language tag, such as az, tr, en, ru."),
                Field(
                    "kind",
                    .choice(["native", "english", "transliteration", "abbreviation", "former", "title", "other"]),
                    default: "other", doc: "What sort of name."),
            ]
        case .membership:
            return [
                Field(
                    "member_id", .reference([.person, .actor]), required: true,
                    doc: "The person or state that holds the role."),
                Field(
                    "organization_id", .reference([.actor]),
                    doc: "Where the role is held; none for roles like \"military expert\"."),
                Field("role", .text, required: true, searchable: true, doc: "The role: member, observer, military expert."),
                Field("start", .date, doc: "From when."),
                Field("end", .date, doc: "Until when."),
                Field("source_id", .reference([.source]), doc: "Where this is known from."),
            ]
        case .agreement:
            return [
                Field("kind", .choice(agreementKinds), required: true, doc: "What sort of agreement."),
                Field("title", .text, searchable: true, doc: "The title; absent when it is not known."),
                Field("place", .text, searchable: true, doc: "Where it was signed."),
                Field("summary", .text, searchable: true, doc: "What it covers, in a few lines."),
                Field(
                    "text_status", .choice(["public", "partial", "unknown"]), default: "unknown",
                    doc: "Whether its text is public."),
                Field("unts", .text, doc: "UN Treaty Series registration number."),
                Field("atop_id", .text, doc: "ATOP alliance id."),
                Field("cow_id", .text, doc: "Correlates of War alliance id."),
                Field("dcad_id", .text, doc: "Defense Cooperation Agreement Dataset id."),
                Field("event_id", .reference([.event]), doc: "The summit or meeting where it was made."),
                Field("source_id", .reference([.source]), doc: "Where it is known from."),
                Field("note", .text, searchable: true, doc: "Anything else."),
            ]
        case .party:
            return [
                Field("agreement_id", .reference([.agreement]), required: true, doc: "The agreement."),
                Field("actor_id", .reference([.actor]), required: true, doc: "The party."),
                Field(
                    "role", .choice(["party", "depositary", "guarantor", "observer", "witness"]), default: "party",
                    doc: "Its role."),
            ]
        case .provisionType:
            return [
                Field("label", .text, required: true, searchable: true, doc: "A short label."),
                Field("description", .text, searchable: true, doc: "What it covers."),
            ]
        case .provision:
            return [
                Field("agreement_id", .reference([.agreement]), required: true, doc: "The agreement."),
                Field("provision_type", .provisionType, required: true, doc: "The provision type slug."),
                Field("article", .text, doc: "Where in the text: \"Art. 2\"."),
                Field("excerpt", .text, searchable: true, doc: "A short excerpt or paraphrase."),
                Field("condition", .text, searchable: true, doc: "When it applies: \"armed aggression against a party\"."),
                Field("legal_basis", .text, doc: "\"UN Charter Article 51\"."),
                Field("owed_by_id", .reference([.actor]), doc: "Who owes it, when not every party."),
                Field("owed_to_id", .reference([.actor]), doc: "To whom, when not every party."),
                Field("coded_by", .text, doc: "Who coded the provision."),
                Field("source_id", .reference([.source]), doc: "Where it is known from."),
            ]
        case .lifecycleEvent:
            return [
                Field("agreement_id", .reference([.agreement]), required: true, doc: "The agreement."),
                Field("kind", .choice(lifecycleKinds), required: true, doc: "What happened."),
                Field("date", .date, doc: "When, to the precision known; absent when unknown."),
                Field("party_id", .reference([.actor]), doc: "The party it concerns; absent when it concerns all."),
                Field("place", .text, since: 2, doc: "Where it happened: the city of a signing, of a deposit."),
                Field("actor_id", .reference([.actor]), doc: "Who acted: the legislature, the president."),
                Field("reference", .text, doc: "A decree or law number."),
                Field("source_id", .reference([.source]), doc: "Where it is known from."),
                Field("note", .text, doc: "Anything else."),
            ]
        case .relation:
            return [
                Field("from_id", .reference([.agreement]), required: true, doc: "The agreement the relation is of."),
                Field(
                    "kind", .choice(["complements", "implements", "amends", "supersedes", "builds_on", "protocol_to"]),
                    required: true, doc: "How `from` relates to `to`."),
                Field("to_id", .reference([.agreement]), required: true, doc: "The agreement it relates to."),
                Field("note", .text, searchable: true, doc: "What the step added."),
                Field("source_id", .reference([.source]), doc: "Where it is known from."),
            ]
        case .event:
            return [
                Field(
                    "kind", .choice(["summit", "exercise", "meeting", "conference", "visit", "other"]),
                    required: true, doc: "What sort of event."),
                Field("name", .text, required: true, searchable: true, doc: "Its name."),
                Field("theme", .text, searchable: true, doc: "Its theme."),
                Field("place", .text, searchable: true, doc: "Where."),
                Field("start", .date, doc: "First day."),
                Field("end", .date, doc: "Last day."),
                Field("organizer_id", .reference([.actor]), doc: "Who organised it."),
                Field("note", .text, searchable: true, doc: "Anything else."),
            ]
        case .source:
            return [
                Field("url", .text, doc: "Where it can be read; absent when unknown."),
                Field("outlet_id", .reference([.actor]), doc: "The outlet that published it."),
                Field("title", .text, searchable: true, doc: "Its title; absent when unknown."),
                Field("language", .text, doc: "BCP 47 language tag."),
                Field("published", .date, doc: "When it was published."),
                Field("retrieved", .date, doc: "When it was read."),
                Field("note", .text, doc: "Anything else."),
            ]
        case .statement:
            return [
                Field("speaker_id", .reference([.person]), required: true, doc: "Who said it."),
                Field(
                    "membership_id", .reference([.membership]), doc: "The role the speaker held when saying it."),
                Field("source_id", .reference([.source]), doc: "Where it was said or reported."),
                Field("date", .date, doc: "When it was said."),
                Field("text", .text, required: true, searchable: true, doc: "The words, quoted or paraphrased."),
                Field(
                    "mode", .choice(["quote", "paraphrase", "summary"]), default: "quote",
                    doc: "Whether `text` is quoted, paraphrased or summarised."),
                Field("language", .text, doc: "Language of `text`."),
                Field(
                    "stance", .choice(["supportive", "critical", "neutral", "mixed"]),
                    doc: "Its stance towards what it is about."),
                Field("reports_id", .reference([.person]), doc: "Whose words it reports, when it reports another."),
                Field("reported_text", .text, searchable: true, doc: "What the reported person said."),
            ]
        case .about:
            return [
                Field("statement_id", .reference([.statement]), required: true, doc: "The statement."),
                Field(
                    "subject_id", .reference([.agreement, .actor, .event, .person]), required: true,
                    doc: "What it is about."),
            ]
        case .prediction:
            return [
                Field("statement_id", .reference([.statement]), required: true, doc: "The statement making the claim."),
                Field("text", .text, required: true, searchable: true, doc: "The claim in a line."),
                Field("agreement_kind", .choice(agreementKinds), doc: "Condition: the kind of agreement."),
                Field("by", .date, doc: "Condition: by when; also the deadline."),
                Field("probability", .number(0...1), doc: "How likely, from 0 to 1."),
                Field(
                    "probability_by", .choice(["speaker", "analyst"]),
                    doc: "Whether the speaker stated the probability or an analyst coded it."),
                Field("outcome", .choice(outcomes), default: "open", doc: "How it turned out."),
                Field(
                    "settled_by_id", .reference([.agreement, .lifecycleEvent]),
                    doc: "The record that settled it."),
                Field("resolution_note", .text, doc: "Why it was settled so."),
            ]
        case .predictionParty:
            return [
                Field("prediction_id", .reference([.prediction]), required: true, doc: "The prediction."),
                Field("actor_id", .reference([.actor]), required: true, doc: "A party its condition names."),
            ]
        case .predictionProvision:
            return [
                Field("prediction_id", .reference([.prediction]), required: true, doc: "The prediction."),
                Field("provision_type", .provisionType, required: true, doc: "A provision type its condition names."),
            ]
        }
    }
}
