"""The seed fixtures: every item of the source document, worded as in it, cited, and consistent.

The source is an IOM presentation, "Current Priorities in Intergovernmental Dialogues on Labour
Migration" (New York, 3 October 2008), followed by a list of related document titles. The tables
below are copied from it, typos included ("countries or origin", "duals gains", "devert").
"""

import datetime
import io
import json
import re
from pathlib import Path

from django.core.management import call_command
from django.db.models import Count

from tracker import services
from tracker.models import (
    Actor,
    Document,
    FollowUpAction,
    Forum,
    FrameworkObjective,
    Process,
    ProgressUpdate,
    Recommendation,
    RecommendationLink,
    Roundtable,
    Theme,
)

FIXTURES_DIR = Path(__file__).resolve().parent.parent / "fixtures"
FIXTURE_FILES = sorted(str(path) for path in FIXTURES_DIR.glob("*.json"))
PRESENTATION_TITLE = "Current Priorities in Intergovernmental Dialogues on Labour Migration"

# Every recommendation, outcome, finding and key message of the source, by its stable code.
SEED_ITEMS = (
    (
        "GCIM-2005-FND-01",
        "International community has failed to recognize the full potential of migration (developmental impacts)",
    ),
    ("GCIM-2005-FND-02", "Migration is driven by three differentials (development, demography and democracy)"),
    ("GCIM-2005-FND-03", "Need for greater coherence, capacity and cooperation to manage migration"),
    ("GCIM-2005-FND-04", "States will continue to be the key actors"),
    ("GCIM-2005-FND-05", "Regional cooperation is a building block for migration management"),
    ("GCIM-2005-FND-06", "Need for an Interagency Global Migration Facility?"),
    (
        "HLD-2006-OUT-01",
        "A unique opportunity for States to discuss migration issues in a spirit of constructive cooperation",
    ),
    ("HLD-2006-OUT-02", "Explicit recognition of the link between migration and development"),
    ("HLD-2006-OUT-03", "Strong commitment to further examine and operationalize the migration/development"),
    ("HLD-2006-OUT-04", "Consensus on follow-up to the HLD in the United Nations"),
    (
        "HLD-2006-OUT-05",
        "Support for the creation of a separate States-driven Global Forum on Migration and Development "
        "(GFMD) outside the United Nations",
    ),
    ("GFMD-2007-RT1-01", "Establish a matrix of good practices"),
    ("GFMD-2007-RT1-02", "Develop codes of ethical recruitment"),
    ("GFMD-2007-RT1-03", "Undertake a feasibility study on financial intermediation service"),
    ("GFMD-2007-RT1-04", "Establish migrant resource centres"),
    ("GFMD-2007-RT1-05", "Develop a seasonal workers model (e.g., Guatemala/Canada)"),
    ("GFMD-2007-RT1-06", "Organize a workshop on circular migration"),
    ("GFMD-2007-RT2-01", "Facilitate and economize remittance flows"),
    ("GFMD-2007-RT2-02", "Promote public-private partnership"),
    ("GFMD-2007-RT2-03", "Set up intermediary structure for investment in remittances"),
    (
        "GFMD-2007-RT2-04",
        "Promote economic and social opportunities for diasporas in development of their home countries",
    ),
    ("GFMD-2007-RT3-01", "Include migration in national development plan"),
    ("GFMD-2007-RT3-02", "Capacity-building to manage migration"),
    ("GFMD-2007-RT3-03", "Greater sharing of information"),
    ("GFMD-2007-RT3-04", "Strengthen representation"),
    ("GFMD-2007-RT4-01", "Ensure protection and non-discriminatory treatment"),
    ("GFMD-2007-RT4-02", "Empower migrants"),
    ("GFMD-2007-RT4-03", "Fight against human trafficking"),
    ("GFMD-2007-RT4-04", "Gender sensitive programs in migration"),
    (
        "GFMD-2007-OUT-01",
        "Laid the foundation for an ongoing States-led dialogue and partnership on migration and development",
    ),
    ("GFMD-2007-OUT-02", "Created a space for achieving longer-term understanding and shared visions on migration"),
    (
        "GFMD-2007-OUT-03",
        "Fostered better understanding of existing good practice and areas where improvements need to be pursued",
    ),
    (
        "GFMD-2007-OUT-04",
        "Encouraged some participants to partner bilaterally on ideas (e.g., circular labour migration "
        "projects) first aired at the Forum",
    ),
    ("EC-CM-2008-KM-01", "CM benefiting the migrants"),
    ("EC-CM-2008-KM-02", "CM as a tool for duals gains benefiting labour markets in both source and host countries"),
    ("EC-CM-2008-KM-03", "CM as tool to alleviate brain drain"),
    ("EC-CM-2008-KM-04", "Facilitating CM through diaspora engagement"),
    (
        "EXP-LM-RP-01",
        "Migration management should be considered a co-responsibility of countries or origin, transit and destination",
    ),
    (
        "EXP-LM-RP-02",
        "Governments have the core responsibility of implementing/enforcing migrants rights even if other "
        "actors have a role to play in ensuring protection (e.g. recruitment agencies, NGOs, migrants)",
    ),
    ("EXP-LM-RP-03", "More oversight on the private sectors (i.e. recruitment agencies) is needed"),
    (
        "EXP-LM-RP-04",
        "Recruitment agencies from countries of origin and destination should collaborate more, and ensure "
        "clarity on how recruitment process is handled",
    ),
    ("EXP-LM-RP-05", "Protection gaps exist both for irregular and legal migrants"),
    ("EXP-LM-PG-01", "Migration is not gender neutral it has different implications for men and women"),
    (
        "EXP-LM-PG-02",
        "Mainstreaming gender into migration policy allows to identify when gender specific programmes and "
        "policy are needed ( e.g. domestic workers mainly female, construction workers mainly men)",
    ),
    ("EXP-LM-PG-03", "Government should dedicate resources to exploring the gender dimension of migration"),
    ("EXP-LM-PG-04", "Important to examine how migration can empower women, but also men"),
    (
        "EXP-LM-PD-01",
        "Since HLD, migration is seen as a potential driver to development, but need to look at concepts "
        "of development used and continue to carry on research to accumulate evidence (winners/losers)",
    ),
    ("EXP-LM-PD-02", "Development efforts should not be put on the sole shoulder of migrants or countries of origin"),
    (
        "EXP-LM-PD-03",
        "Countries of destination can assist migrants in their reintegration process (upgrading of skills, etc)",
    ),
    (
        "EXP-LM-PD-04",
        "Migration option should not devert countries of origin from their effort of creating job "
        "opportunities locally, migration should be a choice",
    ),
    (
        "EXP-LM-PD-05",
        "Need more policy coherence in the field of migration in order to maximize the development "
        "benefits of migration At global institutional level At country level ( Ministry of finance, "
        "health, labour, trade,etc)",
    ),
    ("EXP-LM-PD-06", "Need more international cooperation/dialogue at all level"),
)

