"""What the demo data is made of: the prefixes that mark it, its dates, and the processes, cities,
actors, themes, objectives, words and status transitions it draws from, with their weights."""

import datetime

from tracker.models import Actor, Process, Recommendation, Status

CODE_PREFIX = "DEMO-"
SLUG_PREFIX = "demo-"
# Everything happens before this date, so a seed gives the same rows whatever day it runs.
END_DATE = datetime.date(2025, 6, 30)
FIRST_YEAR, LAST_YEAR = 2003, 2024
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


PROCESSES = [
    ("gcim", "GCIM", "Synthetic commission on international migration", Process.Kind.COMMISSION),
    ("hld", "HLD", "Synthetic high-level dialogue on migration and development", Process.Kind.HIGH_LEVEL_DIALOGUE),
    ("gfmd", "GFMD", "Synthetic global forum on migration and development", Process.Kind.GLOBAL_FORUM),
    ("gats", "GATS-4", "Synthetic trade framework on the movement of natural persons", Process.Kind.TRADE_FRAMEWORK),
    ("circular", "CMW", "Synthetic workshops on circular migration", Process.Kind.WORKSHOP),
    ("expert", "EGM", "Synthetic expert group meetings", Process.Kind.EXPERT_MEETING),
    ("budapest", "BP", "Synthetic Budapest-style regional process", Process.Kind.REGIONAL_CONSULTATIVE_PROCESS),
    ("colombo", "CP", "Synthetic Colombo-style regional process", Process.Kind.REGIONAL_CONSULTATIVE_PROCESS),
    ("puebla", "RCM", "Synthetic Puebla-style regional process", Process.Kind.REGIONAL_CONSULTATIVE_PROCESS),
]

CITIES = [
    ("Brussels", "Belgium"),
    ("Manila", "Philippines"),
    ("Athens", "Greece"),
    ("Puerto Vallarta", "Mexico"),
    ("Geneva", "Switzerland"),
    ("New York", "United States"),
    ("Port Louis", "Mauritius"),
    ("Dhaka", "Bangladesh"),
    ("Stockholm", "Sweden"),
    ("Istanbul", "Türkiye"),
    ("Marrakesh", "Morocco"),
    ("Quito", "Ecuador"),
    ("Berlin", "Germany"),
    ("Abu Dhabi", "United Arab Emirates"),
    ("Colombo", "Sri Lanka"),
    ("Budapest", "Hungary"),
    ("Dakar", "Senegal"),
    ("Bangkok", "Thailand"),
]

GOVERNMENTS = [
    ("AR", "Argentina"), ("AU", "Australia"), ("BD", "Bangladesh"), ("BE", "Belgium"), ("BR", "Brazil"),
    ("CA", "Canada"), ("CN", "China"), ("CO", "Colombia"), ("DE", "Germany"), ("EC", "Ecuador"),
    ("EG", "Egypt"), ("ES", "Spain"), ("ET", "Ethiopia"), ("FR", "France"), ("GB", "United Kingdom"),
    ("GH", "Ghana"), ("GR", "Greece"), ("GT", "Guatemala"), ("ID", "Indonesia"), ("IN", "India"),
    ("IT", "Italy"), ("JM", "Jamaica"), ("JP", "Japan"), ("KE", "Kenya"), ("KR", "Republic of Korea"),
    ("LK", "Sri Lanka"), ("MA", "Morocco"), ("MD", "Republic of Moldova"), ("ML", "Mali"), ("MU", "Mauritius"),
    ("MX", "Mexico"), ("NG", "Nigeria"), ("NL", "Netherlands"), ("NP", "Nepal"), ("PH", "Philippines"),
    ("PK", "Pakistan"), ("PL", "Poland"), ("PT", "Portugal"), ("SE", "Sweden"), ("SN", "Senegal"),
    ("SV", "El Salvador"), ("TH", "Thailand"), ("TN", "Tunisia"), ("TR", "Türkiye"), ("AE", "United Arab Emirates"),
    ("UG", "Uganda"), ("US", "United States"), ("VN", "Viet Nam"), ("ZA", "South Africa"), ("ZW", "Zimbabwe"),
]  # fmt: skip

