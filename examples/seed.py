#!/usr/bin/env python3
"""Writes examples/seed.jsonl: the founding article's facts (../shared/seed/article.txt) as Treaty records.

Records refer to each other by symbolic keys here; each key becomes a stable id (a hash of the key in
Treaty's id alphabet), so regenerating the file gives the same ids. What the article does not say (its
date, its title, the memorandum's title and dates) is left out, never invented.

    python3 examples/seed.py > examples/seed.jsonl
"""
import hashlib
import json
import sys

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


def rid(key):
    digest = int.from_bytes(hashlib.sha256(("treaty-seed:" + key).encode()).digest(), "big")
    return "".join(ALPHABET[(digest >> (5 * i)) & 31] for i in range(20))


records = []


def add(record_type, key, **fields):
    record = {"type": record_type, "id": rid(key)}
    for name, value in fields.items():
        if value is None:
            continue
        record[name] = rid(value[1:]) if isinstance(value, str) and value.startswith("@") else value
    records.append(record)
    return key


def names(owner, *entries):
    for i, (name, kind, language) in enumerate(entries):
        add("name", f"{owner}/name{i}", owner_id="@" + owner, name=name, kind=kind, language=language)


# No office record: an office record admits that office, and an example office's key would be known to anyone who
# reads this file. Offices are admitted on purpose, with `treaty office add`.

# A provision type beyond the built-in vocabulary.
records.append({"type": "provision_type", "id": "cyber-defense", "label": "Cyber defence",
                "description": "Cooperation against cyber attacks on defence systems."})

# Sources: the article is an English text of a Modern.az report; no URL, title or date is given.
add("actor", "modern-az", kind="outlet", name="Modern.az")
add("source", "article", outlet_id="@modern-az", language="en",
    note="English text of a report quoting statements made to Modern.az; its URL, title and date are not given.")

# States, with ISO 3166 alpha-3, Correlates of War codes and Wikidata ids.
states = [
    ("aze", "Azərbaycan", "Azerbaijan", "AZE", 373, "Q227", "az"),
    ("tur", "Türkiye", "Turkey", "TUR", 640, "Q43", "tr"),
    ("kaz", "Қазақстан", "Kazakhstan", "KAZ", 705, "Q232", "kk"),
    ("kgz", "Кыргызстан", "Kyrgyzstan", "KGZ", 703, "Q813", "ky"),
    ("uzb", "Oʻzbekiston", "Uzbekistan", "UZB", 704, "Q265", "uz"),
    ("hun", "Magyarország", "Hungary", "HUN", 310, "Q28", "hu"),
    ("tkm", "Türkmenistan", "Turkmenistan", "TKM", 701, "Q874", "tk"),
    ("pak", "پاکستان", "Pakistan", "PAK", 770, "Q843", "ur"),
    ("gbr", "United Kingdom", "Great Britain", "GBR", 200, "Q145", "en"),
]
for key, native, english, iso3, cow, wikidata, lang in states:
    add("actor", key, kind="state", name=native, iso3=iso3, cow_code=cow, wikidata=wikidata)
    names(key, (english, "english", "en"))

# Organisations.
add("actor", "ots", kind="organization", name="Türk Dövlətləri Təşkilatı", founded="2009-10-03",
    note="Founded as the Cooperation Council of Turkic Speaking States by the Nakhchivan Agreement.")
names("ots", ("Organization of Turkic States", "english", "en"), ("OTS", "abbreviation", "en"),
      ("Türk Devletleri Teşkilatı", "native", "tr"))
add("actor", "nam", kind="organization", name="Non-Aligned Movement")
names("nam", ("NAM", "abbreviation", "en"))
add("actor", "un", kind="organization", name="United Nations")
names("un", ("UN", "abbreviation", "en"))
add("actor", "commonwealth", kind="organization", name="Commonwealth of Nations")
add("actor", "cis", kind="organization", name="Commonwealth of Independent States")
names("cis", ("CIS", "abbreviation", "en"))

# Azerbaijan's legislature, its committee, its president; the two defence ministries.
add("actor", "majlis", kind="legislature", name="Milli Məclis", parent_id="@aze")
names("majlis", ("Milli Majlis", "english", "en"))
add("actor", "committee", kind="committee", parent_id="@majlis",
    name="Milli Məclisin Müdafiə, təhlükəsizlik və korrupsiyaya qarşı mübarizə komitəsi")