SIMILAR_DOCUMENT_TITLES = (
    "The HLD. The 2013 United Nations General Assembly High-Level Dialogue on International Migration and Development",
    "Issue paper for Session 3",
    "THEME CONCEPT PAPER. Partnerships for migration and human development: shared prosperity shared responsibility",
    "Multilateral Framework for Cooperation on Migration and Development.",
    "Original: English 23 October 2006 NINETY-SECOND SESSION INTERNATIONAL DIALOGUE ON MIGRATION 2006",
    "Sri Lanka National Consultation on the Global Forum on Migration and Development",
    "COMMISSION OF THE EUROPEAN COMMUNITIES COMMUNICATION FROM THE COMMISSION TO THE COUNCIL",
    "Bern, 19 September 2017",
    "Extraordinary Meeting of the Arab Regional Consultative Process on Migration and Refugee Affairs (ARCP)",
    "EU input to the UN Secretary-General's report on the Global Compact for Safe, Orderly and Regular Migration",
    "Inter-state Consultation Mechanisms on Migration and the Global Compact for Safe, Orderly and Regular Migration",
    (
        "SEMINAR REPORT UNITAR MIGRATION AND DEVELOPMENT SERIES 1 : BUILDING PARTNERSHIPS organized "
        "jointly with UNFPA, IOM and the MacArthur Foundation"
    ),
    "MECHELEN DECLARATION ON CITIES AND MIGRATION",
    "8 November 2017 Ju2017/05987/EMA. Ministry of Justice Division for Migration and Asylum Policy",
    (
        "Economic Cycles, Demographic Change and Migration. International Dialogue on Migration "
        "Intersessional workshop, Geneva, September 2011"
    ),
    (
        "Dialogue #2: Partnerships and innovative initiatives for the way forward Intergovernmental "
        "Conference, 11 December 2018 Marrakech, Morocco"
    ),
    "SPAIN S PERSPECTIVE ON MIGRATION & DEVELOPMENT: MIGRATION POLICIES",
    (
        "International Dialogue on Migration Inter-sessional Workshop on Developing Capacity to Manage "
        "Migration SEPTEMBER 2005"
    ),
    "GFMD 2012 MAURITIUS T H E G F M D",
    "EEF.DEL/3/09 19 January 2009",
    "Summary of key messages",
    "Global Expert Meeting on Migration in the Post-2015 Development Agenda",
    "Enhancing the Development Potential of Return Migration Republic of Moldova - country experience",
    "Asia-Pacific Regional Preparatory Meeting for the Global Compact for Safe, Orderly and Regular Migration",
    (
        "MC/INF/267. Original: English 6 November 2003 EIGHTY-SIXTH SESSION WORKSHOPS FOR POLICY MAKERS: "
        "BACKGROUND DOCUMENT LABOUR MIGRATION"
    ),
    (
        "INFORMAL CONSULTATIONS OF THE IOM COUNCIL STEERING GROUP. Original: English Geneva, 12 June 2007 "
        "INTERNATIONAL DIALOGUE ON MIGRATION 2007"
    ),
    "Partnership on Migrants Health :",
    (
        "The Berne Initiative. Managing International Migration through International Cooperation: The "
        "International Agenda for Migration Management"
    ),
    "The challenge of migration management. Choice. Model of economic development. Growth",
    (
        "An Integrated, Prosperous and Peaceful Africa. Executive Summary Migration Policy Framework for "
        "Africa and Plan of Action ( )"
    ),
    (
        "COMMUNICATION FROM THE COMMISSION TO THE EUROPEAN PARLIAMENT, THE COUNCIL, THE EUROPEAN ECONOMIC "
        "AND SOCIAL COMMITTEE AND THE COMMITTEE OF THE REGIONS"
    ),
    "Legal Aspects of the Global Compact",
    "Side event on the Global Compact on Migration",
    "Global Approach to Migration and Mobility (GAMM)",
    "Chairperson s Summary of the High-level Dialogue on International Migration and Development",
    "International Organization for Migration (IOM)",
    "Briefing on the Work Programme of the Population Division: International Migration and Development",
    "Global Migration Group (GMG) Task Force on Migration and Decent Work. Terms of Reference (as at 24 March 2016)",
    "Economic Migration: managing labour migration in the 21 st Century",
    (
        "GENERAL SECRETARIAT FOR GENDER EQUALITY. Presentation to the Seminar on. Gender-Sensitive Labour "
        "Migration Policies. Brdo, February 2009"
    ),
    "========== On behalf of the European Union. 96th session of the IOM Council",
    (
        "Almaty Process. Introducing the Almaty Process - Theme: [slide 2] Key facts of the Almaty "
        "Process: [slide 3] Key Areas of [slide 4]"
    ),
    "Migration Trends in Southern Africa Critical Management Challenges",
    "EIGHTY-SIXTH SESSION WORKSHOPS FOR POLICY MAKERS: REPORT CAPACITY-BUILDING IN MIGRATION MANAGEMENT",
    "Concept Paper 20 March 2017",
    "UN/POP/MIG-10CM/2012/02 3 February 2012",
    (
        "MC/INF/293. Return Migration: Challenges and Opportunities. Original: English 10 November 2008 "
        "NINETY-SIXTH SESSION"
    ),
    "Migration and Development Policy coherence",
    "SOUTH ASIA LABOUR CONFERENCE Lahore, Pakistan. By Enrico Ponziani",
    (
        "TOWARDS THE HLD 2013 Working Session 5 IOM CSO Annual Consultation 25 th October Our "
        "Role/Activities in Preparations for the HLD 2013"
    ),
    (
        "This High-level Dialogue is taking place at an important moment in time. needed to obtain a "
        "clearer picture of the way migration and development"
    ),
    (
        "Workshop Title: Migration Management: Sharing Experiences between Europe and Thailand. Banyan "
        "Tree Hotel, Bangkok (13-14 June 2012)"
    ),
    "The Global Compact on Migration at the 10 th GFMD Summit Meeting",
    (
        "The International Organization for Migration (IOM) is pleased to join this discussion on "
        "international migration and development."
    ),
    (
        "JOINT DECLARATION ON A MOBILITY PARTNERSHIP BETWEEN THE REPUBLIC OF AZERBAIJAN AND THE EUROPEAN "
        "UNION AND ITS PARTICIPATING MEMBER STATES"
    ),
    (
        "Cooperation Strategies among States to Address Irregular Migration: Shared Responsibility to "
        "Promote Human Development"
    ),
    "Economic and Social Council",
    (
        "Seventh Global Meeting of Chairs and Secretariats of Regional, Inter-regional and Global "
        "Consultative Processes on Migration (GRCP 7)"
    ),
    "New Trends in Migration",
    "Cooperation on International Migration",
    (
        "Statement by Sweden. United Nations General Assembly Informal Thematic Debate on International "
        "Migration and Development 19 May 2011, New York"
    ),
    "COUNCIL OF THE EUROPEAN UNION. Brussels, 21 September /09 ASIM 93 RELEX 808",
    (
        "International Conference on Mobility and Inclusion Highly-skilled Labour Migration in Europe "
        "Berlin, February 2010"
    ),
    "Cooperation Project on the Social Integration of Immigrants, Migration, and the Movement of Persons",
    "Handbook on Establishing Effective Labour Migration Policies in Countries of Origin and Destination",
    "Mayoral Forum On Mobility, Migration & Development",
    "RIGHTS, LABOUR MIGRATION AND DEVELOPMENT: THE ILO APPROACH",
    "Managing Migration for Development: Policymaking, Assessment and Evaluation",
    "a) Chair: Turkey Contact person: Mr. Berlan Pars Alan, Head of Migration Department, Ministry of Foreign Affairs",
    "HARNESSING THE CONTRIBUTIONS OF TRANSNATIONAL COMMUNITIES AND DIASPORAS",
    "Synergies between Migration and Development. Policies and programs: Moldova",
    (
        "UN Secretary-General s report on. the Global compact for safe, orderly and regular migration. "
        "Inputs of the International Labour Organization"
    ),
    "Resolution concerning fair and effective labour migration governance 1",
    "The International Platform on Health Worker Mobility",
    "Multi-stakeholder responses in migration health",
    "International Migration and Development Initiative (IMDI) Labour Mobility for Development",
    (
        "Exchange Visit to Measures to Address Return and Reintegration of Migrants Returned from the EU "
        "France, Netherlands & Belgium October 2016"
    ),
    "International Migration and Development: Implications for Africa",
    "CONTRIBUTION TO THE THIRTEENTH COORDINATION MEETING ON INTERNATIONAL MIGRATION 1. Sisters of Notre Dame de Namur",
    "Migration policy of Morocco: The role of international cooperation",
    "Re. Resolution A/RES/67/172 on the Protection of migrants",
    "(7) AFRICA-EU PARTNERSHIP MIGRATION, MOBILITY AND EMPLOYMENT",
    "PHILIPPINES. Side Event. Addressing Irregular Labor Migration in the GCC AM Meeting Room E, UNCC 8 November 2017",
    "Introduction. Civil Society Stocktaking",
    "Iván Martín Migration Policy Centre, European University Institute (EUI, Florence)",
    (
        "International Dialogue on Migration (IDM) 2016 Assessing progress in the implementation of the "
        "migration-related SDGs"
    ),
    (
        "Ministerial Consultation On Overseas Employment and Contractual Labour for Countries of Origin "
        "and Destination in Asia"
    ),
    "Moroccan position on the Global Compact for safe, orderly and regular Migration",
    "ISTANBUL MINISTERIAL DECLARATION on A Silk Routes Partnership for Migration",
    "-Concluding Statement- Colombo, Sri Lanka",
    "Preparatory (stocktaking) meeting 4-6 December 2017, Puerto Vallarta, Jalisco, Mexico. Concept note",
    "MiGRATION GOVERNANCE FRAMEWORK",
    "Ministry of Labour, Social Affairs and Equal Opportunities",
    "REMARKS William Lacy Swing Director General, International Organization for Migration",
    "EU MIGRATION POLICY AND LABOUR FORCE SURVEY ACTIVITIES FOR POLICYMAKING. European Commission",
    (
        "Workshop on strengthening the collection and use of international migration data for development "
        "(Addis Ababa, Ethiopia: November 2014) Lesotho"
    ),
    "Quezon City, September 2016",
    "High-level Breakfast Meeting on Decent Work and Fair Labour Migration",
    "Workshop on Regional Consultative Processes April 2005, Geneva",
    "113th ASSEMBLY OF THE INTER-PARLIAMENTARY UNION AND RELATED MEETINGS Geneva,",
)