ORGANISATIONS = [
    ("iom", "International Organization for Migration", Actor.Kind.INTERGOVERNMENTAL),
    ("ilo", "International Labour Organization", Actor.Kind.INTERGOVERNMENTAL),
    ("unhcr", "UN Refugee Agency", Actor.Kind.INTERGOVERNMENTAL),
    ("undp", "UN Development Programme", Actor.Kind.INTERGOVERNMENTAL),
    ("unfpa", "UN Population Fund", Actor.Kind.INTERGOVERNMENTAL),
    ("worldbank", "World Bank", Actor.Kind.INTERGOVERNMENTAL),
    ("oecd", "OECD", Actor.Kind.INTERGOVERNMENTAL),
    ("ec", "European Commission", Actor.Kind.INTERGOVERNMENTAL),
    ("secretariat", "Forum secretariat", Actor.Kind.SECRETARIAT),
    ("civil-society-days", "Civil society days coordinating office", Actor.Kind.CIVIL_SOCIETY),
    ("migrant-rights-network", "Migrant rights network", Actor.Kind.CIVIL_SOCIETY),
    ("diaspora-alliance", "Diaspora development alliance", Actor.Kind.CIVIL_SOCIETY),
    ("employers-federation", "International employers' federation", Actor.Kind.OTHER),
]

THEMES = [
    "Labour mobility",
    "Remittances",
    "Diaspora",
    "Human rights",
    "Gender",
    "Trafficking",
    "Circular migration",
    "Data and research",
    "Policy coherence",
    "Recruitment",
]

GCM_OBJECTIVES = [
    "Collect and utilize accurate and disaggregated data as a basis for evidence-based policies",
    "Minimize the adverse drivers and structural factors that compel people to leave their country of origin",
    "Provide accurate and timely information at all stages of migration",
    "Ensure that all migrants have proof of legal identity and adequate documentation",
    "Enhance availability and flexibility of pathways for regular migration",
    "Facilitate fair and ethical recruitment and safeguard conditions that ensure decent work",
    "Address and reduce vulnerabilities in migration",
    "Save lives and establish coordinated international efforts on missing migrants",
    "Strengthen the transnational response to smuggling of migrants",
    "Prevent, combat and eradicate trafficking in persons in the context of international migration",
    "Manage borders in an integrated, secure and coordinated manner",
    "Strengthen certainty and predictability in migration procedures",
    "Use migration detention only as a measure of last resort and work towards alternatives",
    "Enhance consular protection, assistance and cooperation throughout the migration cycle",
    "Provide access to basic services for migrants",
    "Empower migrants and societies to realize full inclusion and social cohesion",
    "Eliminate all forms of discrimination and promote evidence-based public discourse",
    "Invest in skills development and facilitate mutual recognition of skills",
    "Create conditions for migrants and diasporas to fully contribute to sustainable development",
    "Promote faster, safer and cheaper transfer of remittances and foster financial inclusion",
    "Cooperate in facilitating safe and dignified return and readmission, and sustainable reintegration",
    "Establish mechanisms for the portability of social security entitlements and earned benefits",
    "Strengthen international cooperation and global partnerships for safe, orderly and regular migration",
]
SDG_TARGETS = [
    ("10.7", "Facilitate orderly, safe, regular and responsible migration and mobility of people"),
    ("10.c", "Reduce to less than 3 per cent the transaction costs of migrant remittances"),
    ("8.8", "Protect labour rights and promote safe working environments for all workers, including migrants"),
    ("5.2", "Eliminate all forms of violence against all women and girls, including trafficking"),
    ("16.2", "End abuse, exploitation, trafficking and all forms of violence against children"),
    ("17.18", "Increase the availability of data disaggregated by migratory status"),
]