names("committee", ("Milli Majlis Committee on Defense, Security and Anti-Corruption", "english", "en"))
add("actor", "president-aze", kind="executive", name="Azərbaycan Respublikasının Prezidenti", parent_id="@aze")
names("president-aze", ("President of the Republic of Azerbaijan", "english", "en"))
add("actor", "mod-aze", kind="ministry", name="Azərbaycan Respublikasının Müdafiə Nazirliyi", parent_id="@aze")
names("mod-aze", ("Ministry of Defence of Azerbaijan", "english", "en"))
add("actor", "mod-tur", kind="ministry", name="Millî Savunma Bakanlığı", parent_id="@tur")
names("mod-tur", ("Ministry of National Defence of Turkey", "english", "en"))

# Membership of states in organisations.
for key in ["aze", "tur", "kaz", "kgz"]:
    add("membership", f"{key}-in-ots", member_id="@" + key, organization_id="@ots", role="member")
add("membership", "uzb-in-ots", member_id="@uzb", organization_id="@ots", role="member", start="2019")
add("membership", "hun-in-ots", member_id="@hun", organization_id="@ots", role="observer", start="2018")
add("membership", "tkm-in-ots", member_id="@tkm", organization_id="@ots", role="observer", start="2021")
add("membership", "aze-in-nam", member_id="@aze", organization_id="@nam", role="member", start="2011",
    source_id="@article")

# People, in their native spelling, with the article's English spelling as another name.
people = [
    ("aliyev", "İlham Əliyev", "Ilham Aliyev"),
    ("nabiyev", "Rizvan Nəbiyev", "Rizvan Nabiyev"),
    ("mirzazade", "Aydın Mirzəzadə", "Aydin Mirzazade"),
    ("babaoglu", "Hikmət Babaoğlu", "Hikmat Babaoglu"),
    ("verdiyev", "Adalət Verdiyev", "Adalat Verdiyev"),
    ("khalilov", "Cəlil Xəlilov", "Jalil Khalilov"),
]
for key, native, english in people:
    add("person", key, name=native)
    names(key, (english, "english", "en"))
add("membership", "aliyev-president", member_id="@aliyev", organization_id="@aze", role="President",
    start="2003-10-31")
for key in ["nabiyev", "mirzazade", "babaoglu"]:
    add("membership", f"{key}-committee", member_id="@" + key, organization_id="@committee", role="member",
        source_id="@article")
for key in ["verdiyev", "khalilov"]:
    add("membership", f"{key}-expert", member_id="@" + key, role="military expert", source_id="@article")

# Events.
add("event", "gabala-summit", kind="summit", name="Qəbələ Summit of the Organization of Turkic States",
    theme="Regional Peace and Security", place="Qəbələ, Azerbaijan", start="2025", organizer_id="@ots",
    note="Security, defence industry and defence were on the OTS agenda for the first time (Nəbiyev).")
names("gabala-summit", ("Gabala summit", "english", "en"))
add("event", "turkic-exercises", kind="exercise", name="Joint military exercises of three Turkic states",
    place="Central Asia", note="Recalled by Aydın Mirzəzadə; the date and the three states are not given.")

# Agreements.
add("agreement", "sp2010", kind="agreement", text_status="unknown",
    title="Agreement on Strategic Partnership and Mutual Assistance between the Republic of Azerbaijan "
          "and the Republic of Turkey", source_id="@article")
add("agreement", "shusha", kind="declaration", place="Şuşa", text_status="public", source_id="@article",
    title="Shusha Declaration on Allied Relations between the Republic of Azerbaijan and the Republic of Turkey")
names("shusha", ("Şuşa Bəyannaməsi", "native", "az"), ("Shusha Declaration", "english", "en"))
add("agreement", "memo", kind="memorandum", text_status="unknown", source_id="@article",
    summary="Military memorandum of understanding between Azerbaijan and Turkey, agreed between the defence "
            "ministers: expansion of military security, joint exercises, defence industry and information "
            "exchange; military support to each other in case of armed aggression, under Article 51 of the "
            "UN Charter.")
for agreement in ["sp2010", "shusha", "memo"]:
    for state in ["aze", "tur"]:
        add("party", f"{agreement}-{state}", agreement_id="@" + agreement, actor_id="@" + state, role="party")