KIND_BY_CODE_PART = {"FND": "finding", "OUT": "outcome", "KM": "key_message", "RT": "recommendation"}

BRUSSELS_ROUNDTABLES = (
    ("1", "gfmd-2007-rt1", "Human capital development and labour mobility"),
    ("2", "gfmd-2007-rt2", "Remittances and other diaspora resources"),
    ("3", "gfmd-2007-rt3", "Enhancing policy and institutional coherence and promoting partnership"),
    ("4", "gfmd-2007-rt4", "Cross-cutting issues: root causes of migration, human rights and gender"),
)

# code, slug, title, parent code
MANILA_ROUNDTABLES = (
    ("1", "gfmd-2008-rt1", "Migration, Development and Human Rights", None),
    ("1.a", "gfmd-2008-rt1a", "Protecting the rights of the migrants a shared responsibility", "1"),
    ("1.b", "gfmd-2008-rt1b", "Empowering migrants and diasporas to contribute to development", "1"),
    ("2", "gfmd-2008-rt2", "Secure, legal migration can achieve stronger development impacts", None),
    ("2.a", "gfmd-2008-rt2a", "Fostering more opportunities for legal migration", "2"),
    ("2.b", "gfmd-2008-rt2b", "Managing migration and minimizing the negative impacts of irregular migration", "2"),
    ("3", "gfmd-2008-rt3", "Policy and Institutional Coherence and Partnership", None),
    ("3.a", "gfmd-2008-rt3a", "Strengthening data and research tools on migration and development", "3"),
    ("3.b", "gfmd-2008-rt3b", "Policy and institutional coherence on migration and development within Government", "3"),
    ("3.c", "gfmd-2008-rt3c", "Regional consultative processes at the interface of migration and development", "3"),
)