VERBS = [
    "Develop",
    "Establish",
    "Strengthen",
    "Promote",
    "Support",
    "Review",
    "Expand",
    "Facilitate",
    "Harmonise",
    "Improve",
    "Pilot",
    "Evaluate",
]
OBJECTS = [
    "codes of ethical recruitment",
    "migrant resource centres",
    "bilateral labour agreements",
    "the portability of social security benefits",
    "lower-cost channels for remittance transfers",
    "diaspora investment and knowledge-transfer schemes",
    "the collection and sharing of data on migration flows",
    "pre-departure orientation programmes",
    "circular migration schemes",
    "return and reintegration support",
    "the mutual recognition of skills and qualifications",
    "the protection of migrant domestic workers",
    "coherence between migration and development policies",
    "cooperation against trafficking in persons",
    "gender-sensitive migration policies",
    "migrants' access to health services",
    "financial literacy training for migrants and their families",
    "labour market information systems",
]
QUALIFIERS = [
    "in countries of origin and destination",
    "with the participation of civil society",
    "through regional consultative processes",
    "in partnership with the private sector",
    "drawing on lessons from pilot projects",
    "with particular attention to women migrants",
    "with support from international organisations",
    "and report on progress at the next meeting",
    "within existing resources",
    "on the basis of evidence from household surveys",
]

SUMMARIES = {
    Status.NOT_STARTED: [
        "No action reported yet; the responsible ministry has noted the recommendation.",
        "Discussed at an inter-ministerial meeting; no programme has been designed.",
        "Funding has not been identified; work is not expected to start this year.",
    ],
    Status.IN_PROGRESS: [
        "A working group has been set up and met twice.",
        "Terms of reference adopted; consultations with social partners under way.",
        "A pilot project started in two regions.",
        "Draft legislation submitted to parliament.",
    ],
    Status.PARTIALLY_IMPLEMENTED: [
        "The programme runs in some provinces; national roll-out pending.",
        "Half of the planned measures are in force.",
        "Implemented for one corridor; other corridors under negotiation.",
    ],
    Status.IMPLEMENTED: [
        "The measure is in force nationwide and has been evaluated.",
        "Agreement signed and ratified; first cohort completed.",
        "Fully implemented, as confirmed by the independent review.",
    ],
    Status.STALLED: [
        "Work halted after a change of government.",
        "No progress since the last report; funding ended.",
        "Negotiations suspended by one party.",
    ],
    Status.SUPERSEDED: [
        "Replaced by a later recommendation of the same process.",
        "Overtaken by the adoption of a regional framework.",
    ],
}

# Status of an update, given the previous one: (next statuses, cumulative weights).
FIRST_STATUS = ([Status.NOT_STARTED, Status.IN_PROGRESS, Status.PARTIALLY_IMPLEMENTED], [40, 90, 100])
TRANSITIONS = {
    Status.NOT_STARTED: ([Status.NOT_STARTED, Status.IN_PROGRESS, Status.STALLED], [40, 90, 100]),
    Status.IN_PROGRESS: (
        [Status.IN_PROGRESS, Status.PARTIALLY_IMPLEMENTED, Status.STALLED, Status.SUPERSEDED],
        [45, 80, 97, 100],
    ),
    Status.PARTIALLY_IMPLEMENTED: (
        [Status.PARTIALLY_IMPLEMENTED, Status.IMPLEMENTED, Status.STALLED, Status.IN_PROGRESS],
        [40, 80, 92, 100],
    ),
    Status.IMPLEMENTED: ([Status.IMPLEMENTED, Status.PARTIALLY_IMPLEMENTED], [92, 100]),
    Status.STALLED: ([Status.STALLED, Status.IN_PROGRESS, Status.NOT_STARTED], [50, 90, 100]),
    Status.SUPERSEDED: ([Status.SUPERSEDED], [100]),
}
KINDS = (
    [
        Recommendation.Kind.RECOMMENDATION,
        Recommendation.Kind.OUTCOME,
        Recommendation.Kind.KEY_MESSAGE,
        Recommendation.Kind.FINDING,
    ],
    [70, 80, 92, 100],
)