add("lifecycle_event", "sp2010-signed", agreement_id="@sp2010", kind="signed", date="2010-08-16",
    source_id="@article")
add("lifecycle_event", "shusha-signed", agreement_id="@shusha", kind="signed", date="2021-06-15",
    source_id="@article")
add("lifecycle_event", "memo-signed", agreement_id="@memo", kind="signed", source_id="@article",
    note="Agreed between the defence ministers; date not given.")
add("lifecycle_event", "memo-approved", agreement_id="@memo", kind="approved", party_id="@aze",
    actor_id="@majlis", source_id="@article",
    note="Approved by the Milli Majlis; enters into force after the President's decree. Date not given.")

coded = "seed (from the article)"
add("provision", "memo-defense", agreement_id="@memo", provision_type="defense", coded_by=coded, source_id="@article",
    condition="armed aggression against a party", legal_basis="UN Charter Article 51",
    excerpt="The parties must provide military support to each other in case of armed aggression.")
add("provision", "memo-consultation", agreement_id="@memo", provision_type="consultation", coded_by=coded,
    source_id="@article", condition="a threat to the territory of a party",
    excerpt="The two countries immediately begin consultations and agree on the scope, direction and form of "
            "the support to be provided (as described by Rizvan Nəbiyev).")
add("provision", "memo-exercises", agreement_id="@memo", provision_type="joint-exercises", coded_by=coded,
    source_id="@article", excerpt="Covers joint exercises.")
add("provision", "memo-industry", agreement_id="@memo", provision_type="defense-industry", coded_by=coded,
    source_id="@article", excerpt="Covers the defence industry.")
add("provision", "memo-information", agreement_id="@memo", provision_type="information-exchange", coded_by=coded,
    source_id="@article", excerpt="Covers information exchange.")
add("provision", "memo-classified", agreement_id="@memo", provision_type="classified-information", coded_by=coded,
    source_id="@article",
    excerpt="An obligation for one party to inform the other regarding confidential military information "
            "(as described by Hikmət Babaoğlu).")
add("provision", "shusha-defense", agreement_id="@shusha", provision_type="defense", coded_by=coded, source_id="@article",
    condition="a threat to the territory of a party",
    excerpt="Mutual assistance in the event of a threat to the territories of the countries.")
add("provision", "sp2010-defense", agreement_id="@sp2010", provision_type="defense", coded_by=coded,
    source_id="@article", excerpt="Mutual assistance (named in the title).")

add("relation", "memo-complements-shusha", from_id="@memo", kind="complements", to_id="@shusha",
    source_id="@article",
    note="Specifies the Shusha Declaration's mutual-assistance provisions at a military level.")
add("relation", "shusha-builds-on-sp2010", from_id="@shusha", kind="builds_on", to_id="@sp2010",
    note="Raises the 2010 strategic partnership to allied relations.")


def statement(key, speaker, role, text, about, mode="quote", stance=None, reports=None, reported=None):
    add("statement", key, speaker_id="@" + speaker, membership_id="@" + role, source_id="@article", text=text,
        mode=mode, language="en", stance=stance, reports_id=("@" + reports) if reports else None,
        reported_text=reported)
    for subject in about:
        add("about", f"{key}-about-{subject}", statement_id="@" + key, subject_id="@" + subject)


def prediction(key, statement_key, text, parties=(), provisions=(), kind=None, probability=None, by=None):
    add("prediction", key, statement_id="@" + statement_key, text=text, agreement_kind=kind,
        probability=probability, probability_by="analyst" if probability is not None else None, outcome="open")
    for party in parties:
        add("prediction_party", f"{key}-{party}", prediction_id="@" + key, actor_id="@" + party)
    for slug in provisions:
        add("prediction_provision", f"{key}-{slug}", prediction_id="@" + key, provision_type=slug)


statement("nabiyev-gabala", "nabiyev", "nabiyev-committee",
          "At the Gabala summit of the Organization of Turkic States, at Azerbaijan's suggestion, issues related "
          "to security, defense industry, and defense were brought to the agenda for the first time in the "
          "organization's history. ... This precisely served as a green light and foundation for establishing "
          "cooperation or deepening areas of cooperation around this topic.",
          ["memo", "gabala-summit", "shusha", "sp2010"], stance="supportive")