# Symbols and dates that the listed titles themselves give.
DOCUMENT_SYMBOLS = {
    "MC/INF/267": datetime.date(2003, 11, 6),
    "MC/INF/293": datetime.date(2008, 11, 10),
    "EEF.DEL/3/09": datetime.date(2009, 1, 19),
    "UN/POP/MIG-10CM/2012/02": datetime.date(2012, 2, 3),
    "Ju2017/05987/EMA": datetime.date(2017, 11, 8),
    "A/60/871": datetime.date(2006, 5, 18),
}

SDG_MIGRATION_TARGETS = {"10.7", "10.c", "8.8", "5.2", "8.7", "16.2", "17.18", "3.c", "4.b", "16.9"}

# The only items the source itself gives evidence of progress for.
EVIDENCED_STATUS = {
    "GFMD-2007-RT1-06": ("implemented", datetime.date(2008, 9, 9), "european-commission"),
    "HLD-2006-OUT-05": ("implemented", datetime.date(2007, 7, 11), "belgium"),
}


def codes_starting(prefix):
    return [code for code, _ in SEED_ITEMS if code.startswith(prefix)]


def texts_of(queryset):
    return list(queryset.order_by("order").values_list("code", "text"))


def expected(prefix):
    return [(code, text) for code, text in SEED_ITEMS if code.startswith(prefix)]


