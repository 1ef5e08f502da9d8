/// The frozen text of migration `v1-records`: the record tables as record schema 1 laid them out, exactly as it
/// ran when it was generated from ``Schema`` (a later change to ``Schema`` must not change what v1 means; GRDB's
/// migration guide). Later versions add their columns in migrations of their own.
extension Migrations {
    static let v1Records = """
        CREATE TABLE "office" (
            id TEXT PRIMARY KEY NOT NULL,
            "public_key" TEXT NOT NULL,
            "name" TEXT,
            created_at TEXT NOT NULL,
            created_office TEXT NOT NULL,
            created_user TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_office TEXT NOT NULL,
            updated_user TEXT NOT NULL,
            version INTEGER NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE "actor" (
            id TEXT PRIMARY KEY NOT NULL,
            "kind" TEXT NOT NULL,
            "name" TEXT NOT NULL,
            "iso3" TEXT,
            "cow_code" INTEGER,
            "wikidata" TEXT,
            "founded" TEXT,
            "dissolved" TEXT,
            "parent_id" TEXT REFERENCES "actor"(id) DEFERRABLE INITIALLY DEFERRED,
            "note" TEXT,
            created_at TEXT NOT NULL,
            created_office TEXT NOT NULL,
            created_user TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_office TEXT NOT NULL,
            updated_user TEXT NOT NULL,
            version INTEGER NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX "actor_parent_id" ON "actor"("parent_id");
        CREATE TABLE "person" (
            id TEXT PRIMARY KEY NOT NULL,
            "name" TEXT NOT NULL,
            "note" TEXT,
            created_at TEXT NOT NULL,
            created_office TEXT NOT NULL,
            created_user TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_office TEXT NOT NULL,
            updated_user TEXT NOT NULL,
            version INTEGER NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE "name" (
            id TEXT PRIMARY KEY NOT NULL,
            "owner_id" TEXT NOT NULL,
            "name" TEXT NOT NULL,
            "language" TEXT,
            "kind" TEXT,
            created_at TEXT NOT NULL,
            created_office TEXT NOT NULL,
            created_user TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_office TEXT NOT NULL,
            updated_user TEXT NOT NULL,
            version INTEGER NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX "name_owner_id" ON "name"("owner_id");
        CREATE TABLE "membership" (
            id TEXT PRIMARY KEY NOT NULL,
            "member_id" TEXT NOT NULL,
            "organization_id" TEXT REFERENCES "actor"(id) DEFERRABLE INITIALLY DEFERRED,
            "role" TEXT NOT NULL,
            "start" TEXT,
            "end" TEXT,
            "source_id" TEXT REFERENCES "source"(id) DEFERRABLE INITIALLY DEFERRED,
            created_at TEXT NOT NULL,
            created_office TEXT NOT NULL,
            created_user TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_office TEXT NOT NULL,
            updated_user TEXT NOT NULL,
            version INTEGER NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX "membership_member_id" ON "membership"("member_id");
        CREATE INDEX "membership_organization_id" ON "membership"("organization_id");
        CREATE INDEX "membership_source_id" ON "membership"("source_id");
        CREATE TABLE "agreement" (
            id TEXT PRIMARY KEY NOT NULL,
            "kind" TEXT NOT NULL,
            "title" TEXT,
            "place" TEXT,
            "summary" TEXT,
            "text_status" TEXT,
            "unts" TEXT,
            "atop_id" TEXT,
            "cow_id" TEXT,
            "dcad_id" TEXT,
            "event_id" TEXT REFERENCES "event"(id) DEFERRABLE INITIALLY DEFERRED,
            "source_id" TEXT REFERENCES "source"(id) DEFERRABLE INITIALLY DEFERRED,
            "note" TEXT,
            created_at TEXT NOT NULL,
            created_office TEXT NOT NULL,
            created_user TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_office TEXT NOT NULL,
            updated_user TEXT NOT NULL,
            version INTEGER NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX "agreement_event_id" ON "agreement"("event_id");
        CREATE INDEX "agreement_source_id" ON "agreement"("source_id");
        CREATE TABLE "party" (
            id TEXT PRIMARY KEY NOT NULL,
            "agreement_id" TEXT NOT NULL REFERENCES "agreement"(id) DEFERRABLE INITIALLY DEFERRED,
            "actor_id" TEXT NOT NULL REFERENCES "actor"(id) DEFERRABLE INITIALLY DEFERRED,
            "role" TEXT,
            created_at TEXT NOT NULL,
            created_office TEXT NOT NULL,
            created_user TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_office TEXT NOT NULL,
            updated_user TEXT NOT NULL,
            version INTEGER NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX "party_agreement_id" ON "party"("agreement_id");
        CREATE INDEX "party_actor_id" ON "party"("actor_id");
        CREATE TABLE "provision_type" (
            id TEXT PRIMARY KEY NOT NULL,
            "label" TEXT NOT NULL,
            "description" TEXT,
            created_at TEXT NOT NULL,
            created_office TEXT NOT NULL,
            created_user TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_office TEXT NOT NULL,
            updated_user TEXT NOT NULL,
            version INTEGER NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE "provision" (
            id TEXT PRIMARY KEY NOT NULL,
            "agreement_id" TEXT NOT NULL REFERENCES "agreement"(id) DEFERRABLE INITIALLY DEFERRED,
            "provision_type" TEXT NOT NULL,
            "article" TEXT,
            "excerpt" TEXT,
            "condition" TEXT,
            "legal_basis" TEXT,
            "owed_by_id" TEXT REFERENCES "actor"(id) DEFERRABLE INITIALLY DEFERRED,
            "owed_to_id" TEXT REFERENCES "actor"(id) DEFERRABLE INITIALLY DEFERRED,
            "coded_by" TEXT,
            "source_id" TEXT REFERENCES "source"(id) DEFERRABLE INITIALLY DEFERRED,
            created_at TEXT NOT NULL,
            created_office TEXT NOT NULL,
            created_user TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_office TEXT NOT NULL,
            updated_user TEXT NOT NULL,
            version INTEGER NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX "provision_agreement_id" ON "provision"("agreement_id");
        CREATE INDEX "provision_owed_by_id" ON "provision"("owed_by_id");
        CREATE INDEX "provision_owed_to_id" ON "provision"("owed_to_id");
        CREATE INDEX "provision_source_id" ON "provision"("source_id");
        CREATE TABLE "lifecycle_event" (
            id TEXT PRIMARY KEY NOT NULL,
            "agreement_id" TEXT NOT NULL REFERENCES "agreement"(id) DEFERRABLE INITIALLY DEFERRED,
            "kind" TEXT NOT NULL,
            "date" TEXT,
            "party_id" TEXT REFERENCES "actor"(id) DEFERRABLE INITIALLY DEFERRED,
            "actor_id" TEXT REFERENCES "actor"(id) DEFERRABLE INITIALLY DEFERRED,
            "reference" TEXT,
            "source_id" TEXT REFERENCES "source"(id) DEFERRABLE INITIALLY DEFERRED,
            "note" TEXT,
            created_at TEXT NOT NULL,
            created_office TEXT NOT NULL,
            created_user TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_office TEXT NOT NULL,
            updated_user TEXT NOT NULL,
            version INTEGER NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX "lifecycle_event_agreement_id" ON "lifecycle_event"("agreement_id");
        CREATE INDEX "lifecycle_event_party_id" ON "lifecycle_event"("party_id");
        CREATE INDEX "lifecycle_event_actor_id" ON "lifecycle_event"("actor_id");
        CREATE INDEX "lifecycle_event_source_id" ON "lifecycle_event"("source_id");
        CREATE TABLE "relation" (
            id TEXT PRIMARY KEY NOT NULL,
            "from_id" TEXT NOT NULL REFERENCES "agreement"(id) DEFERRABLE INITIALLY DEFERRED,
            "kind" TEXT NOT NULL,
            "to_id" TEXT NOT NULL REFERENCES "agreement"(id) DEFERRABLE INITIALLY DEFERRED,
            "note" TEXT,
            "source_id" TEXT REFERENCES "source"(id) DEFERRABLE INITIALLY DEFERRED,
            created_at TEXT NOT NULL,
            created_office TEXT NOT NULL,
            created_user TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_office TEXT NOT NULL,
            updated_user TEXT NOT NULL,
            version INTEGER NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX "relation_from_id" ON "relation"("from_id");
        CREATE INDEX "relation_to_id" ON "relation"("to_id");
        CREATE INDEX "relation_source_id" ON "relation"("source_id");
        CREATE TABLE "event" (
            id TEXT PRIMARY KEY NOT NULL,
            "kind" TEXT NOT NULL,
            "name" TEXT NOT NULL,
            "theme" TEXT,
            "place" TEXT,
            "start" TEXT,
            "end" TEXT,
            "organizer_id" TEXT REFERENCES "actor"(id) DEFERRABLE INITIALLY DEFERRED,
            "note" TEXT,
            created_at TEXT NOT NULL,
            created_office TEXT NOT NULL,
            created_user TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_office TEXT NOT NULL,
            updated_user TEXT NOT NULL,
            version INTEGER NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX "event_organizer_id" ON "event"("organizer_id");
        CREATE TABLE "source" (
            id TEXT PRIMARY KEY NOT NULL,
            "url" TEXT,
            "outlet_id" TEXT REFERENCES "actor"(id) DEFERRABLE INITIALLY DEFERRED,
            "title" TEXT,
            "language" TEXT,
            "published" TEXT,
            "retrieved" TEXT,
            "note" TEXT,
            created_at TEXT NOT NULL,
            created_office TEXT NOT NULL,
            created_user TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_office TEXT NOT NULL,
            updated_user TEXT NOT NULL,
            version INTEGER NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX "source_outlet_id" ON "source"("outlet_id");
        CREATE TABLE "statement" (
            id TEXT PRIMARY KEY NOT NULL,
            "speaker_id" TEXT NOT NULL REFERENCES "person"(id) DEFERRABLE INITIALLY DEFERRED,
            "membership_id" TEXT REFERENCES "membership"(id) DEFERRABLE INITIALLY DEFERRED,
            "source_id" TEXT REFERENCES "source"(id) DEFERRABLE INITIALLY DEFERRED,
            "date" TEXT,
            "text" TEXT NOT NULL,
            "mode" TEXT,
            "language" TEXT,
            "stance" TEXT,
            "reports_id" TEXT REFERENCES "person"(id) DEFERRABLE INITIALLY DEFERRED,
            "reported_text" TEXT,
            created_at TEXT NOT NULL,
            created_office TEXT NOT NULL,
            created_user TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_office TEXT NOT NULL,
            updated_user TEXT NOT NULL,
            version INTEGER NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX "statement_speaker_id" ON "statement"("speaker_id");
        CREATE INDEX "statement_membership_id" ON "statement"("membership_id");
        CREATE INDEX "statement_source_id" ON "statement"("source_id");
        CREATE INDEX "statement_reports_id" ON "statement"("reports_id");
        CREATE TABLE "about" (
            id TEXT PRIMARY KEY NOT NULL,
            "statement_id" TEXT NOT NULL REFERENCES "statement"(id) DEFERRABLE INITIALLY DEFERRED,
            "subject_id" TEXT NOT NULL,
            created_at TEXT NOT NULL,
            created_office TEXT NOT NULL,
            created_user TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_office TEXT NOT NULL,
            updated_user TEXT NOT NULL,
            version INTEGER NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX "about_statement_id" ON "about"("statement_id");
        CREATE INDEX "about_subject_id" ON "about"("subject_id");
        CREATE TABLE "prediction" (
            id TEXT PRIMARY KEY NOT NULL,
            "statement_id" TEXT NOT NULL REFERENCES "statement"(id) DEFERRABLE INITIALLY DEFERRED,
            "text" TEXT NOT NULL,
            "agreement_kind" TEXT,
            "by" TEXT,
            "probability" REAL,
            "probability_by" TEXT,
            "outcome" TEXT,
            "settled_by_id" TEXT,
            "resolution_note" TEXT,
            created_at TEXT NOT NULL,
            created_office TEXT NOT NULL,
            created_user TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_office TEXT NOT NULL,
            updated_user TEXT NOT NULL,
            version INTEGER NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX "prediction_statement_id" ON "prediction"("statement_id");
        CREATE INDEX "prediction_settled_by_id" ON "prediction"("settled_by_id");
        CREATE TABLE "prediction_party" (
            id TEXT PRIMARY KEY NOT NULL,
            "prediction_id" TEXT NOT NULL REFERENCES "prediction"(id) DEFERRABLE INITIALLY DEFERRED,
            "actor_id" TEXT NOT NULL REFERENCES "actor"(id) DEFERRABLE INITIALLY DEFERRED,
            created_at TEXT NOT NULL,
            created_office TEXT NOT NULL,
            created_user TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_office TEXT NOT NULL,
            updated_user TEXT NOT NULL,
            version INTEGER NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX "prediction_party_prediction_id" ON "prediction_party"("prediction_id");
        CREATE INDEX "prediction_party_actor_id" ON "prediction_party"("actor_id");
        CREATE TABLE "prediction_provision" (
            id TEXT PRIMARY KEY NOT NULL,
            "prediction_id" TEXT NOT NULL REFERENCES "prediction"(id) DEFERRABLE INITIALLY DEFERRED,
            "provision_type" TEXT NOT NULL,
            created_at TEXT NOT NULL,
            created_office TEXT NOT NULL,
            created_user TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_office TEXT NOT NULL,
            updated_user TEXT NOT NULL,
            version INTEGER NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX "prediction_provision_prediction_id" ON "prediction_provision"("prediction_id");
        CREATE TABLE treaty_meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
        """
}