statement("nabiyev-uzbekistan", "nabiyev", "nabiyev-committee",
          "This document, signed between Azerbaijan and Turkey, and the previous one, can serve as an excellent "
          "basis for cooperation among individual Turkic states in both bilateral and multilateral formats. "
          "That is, such a document could be signed tomorrow by Azerbaijan-Turkey and Uzbekistan together, or "
          "by Azerbaijan and Uzbekistan jointly.",
          ["memo", "uzb"], stance="supportive")
prediction("nabiyev-uzb-deal", "nabiyev-uzbekistan",
           "A similar mutual-assistance document will be signed with Uzbekistan, with or without Turkey.",
           parties=["aze", "uzb"], provisions=["defense"])
statement("mirzazade-nam", "mirzazade", "mirzazade-committee",
          "Azerbaijan is a member of the Non-Aligned Movement. This means that Azerbaijan cannot join any "
          "military bloc. However, this does not exclude bilateral military cooperation with other countries. "
          "... If the time comes, it is possible to sign such agreements with Turkic countries as well.",
          ["nam", "shusha", "ots"], stance="supportive")
prediction("mirzazade-turkic-deals", "mirzazade-nam",
           "Bilateral agreements like the Shusha Declaration will be signed with other Turkic states.",
           parties=["aze"], provisions=["defense"])
statement("babaoglu-decree", "babaoglu", "babaoglu-committee",
          "The memorandum agreed upon between the defense ministers of Turkey and Azerbaijan was approved by "
          "the Milli Majlis and will enter into force after the decree of the President of Azerbaijan. ... It "
          "creates an obligation for one party to inform the other regarding confidential military information.",
          ["memo", "shusha"], stance="supportive")
prediction("babaoglu-in-force", "babaoglu-decree",
           "The memorandum will enter into force after the President of Azerbaijan's decree.",
           parties=["aze", "tur"], kind="memorandum")
statement("babaoglu-exercises", "babaoglu", "babaoglu-committee",
          "At the summit of Turkic States held in Gabala in 2025, President Ilham Aliyev called for joint "
          "military exercises of the armies of OTS member countries. Undoubtedly, the next stage may lead to "
          "the signing of similar agreements with other Turkic states as well.",
          ["gabala-summit", "ots", "aliyev"], reports="aliyev",
          reported="Called for joint military exercises of the armies of OTS member countries.")
prediction("babaoglu-next-stage", "babaoglu-exercises",
           "The next stage may lead to similar agreements with other Turkic states.",
           parties=["aze"], provisions=["defense"])
statement("verdiyev-complements", "verdiyev", "verdiyev-expert",
          "Naturally, the latest military memorandum signed between Azerbaijan and Turkey envisages activities "
          "aimed at a more detailed implementation of the tasks arising from the Shusha Declaration. In other "
          "words, this military memorandum should be regarded as a document complementing the Shusha "
          "Declaration.", ["memo", "shusha"], stance="supportive")
statement("verdiyev-ots", "verdiyev", "verdiyev-expert",
          "It is likely that in the near future, such documents may be signed with other countries and, "
          "consequently, among OTS countries in general. ... It is likely that in the coming years, we will "
          "observe the signing of such documents with other countries as well.", ["memo", "ots"],
          stance="supportive")
prediction("verdiyev-ots-deals", "verdiyev-ots",
           "Similar documents will be signed with other OTS member countries in the coming years.",
           parties=["aze"], provisions=["defense"], probability=0.7)
statement("khalilov-bilateral", "khalilov", "khalilov-expert",
          "In light of global processes, including Azerbaijan's goal of strengthening its military readiness, "
          "this cooperation with Turkey and Pakistan can take on an even larger scale.",
          ["tur", "pak"], stance="supportive")
statement("khalilov-kazakhstan", "khalilov", "khalilov-expert",
          "Military memorandums can be signed with Uzbekistan, as well as with other Turkic states. Relations "
          "between the naval forces of Kazakhstan and Azerbaijan are strengthening; this can further develop.",
          ["uzb", "kaz"], mode="paraphrase", stance="supportive")
prediction("khalilov-uzb-memo", "khalilov-kazakhstan",
           "A military memorandum will be signed between Azerbaijan and Uzbekistan.",
           parties=["aze", "uzb"], kind="memorandum")

for record in records:
    sys.stdout.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