def dump_tracker_tables():
    out = io.StringIO()
    # The data version and the cache scopes (tracker/http/cache.py) are cache keys, not data: they
    # differ between databases.
    exclude = ["tracker.dataversion", "tracker.cachescope"]
    call_command("dumpdata", "tracker", exclude=exclude, format="json", stdout=out)
    # Sync bookkeeping (tracker.models.sync): which write came last, and when; loading writes again.
    rows = json.loads(out.getvalue())
    for row in rows:
        row["fields"].pop("change_key", None)
        row["fields"].pop("updated_at", None)
    return rows


def test_fixture_files_are_split_by_what_they_hold():
    assert [Path(path).name for path in FIXTURE_FILES] == [
        "01_reference.json",
        "02_framework_objectives.json",
        "03_recommendations.json",
        "04_progress.json",
    ]


def test_every_seed_item_is_present_with_its_exact_wording(seed):
    stored = dict(Recommendation.objects.values_list("code", "text"))
    assert stored == dict(SEED_ITEMS)
    assert len(SEED_ITEMS) == 52


def test_the_source_typos_are_kept(seed):
    texts = " ".join(Recommendation.objects.values_list("text", flat=True))
    for typo in ("countries or origin", "duals gains", "devert", "trade,etc"):
        assert typo in texts


def test_codes_are_stable_uppercase_and_name_their_kind(seed):
    for code, kind in Recommendation.objects.values_list("code", "kind"):
        assert re.fullmatch(r"[A-Z0-9]+(-[A-Z0-9]+)+-\d{2}", code), code
        part = code.split("-")[-2]
        expected_kind = next((k for key, k in KIND_BY_CODE_PART.items() if part.startswith(key)), "key_message")
        assert kind == expected_kind, code


def test_brussels_forum_has_four_roundtables_eighteen_recommendations_and_four_outcomes(seed):
    forum = Forum.objects.get(slug="gfmd-2007-brussels")
    assert (forum.start_date, forum.end_date) == (datetime.date(2007, 7, 9), datetime.date(2007, 7, 11))
    assert (forum.city, forum.country, forum.host) == ("Brussels", "Belgium", "Government of Belgium")
    assert "Chatham House Rules" in forum.format
    assert "civil society event is held in parallel" in forum.notes
    roundtables = forum.roundtables.order_by("order")
    assert [(rt.code, rt.slug, rt.title) for rt in roundtables] == list(BRUSSELS_ROUNDTABLES)
    assert all(rt.parent_id is None for rt in roundtables)
    recommendations = forum.recommendations.filter(kind=Recommendation.Kind.RECOMMENDATION)
    outcomes = forum.recommendations.filter(kind=Recommendation.Kind.OUTCOME)
    assert recommendations.count() == 18
    assert outcomes.count() == 4
    assert dict(
        recommendations.values("roundtable__code").annotate(n=Count("id")).values_list("roundtable__code", "n")
    ) == {
        "1": 6,
        "2": 4,
        "3": 4,
        "4": 4,
    }
    for code, slug, _title in BRUSSELS_ROUNDTABLES:
        rt = roundtables.get(code=code)
        assert texts_of(rt.recommendations.all()) == expected(f"GFMD-2007-RT{code}-"), slug
    assert texts_of(outcomes) == expected("GFMD-2007-OUT-")
    assert not outcomes.filter(roundtable__isnull=False).exists()


def test_manila_forum_has_three_roundtables_with_seven_sub_sessions(seed):
    forum = Forum.objects.get(slug="gfmd-2008-manila")
    assert (forum.start_date, forum.end_date) == (datetime.date(2008, 10, 27), datetime.date(2008, 10, 30))
    assert (forum.city, forum.country) == ("Manila", "Philippines")
    assert forum.theme == "Protecting and empowering migrants for development"
    assert "Civil Society Event (27-28 Oct)" in forum.format
    assert "Government Event (29-30 Oct)" in forum.format
    roundtables = forum.roundtables.select_related("parent").order_by("order")
    assert [(rt.code, rt.slug, rt.title, rt.parent.code if rt.parent else None) for rt in roundtables] == list(
        MANILA_ROUNDTABLES
    )
    assert roundtables.filter(parent__isnull=True).count() == 3
    assert roundtables.filter(parent__isnull=False).count() == 7
    assert all(rt.parent.forum_id == forum.pk for rt in roundtables if rt.parent)


def test_hld_has_its_dates_the_sg_report_and_five_outcomes(seed):
    forum = Forum.objects.get(slug="hld-2006")
    assert forum.process.slug == "hld"
    assert (forum.start_date, forum.end_date) == (datetime.date(2006, 9, 14), datetime.date(2006, 9, 15))
    assert forum.city == "New York"
    assert "General Assembly" in forum.host
    assert forum.documents.filter(symbol="A/60/871").exists()
    outcomes = forum.recommendations.all()
    assert set(outcomes.values_list("kind", flat=True)) == {"outcome"}
    assert texts_of(outcomes) == expected("HLD-2006-OUT-")


def test_gcim_report_has_its_commission_facts_and_six_findings(seed):
    forum = Forum.objects.get(slug="gcim-2005-report")
    assert "Migration in an Interconnected World: New Directions for Action" in forum.title
    assert (forum.start_date.year, forum.start_date.month) == (2005, 10)
    assert "2003" in forum.notes
    assert "19 independent Commissioners" in forum.notes
    report = forum.documents.get(title="Migration in an Interconnected World: New Directions for Action")
    assert (report.date.year, report.date.month) == (2005, 10)
    findings = forum.recommendations.all()
    assert set(findings.values_list("kind", flat=True)) == {"finding"}
    assert texts_of(findings) == expected("GCIM-2005-FND-")


def test_mauritius_workshop_has_its_dates_host_and_four_key_messages(seed):
    forum = Forum.objects.get(slug="ec-2008-mauritius-circular-migration")
    assert forum.title == "Workshop on Creating Development Benefits through Circular Migration"
    assert forum.process.slug == "circular-migration-workshops"
    assert (forum.start_date, forum.end_date) == (datetime.date(2008, 9, 8), datetime.date(2008, 9, 9))
    assert (forum.country, forum.host) == ("Mauritius", "European Commission")
    messages = forum.recommendations.all()
    assert set(messages.values_list("kind", flat=True)) == {"key_message"}
    assert texts_of(messages) == expected("EC-CM-2008-KM-")


def test_expert_meeting_has_three_sections_with_every_point_verbatim(seed):
    forum = Forum.objects.get(slug="expert-meeting-labour-migration")
    assert forum.title == "Expert Meeting labour migration: protection, gender and development"
    assert forum.start_date is None and forum.end_date is None
    sections = {"RP": "rights and protection", "PG": "protection and gender", "PD": "protection and development"}
    assert sorted(forum.roundtables.values_list("code", flat=True)) == sorted(sections)
    for code, topic in sections.items():
        section = forum.roundtables.get(code=code)
        assert section.title.lower().endswith(topic)
        assert texts_of(section.recommendations.all()) == expected(f"EXP-LM-{code}-")
    assert forum.recommendations.count() == 15
    assert set(forum.recommendations.values_list("kind", flat=True)) == {"key_message"}


def test_processes_are_present_with_their_kinds_and_descriptions(seed):
    kinds = dict(Process.objects.values_list("slug", "kind"))
    assert kinds == {
        "gcim": "commission",
        "hld": "high_level_dialogue",
        "gfmd": "global_forum",
        "gats-mode-4": "trade_framework",
        "circular-migration-workshops": "workshop",
        "expert-meetings": "expert_meeting",
    }
    gfmd = Process.objects.get(slug="gfmd").description
    for phrase in (
        "A States-driven, non-binding and informal intergovernmental consultative process",
        "Participation in the Global Forum is open to all UN member States on a voluntary basis",
        "Forum meets once a year for an interactive and practice-related dialogue",
        "Forum is held under Chatham House Rules",
        "A civil society event is held in parallel to the Forum itself",
    ):
        assert phrase in gfmd
    gats = Process.objects.get(slug="gats-mode-4").description
    assert "by a service supplier of one member, through the presence of natural persons of a member" in gats
    assert "Temporary Mode 4 Entry for specific purpose (not in labour market)" in gats


def test_actors_named_by_the_source_exist_with_their_kinds(seed):
    kinds = dict(Actor.objects.values_list("slug", "kind"))
    assert kinds == {
        "belgium": "government",
        "philippines": "government",
        "guatemala": "government",
        "canada": "government",
        "governments": "government",
        "european-commission": "intergovernmental",
        "iom": "intergovernmental",
        "united-nations": "intergovernmental",
        "gcim": "other",
        "gfmd": "secretariat",
    }
    assert set(Actor.objects.exclude(country_code="").values_list("country_code", flat=True)) == {
        "BE",
        "PH",
        "GT",
        "CA",
    }


def test_responsible_actors_are_set_only_where_the_source_names_them(seed):
    with_actors = {
        rec.code: sorted(a.slug for a in rec.actors.all())
        for rec in Recommendation.objects.prefetch_related("actors")
        if rec.actors.all()
    }
    assert with_actors == {"EXP-LM-RP-02": ["governments"], "EXP-LM-PG-03": ["governments"]}


def test_every_recommendation_cites_the_iom_presentation_with_a_locator(seed):
    presentation = Document.objects.get(title=PRESENTATION_TITLE)
    assert presentation.date == datetime.date(2008, 10, 3)
    assert "IOM" in presentation.publisher
    assert not Recommendation.objects.exclude(source_document=presentation).exists()
    assert not Recommendation.objects.filter(source_locator="").exists()
    assert Recommendation.objects.get(code="GFMD-2007-RT1-01").source_locator == (
        "slide: First Global Forum Brussels, 9-11 July 2007 (Roundtable 1. Human capital development and labour "
        "mobility)"
    )
    assert all(forum.documents.filter(pk=presentation.pk).exists() for forum in Forum.objects.all())


def test_every_similar_document_title_from_the_seed_exists(seed):
    assert len(SIMILAR_DOCUMENT_TITLES) == 100
    titles = set(Document.objects.values_list("title", flat=True))
    missing = [title for title in SIMILAR_DOCUMENT_TITLES if title not in titles]
    assert missing == []
    # The seed's list, the presentation itself, the GCIM report and the SG report A/60/871.
    assert Document.objects.count() == 103


def test_documents_carry_symbols_and_dates_only_where_the_titles_give_them(seed):
    assert dict(Document.objects.exclude(symbol="").values_list("symbol", "date")) == DOCUMENT_SYMBOLS
    listed = Document.objects.filter(title__in=SIMILAR_DOCUMENT_TITLES)
    for document in listed.exclude(date=None):
        day = str(document.date.day)
        assert day in document.title and str(document.date.year) in document.title, document.title
    assert listed.get(title="Economic and Social Council").date is None


def test_framework_has_the_23_gcm_objectives_and_the_sdg_migration_targets(seed):
    gcm = FrameworkObjective.objects.filter(framework="gcm").order_by("order")
    assert [o.number for o in gcm] == [str(n) for n in range(1, 24)]
    assert [o.slug for o in gcm] == [f"gcm-{n}" for n in range(1, 24)]
    assert gcm.get(number="6").title == (
        "Facilitate fair and ethical recruitment and safeguard conditions that ensure decent work"
    )
    assert gcm.get(number="23").title == (
        "Strengthen international cooperation and global partnerships for safe, orderly and regular migration"
    )
    sdg = FrameworkObjective.objects.filter(framework="sdg")
    assert set(sdg.values_list("number", flat=True)) >= SDG_MIGRATION_TARGETS
    assert sdg.get(number="10.7").title == (
        "Facilitate orderly, safe, regular and responsible migration and mobility of people, including through "
        "the implementation of planned and well-managed migration policies"
    )
    assert all(0 < len(title) <= 400 for title in FrameworkObjective.objects.values_list("title", flat=True))


def test_recommendations_are_tagged_with_themes_and_framework_objectives(seed):
    counts = Recommendation.objects.annotate(
        themes_n=Count("themes", distinct=True), objectives_n=Count("objectives", distinct=True)
    )
    assert not counts.filter(themes_n=0).exists()
    assert not counts.filter(objectives_n=0).exists()
    recruitment = Recommendation.objects.get(code="GFMD-2007-RT1-02")
    assert recruitment.text == "Develop codes of ethical recruitment"
    assert "recruitment" in set(recruitment.themes.values_list("slug", flat=True))
    assert {"gcm-6", "sdg-10-7"} <= set(recruitment.objectives.values_list("slug", flat=True))
    trafficking = Recommendation.objects.get(code="GFMD-2007-RT4-03")
    assert "trafficking" in set(trafficking.themes.values_list("slug", flat=True))
    assert "gcm-10" in set(trafficking.objectives.values_list("slug", flat=True))
    remittances = Recommendation.objects.get(code="GFMD-2007-RT2-01")
    assert {"gcm-20", "sdg-10-c"} <= set(remittances.objectives.values_list("slug", flat=True))
    assert Theme.objects.filter(recommendations__isnull=True).count() == 0


def test_stored_status_equals_the_status_derived_from_approved_updates(seed):
    derived = dict(
        Recommendation.objects.with_effective_status(as_of=datetime.date.today()).values_list(
            "code", "effective_status"
        )
    )
    stored = dict(Recommendation.objects.values_list("code", "status"))
    assert stored == derived
    # What the status service would store is what the fixtures store: nothing to refresh.
    for recommendation in Recommendation.objects.all():
        assert services._refresh_current_status(recommendation, None) is False, recommendation.code


def test_only_items_with_evidence_in_the_source_have_a_status(seed):
    with_status = Recommendation.objects.exclude(status=Recommendation.Status.NO_INFORMATION)
    assert {
        rec.code: (rec.status, rec.status_date, rec.updates.get().actor.slug) for rec in with_status
    } == EVIDENCED_STATUS
    no_information = Recommendation.objects.filter(status=Recommendation.Status.NO_INFORMATION)
    assert no_information.count() == len(SEED_ITEMS) - len(EVIDENCED_STATUS)
    assert not no_information.filter(updates__isnull=False).exists()
    assert not no_information.exclude(status_date=None).exists()
    assert not no_information.exclude(status_changed_at=None).exists()


def test_progress_updates_are_approved_dated_and_cite_the_source(seed):
    presentation = Document.objects.get(title=PRESENTATION_TITLE)
    recorded = datetime.datetime(2008, 10, 3, tzinfo=datetime.UTC)
    updates = ProgressUpdate.objects.select_related("recommendation")
    assert updates.count() == 2
    for update in updates:
        assert update.review_state == ProgressUpdate.ReviewState.APPROVED
        assert update.recorded_by is None and update.reviewed_by is None
        assert update.recorded_at == recorded and update.reviewed_at == recorded
        assert update.source_document == presentation
        assert update.summary.strip()
        assert update.recommendation.status_changed_at == update.recorded_at
    circular = updates.get(recommendation__code="GFMD-2007-RT1-06")
    assert "Mauritius" in circular.summary
    gfmd = updates.get(recommendation__code="HLD-2006-OUT-05")
    assert "Belgium" in gfmd.summary and "Brussels" in gfmd.summary


def test_follow_up_actions_trace_requests_to_the_forums_that_acted_on_them(seed):
    actions = {
        (action.recommendation.code, action.forum.slug, action.date)
        for action in FollowUpAction.objects.select_related("recommendation", "forum")
    }
    assert actions == {
        ("GFMD-2007-RT1-06", "ec-2008-mauritius-circular-migration", datetime.date(2008, 9, 8)),
        ("HLD-2006-OUT-05", "gfmd-2007-brussels", datetime.date(2007, 7, 9)),
    }


def test_links_point_from_the_later_recommendation_to_the_earlier_one_with_a_reason(seed):
    links = RecommendationLink.objects.select_related("from_recommendation__forum", "to_recommendation__forum")
    assert links.count() == 7
    assert links.filter(
        from_recommendation__code="EXP-LM-RP-03", kind="refines", to_recommendation__code="GFMD-2007-RT1-02"
    ).exists()
    assert links.filter(
        from_recommendation__code="EXP-LM-PD-05",
        kind="follows_up",
        to_recommendation__code__startswith="GFMD-2007-RT3-",
    ).exists()
    for link in links:
        assert link.note.strip(), link
        later, earlier = link.from_recommendation.forum, link.to_recommendation.forum
        assert later != earlier
        assert earlier.start_date is not None
        # The expert meeting is undated; it is presented after the 2008 forums.
        assert later.start_date is None or later.start_date > earlier.start_date, link


def test_every_loaded_row_passes_model_validation(seed):
    for model in (Document, Process, Forum, Roundtable, Actor, Theme, FrameworkObjective, Recommendation):
        for obj in model.objects.all():
            obj.full_clean()
    for obj in RecommendationLink.objects.all():
        obj.full_clean()
    for obj in FollowUpAction.objects.all():
        obj.full_clean()
    for obj in ProgressUpdate.objects.all():
        obj.full_clean()
    for recommendation in Recommendation.objects.all():
        assert recommendation.version == 1
        # updated_at is when the row last changed in this database (tracker.models.sync): the load.
        assert recommendation.updated_at >= recommendation.created_at


def test_loading_twice_gives_identical_table_contents(seed):
    first = dump_tracker_tables()
    call_command("loaddata", *FIXTURE_FILES, verbosity=0)
    assert dump_tracker_tables() == first
    # Fixtures load raw: no history rows are invented.
    assert Recommendation.history.count() == 0
    assert ProgressUpdate.history.count() == 0
