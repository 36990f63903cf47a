"""Benchmark the answering core on synthetic catalogs of 1k, 10k and 100k meetings.

Run: .venv/bin/python -m bench.answering [--sizes 1000,10000,100000] [--questions 300]

For each size a child process writes a fresh SQLite catalog (bulk inserts through the SQLModel
tables) and a question list with the true answers. Every meeting gets a news-like title and a
summary of 300-600 characters (who met whom with their titles, where and when, the issues, and
what the participants said about things that no issue names), written from fixed vocabularies
by a seeded generator, so an index over titles and summaries is measured at full size. The
questions mix names, titles, pairs, issues, years, typos and unknown people with topics in
words that only summaries use ("meetings about locust swarms") and words no vocabulary knows
("hi, who hosted Kazov?"). A second child process, which has read nothing yet, asks the
questions with one session and reports the first question's time (it builds the index),
p50/p95/p99/max answer times and its peak memory. Each size runs in its own processes so sizes
never share memory. A last step times a one-off `python -m bot ask` on the seeds in a fresh
data directory. Everything is printed as markdown tables.

This is a measurement, not a test: nothing here fails on a slow machine.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import gc
import itertools
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 28)
SEED = 20261128
FIRST_DAY = dt.date(2000, 1, 1).toordinal()
LAST_DAY = dt.date(2026, 11, 27).toordinal()
CLI_QUESTION = "who met the OSCE PA president?"
CLI_BUDGET_S = 1.5
CATALOG_VERSION = 2  # in --workdir names: a catalog written by an older bench is not reused

# ----- vocabularies -------------------------------------------------------------------------


def _words(text: str, sep: str | None = None) -> tuple[str, ...]:
    """Split a word list written as one string (easier to read and edit than a tuple)."""
    return tuple(text.split(sep))


# (country, capital, another city): 100 countries, 200 cities.
COUNTRIES: tuple[tuple[str, str, str], ...] = (
    ("Azerbaijan", "Baku", "Ganja"), ("Kazakhstan", "Astana", "Almaty"),
    ("Uzbekistan", "Tashkent", "Samarkand"), ("Kyrgyzstan", "Bishkek", "Osh"),
    ("Tajikistan", "Dushanbe", "Khujand"), ("Turkmenistan", "Ashgabat", "Turkmenbashi"),
    ("Georgia", "Tbilisi", "Batumi"), ("Armenia", "Yerevan", "Gyumri"),
    ("Turkey", "Ankara", "Istanbul"), ("Russia", "Moscow", "Saint Petersburg"),
    ("Ukraine", "Kyiv", "Lviv"), ("Belarus", "Minsk", "Brest"), ("Moldova", "Chisinau", "Balti"),
    ("Romania", "Bucharest", "Cluj-Napoca"), ("Bulgaria", "Sofia", "Plovdiv"),
    ("Serbia", "Belgrade", "Novi Sad"), ("Croatia", "Zagreb", "Split"),
    ("Slovenia", "Ljubljana", "Maribor"), ("Hungary", "Budapest", "Debrecen"),
    ("Slovakia", "Bratislava", "Kosice"), ("Czech Republic", "Prague", "Brno"),
    ("Poland", "Warsaw", "Krakow"), ("Lithuania", "Vilnius", "Kaunas"),
    ("Latvia", "Riga", "Daugavpils"), ("Estonia", "Tallinn", "Tartu"),
    ("Finland", "Helsinki", "Turku"), ("Sweden", "Stockholm", "Gothenburg"),
    ("Norway", "Oslo", "Bergen"), ("Denmark", "Copenhagen", "Aarhus"),
    ("Iceland", "Reykjavik", "Akureyri"), ("Germany", "Berlin", "Munich"),
    ("Austria", "Vienna", "Salzburg"), ("Switzerland", "Bern", "Geneva"),
    ("France", "Paris", "Lyon"), ("Belgium", "Brussels", "Antwerp"),
    ("Netherlands", "Amsterdam", "Rotterdam"), ("Luxembourg", "Luxembourg", "Esch-sur-Alzette"),
    ("United Kingdom", "London", "Edinburgh"), ("Ireland", "Dublin", "Cork"),
    ("Spain", "Madrid", "Barcelona"), ("Portugal", "Lisbon", "Porto"),
    ("Italy", "Rome", "Milan"), ("Greece", "Athens", "Thessaloniki"),
    ("Cyprus", "Nicosia", "Limassol"), ("Malta", "Valletta", "Sliema"),
    ("Albania", "Tirana", "Durres"), ("North Macedonia", "Skopje", "Ohrid"),
    ("Montenegro", "Podgorica", "Budva"), ("Bosnia and Herzegovina", "Sarajevo", "Mostar"),
    ("Israel", "Jerusalem", "Tel Aviv"), ("Jordan", "Amman", "Aqaba"),
    ("Egypt", "Cairo", "Alexandria"), ("Saudi Arabia", "Riyadh", "Jeddah"),
    ("United Arab Emirates", "Abu Dhabi", "Dubai"), ("Qatar", "Doha", "Al Wakrah"),
    ("Kuwait", "Kuwait City", "Al Ahmadi"), ("Oman", "Muscat", "Salalah"),
    ("Iran", "Tehran", "Isfahan"), ("Iraq", "Baghdad", "Basra"),
    ("Pakistan", "Islamabad", "Karachi"), ("India", "New Delhi", "Mumbai"),
    ("China", "Beijing", "Shanghai"), ("Japan", "Tokyo", "Osaka"),
    ("South Korea", "Seoul", "Busan"), ("Mongolia", "Ulaanbaatar", "Darkhan"),
    ("Vietnam", "Hanoi", "Ho Chi Minh City"), ("Thailand", "Bangkok", "Chiang Mai"),
    ("Malaysia", "Kuala Lumpur", "Penang"), ("Indonesia", "Jakarta", "Surabaya"),
    ("Philippines", "Manila", "Cebu"), ("Singapore", "Singapore", "Jurong"),
    ("Australia", "Canberra", "Sydney"), ("New Zealand", "Wellington", "Auckland"),
    ("Canada", "Ottawa", "Toronto"), ("United States", "Washington", "New York"),
    ("Mexico", "Mexico City", "Guadalajara"), ("Brazil", "Brasilia", "Sao Paulo"),
    ("Argentina", "Buenos Aires", "Cordoba"), ("Chile", "Santiago", "Valparaiso"),
    ("Peru", "Lima", "Cusco"), ("Colombia", "Bogota", "Medellin"),
    ("Cuba", "Havana", "Santiago de Cuba"), ("South Africa", "Pretoria", "Cape Town"),
    ("Nigeria", "Abuja", "Lagos"), ("Kenya", "Nairobi", "Mombasa"),
    ("Ethiopia", "Addis Ababa", "Dire Dawa"), ("Morocco", "Rabat", "Casablanca"),
    ("Algeria", "Algiers", "Oran"), ("Tunisia", "Tunis", "Sfax"), ("Ghana", "Accra", "Kumasi"),
    ("Senegal", "Dakar", "Saint-Louis"), ("Tanzania", "Dodoma", "Dar es Salaam"),
    ("Uganda", "Kampala", "Entebbe"), ("Rwanda", "Kigali", "Huye"),
    ("Angola", "Luanda", "Benguela"), ("Afghanistan", "Kabul", "Herat"),
    ("Bangladesh", "Dhaka", "Chittagong"), ("Sri Lanka", "Colombo", "Kandy"),
    ("Nepal", "Kathmandu", "Pokhara"), ("Lebanon", "Beirut", "Tripoli"),
    ("Syria", "Damascus", "Aleppo"), ("Libya", "Tripoli", "Benghazi"),
)  # fmt: skip
NATIONAL_ORG_COUNTRIES = 70  # the first 70 countries get four national bodies each

# (name, acronym) of international bodies.
INTERNATIONAL: tuple[tuple[str, str], ...] = (
    ("OSCE Parliamentary Assembly", "OSCE PA"),
    ("Parliamentary Assembly of the Council of Europe", "PACE"),
    ("United Nations", "UN"), ("International Committee of the Red Cross", "ICRC"),
    ("North Atlantic Treaty Organization", "NATO"), ("European Commission", "EC"),
    ("Shanghai Cooperation Organisation", "SCO"), ("Commonwealth of Independent States", "CIS"),
    ("Collective Security Treaty Organization", "CSTO"),
    ("Organization of Islamic Cooperation", "OIC"), ("African Union Commission", "AUC"),
    ("Association of Southeast Asian Nations", "ASEAN"),
    ("International Atomic Energy Agency", "IAEA"), ("World Health Organization", "WHO"),
    ("World Trade Organization", "WTO"), ("International Monetary Fund", "IMF"),
    ("World Bank Group", "WBG"), ("European Bank for Reconstruction and Development", "EBRD"),
    ("Asian Development Bank", "ADB"),
    ("Office of the UN High Commissioner for Refugees", "UNHCR"),
    ("United Nations Children's Fund", "UNICEF"), ("Organization of Turkic States", "OTS"),
    ("Conference on Interaction and Confidence-Building Measures in Asia", "CICA"),
    ("Gulf Cooperation Council", "GCC"), ("League of Arab States", "Arab League"),
    ("Inter-Parliamentary Union", "IPU"), ("International Organization for Migration", "IOM"),
    ("European Parliament", "EP"), ("Council of Europe", "CoE"),
    ("Organization for Security and Co-operation in Europe", "OSCE"),
)  # fmt: skip

# Role templates per kind of body; {c} is the country, {o} the organisation's full name.
# Each role has phrasings a reader would type ({a} is the acronym).
NATIONAL_ROLES: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "Ministry of Foreign Affairs of {c}": (
        ("Minister of Foreign Affairs of {c}",
         ("the foreign minister of {c}", "{c}'s foreign minister",
          "the minister of foreign affairs of {c}")),
        ("Deputy Minister of Foreign Affairs of {c}", ("the deputy foreign minister of {c}",)),
    ),
    "Parliament of {c}": (
        ("Speaker of the Parliament of {c}",
         ("the speaker of the parliament of {c}", "the {c} parliament speaker")),
        ("Deputy Speaker of the Parliament of {c}", ("the deputy speaker of the {c} parliament",)),
    ),
    "Government of {c}": (
        ("Prime Minister of {c}", ("the prime minister of {c}", "{c}'s prime minister")),
        ("Deputy Prime Minister of {c}", ("the deputy prime minister of {c}",)),
    ),
    "Presidency of {c}": (
        ("President of {c}", ("the president of {c}", "{c}'s president")),
        ("Head of the Presidential Administration of {c}",
         ("the head of the presidential administration of {c}",)),
    ),
}  # fmt: skip
INTERNATIONAL_ROLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Secretary-General of the {o}",
     ("the {a} secretary-general", "the secretary-general of the {o}")),
    ("President of the {o}", ("the {a} president", "the president of the {o}")),
    ("Deputy Secretary-General of the {o}", ("the deputy secretary-general of the {a}",)),
    ("Special Representative of the {o}", ("the {a} special representative",)),
)  # fmt: skip

FIRST_NAMES = _words(
    "Ali Pia Maria Ivan Anna Mehmet Elena John Sergei Fatima Ahmed Olga Peter Laura Hassan Irina "
    "David Sofia Omar Nina Michael Aigerim Rustam Leyla Jean Marie Giorgi Nino Karim Aisha Thomas "
    "Eva Daniel Hana Murat Zeynep Pavel Katarina Stefan Ana Luis Carmen Kenji Yuki Wei Arman Dana "
    "Bakhyt Gulnara Timur Madina Viktor Tatiana Andrei Natalia Emil Ilham Mirjana Rik Annita "
    "Moussa Antonio Kassym Nursultan Ruslan Maia Heidi Lars Ingrid Jose Rosa Francesco Giulia "
    "Nikos Eleni Sanjay Priya Abdullah Noor Samuel Grace Kwame Amina Joao Beatriz Hamid Parisa "
    "Erik Sara Oleksandr Iryna Mihai Ioana Tomas Jana Arturs Liga"
)
SYLLABLES = _words(
    "ka ra mo zu be no ta shi vo dar gul men tor san kir bek lan mar vin sor tel dor ash ris gan "
    "hol pet nik zar lu fe go hi ja ke ly pa ru so ve bra dre gri kle pro sta tri zhu"
)
ENDINGS = _words("ov ev yan escu ski son ini ez adze uly enko ic berg an ar el o a is")
# Names that are surely not in any catalog: other syllables, other endings.
UNKNOWN_SYLLABLES = _words("qua xin wex yorb zib pruf glom trav blen quo vix wub")
UNKNOWN_ENDINGS = _words("worth bridge ham ley ton field")
# Spelling variants a transliteration produces (Latin to Latin).
TRANSLIT = (
    ("ov", "off"), ("ev", "iev"), ("yan", "ian"), ("ski", "sky"), ("sh", "sch"), ("zh", "j"),
    ("y", "i"), ("u", "ou"), ("ic", "ich"), ("ks", "x"), ("dze", "dse"), ("uly", "uli"),
)  # fmt: skip
CYRILLIC = (
    ("shch", "щ"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("ch", "ч"), ("sh", "ш"), ("ya", "я"),
    ("yu", "ю"), ("a", "а"), ("b", "б"), ("v", "в"), ("g", "г"), ("d", "д"), ("e", "е"),
    ("z", "з"), ("i", "и"), ("y", "ы"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"),
    ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"), ("f", "ф"),
    ("h", "х"), ("c", "к"), ("j", "дж"), ("w", "в"), ("x", "кс"), ("q", "к"),
)  # fmt: skip

COOPERATION_DOMAINS = _words(
    "trade, energy, security, defence, education, health, transport, agriculture, tourism, "
    "cultural, scientific, digital, water, environmental, humanitarian, migration, border, "
    "customs, financial, banking, industrial, space, nuclear safety, cyber security, "
    "parliamentary, judicial, police, military-technical, media, sports",
    ", ",
)
TOPICS = _words(
    "climate change, nuclear disarmament, non-proliferation, mine contamination, missing persons, "
    "hostages, refugees, prisoners of war, peace process, ceasefire, sanctions, food security, "
    "energy security, gas supplies, oil prices, pipeline construction, renewable energy, green "
    "hydrogen, critical minerals, regional security, border delimitation, water resources, "
    "Caspian Sea status, Aral Sea, drug trafficking, human trafficking, organised crime, money "
    "laundering, corruption, rule of law, human rights, freedom of the press, election "
    "observation, constitutional reform, judicial reform, minority rights, gender equality, "
    "youth policy, pandemic response, vaccine supplies, pension reform, labour migration, visa "
    "liberalisation, air connectivity, railway links, Middle Corridor, North-South corridor, "
    "port development, free trade agreement, WTO accession, EU accession, NATO membership, "
    "investment protection, double taxation, export controls, debt relief, development aid, "
    "humanitarian aid, reconstruction, disaster relief, earthquake relief, flood response, "
    "desertification, biodiversity, fisheries, grain exports, fertiliser supplies, cybercrime, "
    "artificial intelligence, e-government, satellite launches, arms control, arms supplies, "
    "military exercises, peacekeeping, extremism, religious freedom, interfaith dialogue, "
    "cultural heritage, Olympic Games, student exchanges, university partnerships, nuclear power "
    "plant construction, uranium supplies, hydropower, electricity interconnection, LNG "
    "terminals, emissions reduction, Paris Agreement, sustainable development goals, poverty "
    "reduction, refugee return, diaspora affairs, consular affairs, visa-free travel, direct "
    "flights, trade turnover, joint ventures, industrial parks, special economic zones, "
    "transboundary rivers, Afghanistan stability, Black Sea security, Arctic research, maritime "
    "security, piracy, disinformation, hybrid threats, South Caucasus security, Karabakh, "
    "Ukraine war, Gaza, Syria settlement, Iran nuclear programme, Korean Peninsula, Sahel "
    "security, Red Sea shipping, COVID-19, OSCE chairmanship, UN Security Council reform",
    ", ",
)
ISSUES = tuple(dict.fromkeys([*(f"{d} cooperation" for d in COOPERATION_DOMAINS), *TOPICS]))[:150]
ISSUE_ALIASES = {
    "mine contamination": ["landmines", "demining"],
    "climate change": ["global warming"],
    "refugees": ["displaced persons"],
    "artificial intelligence": ["AI"],
    "corruption": ["graft"],
    "sanctions": ["restrictive measures"],
    "COVID-19": ["coronavirus", "pandemic"],
    "Karabakh": ["Nagorno-Karabakh"],
    "arms control": ["arms limitation"],
    "hostages": ["captives"],
}

# What summaries talk about besides the issues. These subjects' words are in no issue, alias,
# name, place, title or sentence template, or mostly not (SUMMARY_ONLY below is computed, not
# assumed), so a question about one ("meetings about locust swarms") can only be answered from
# the summaries. A starred word is also asked about alone ("meetings about desalination").
STARRED_SUBJECTS = _words(
    "*desalination plants, *locust swarms, *glacier monitoring, *mudflow warnings, "
    "*wheat harvests, *cotton growers, textile mills, dairy imports, veterinary inspections, "
    "seed vaults, *irrigation canals, *beekeeping, fish hatcheries, *wildfire brigades, "
    "*avalanche shelters, *landslide mapping, seismic sensors, weather radars, wind farms, "
    "rooftop *photovoltaics, battery *recycling, *copper smelters, *lithium deposits, "
    "*steel tariffs, container depots, ferry services, *tramways, motorway tolls, bridge repairs, "
    "tunnel boring, *broadband cables, postal services, mobile *roaming, *chess olympiads, "
    "*wrestling championships, film festivals, museum loans, archaeological *excavations, "
    "manuscript digitisation, orchestra tours, language courses, teacher training, "
    "*scholarships, vocational colleges, *orphanages, maternity clinics, *cancer screening, "
    "*tuberculosis, *measles vaccination, blood donation, ambulance fleets, "
    "*prosthetics workshops, housing loans, *microcredit, *remittances, mortgage rates, "
    "*inflation, currency swaps, sovereign bonds, bourse listings, *insurance markets, "
    "*cadastre registries, *parole hearings, juvenile courts, forensic laboratories, "
    "passport fraud, *smuggling, cattle rustling, *poaching, snow leopards, *saiga antelopes, "
    "*wetlands, plastic waste, *sewage treatment, *pilgrimages, *demobilisation, "
    "unexploded ordnance, *checkpoints, *curfews, evacuation routes, mountain rescue, "
    "bread prices, *sugar shortages, fuel queues, heating season, *coal mines, thermal springs, "
    "ski resorts, cruise liners, *silk weaving, carpet makers, apricot orchards, "
    "hazelnut growers, tea plantations, rice paddies, *wool processing, *halal certification, "
    "startup incubators, software *outsourcing, server farms, *semiconductors, drone deliveries, "
    "*telescopes, polar expeditions, *icebreakers, *shipyards, naval drills, *coastguards, "
    "*lighthouses",
    ", ",
)
SUMMARY_SUBJECTS = tuple(s.replace("*", "") for s in STARRED_SUBJECTS)
# Verb phrases that take a subject ("X stressed the importance of wind farms in Osh").
SUBJECT_VERBS = _words(
    "stressed the importance of, raised the question of, drew attention to, welcomed progress "
    "on, proposed joint work on, spoke about, expressed concern over, praised the results of, "
    "called for faster work on, briefed the guests on, asked for support with, "
    "described plans for",
    ", ",
)
EVENTS = _words(
    "the {a} summit, the {a} ministerial meeting, a conference on {i}, the annual {a} forum, "
    "an international forum on {i}, the {a} parliamentary session",
    ", ",
)
# Sentence templates: {lead} is the host with their title, {guests} the others with theirs,
# {l}/{g} their surnames, {i} the issues, {s} a subject, {v} a verb phrase, {p} a place.
OPENINGS = (
    "{lead} received {guests} in {city} on {date}.",
    "On {date} {lead} met {guests} in {city}, {country}.",
    "{lead} held talks with {guests} on the sidelines of {event} in {city}.",
    "A delegation led by {guests} was received in {city} by {lead}.",
    "{guests} travelled to {city} on {date} for talks with {lead}.",
)
DISCUSSIONS = (
    "The sides discussed {i}.",
    "Talks focused on {i0}, with attention also paid to {irest}.",
    "The agenda covered {i}.",
    "They exchanged views on {i}.",
    "According to the press service, the conversation centred on {i}.",
)
DETAILS = (
    "{l} {v} {s} in {p}.",
    "{g} {v} {s}, saying that {p} could serve as an example.",
    "The sides agreed to set up a working group on {s}.",
    "Particular attention was paid to {s} in {p}.",
    "{l} invited {g} to visit {p} to see {s} first-hand.",
    "Experts of the delegations will prepare proposals on {s} before the end of {year}.",
)
CLOSINGS = (
    "The sides also exchanged views on other issues of mutual interest.",
    "The talks were held in a constructive atmosphere.",
    "{g} thanked {l} for the hospitality.",
    "They agreed to meet again in {next_year}.",
    "A joint statement was adopted after the talks.",
)
TITLES = (
    "{a} meets {b}",
    "{a} receives {b} in {city}",
    "{al} and {bl} discuss {i0}",
    "{a} holds talks with {b} in {city}",
    "{i0cap} on the agenda as {al} meets {bl}",
    "{ca} and {cb} discuss {i0} in {city}",
    "{b} visits {city} for talks with {al}",
)
TRILATERAL_TITLES = (
    "{al}, {bl} and {cl} hold trilateral talks in {city}",
    "Trilateral meeting on {i0} in {city}",
    "{a} meets {b} and {c}",
)
SUMMARY_MIN, SUMMARY_MAX = 300, 600


# ----- the synthetic catalog ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Org:
    """An organisation with its kind, country and role templates."""

    name: str
    aliases: tuple[str, ...]
    country: str | None
    acronym: str
    roles: tuple[tuple[str, tuple[str, ...]], ...]  # (title, phrasings), already filled in


@dataclass(frozen=True, slots=True)
class Post:
    """A title held in an organisation from a day on (date ordinal)."""

    org: int
    role: int
    start: int


@dataclass(slots=True)
class PersonRecord:
    """A person of the catalog, with the posts they held over time."""

    first: str
    surname: str
    aliases: list[str]
    country: str
    posts: list[Post]

    @property
    def name(self) -> str:
        return f"{self.first} {self.surname}"

    def post_on(self, day: int) -> Post:
        """The post held on a day (the first one before it started)."""
        current = self.posts[0]
        for post in self.posts[1:]:
            if post.start <= day:
                current = post
        return current


@dataclass(slots=True)
class MeetingRecord:
    """A meeting: day (ordinal), city, people with the post each held, issues, its title and
    summary and the SUMMARY_SUBJECTS the summary mentions."""

    day: int
    city: tuple[str, str]
    people: list[int]
    posts: list[Post]
    issues: list[int]
    sources: list[str]
    title: str = ""
    summary: str = ""
    subjects: list[int] = field(default_factory=list)


@dataclass(slots=True)
class Catalog:
    """Everything generated for one size, in memory."""

    orgs: list[Org]
    people: list[PersonRecord]
    meetings: list[MeetingRecord] = field(default_factory=list)


def build_orgs() -> list[Org]:
    """About 300 organisations: four national bodies for 70 countries, 30 international."""
    orgs: list[Org] = []
    for country, _capital, _city in COUNTRIES[:NATIONAL_ORG_COUNTRIES]:
        for template, roles in NATIONAL_ROLES.items():
            name = template.format(c=country)
            aliases: tuple[str, ...] = ()
            if template.startswith("Ministry"):
                aliases = (f"{country} Foreign Ministry", f"MFA of {country}")
            elif template.startswith("Parliament"):
                aliases = (f"{country} Parliament",)
            filled = tuple(
                (title.format(c=country), tuple(p.format(c=country) for p in phrasings))
                for title, phrasings in roles
            )
            orgs.append(Org(name, aliases, country, "", filled))
    for name, acronym in INTERNATIONAL:
        filled = tuple(
            (title.format(o=name), tuple(p.format(o=name, a=acronym) for p in phrasings))
            for title, phrasings in INTERNATIONAL_ROLES
        )
        orgs.append(Org(name, (acronym,), None, acronym, filled))
    return orgs


def _surname(rng: random.Random, syllables: Sequence[str], endings: Sequence[str]) -> str:
    parts = rng.choices(syllables, k=rng.choice((2, 2, 3)))
    return ("".join(parts) + rng.choice(endings)).capitalize()


def _transliterate(surname: str, rng: random.Random) -> str | None:
    lower = surname.lower()
    options = [(a, b) for a, b in TRANSLIT if a in lower[1:]]
    if not options:
        return None
    a, b = rng.choice(options)
    head, tail = lower[0], lower[1:]
    return (head + tail.replace(a, b, 1)).capitalize()


def _cyrillic(text: str) -> str:
    out: list[str] = []
    lower = text.lower()
    i = 0
    while i < len(lower):
        for latin, cyr in CYRILLIC:
            if lower.startswith(latin, i):
                out.append(cyr)
                i += len(latin)
                break
        else:
            out.append(lower[i])
            i += 1
    return " ".join(w.capitalize() for w in "".join(out).split(" "))


def build_people(count: int, orgs: list[Org], rng: random.Random) -> list[PersonRecord]:
    """count people with distinct surnames, 1-2 aliases and 1-2 posts each."""
    people: list[PersonRecord] = []
    seen: set[str] = set(n.lower() for n in FIRST_NAMES)
    while len(people) < count:
        surname = _surname(rng, SYLLABLES, ENDINGS)
        if surname.lower() in seen:
            continue
        seen.add(surname.lower())
        first = rng.choice(FIRST_NAMES)
        aliases: list[str] = []
        variant = _transliterate(surname, rng)
        aliases.append(f"{first} {variant}" if variant else surname)
        if rng.random() < 0.4:
            aliases.append(_cyrillic(f"{first} {surname}"))
        home = rng.randrange(len(orgs))
        posts = [Post(home, rng.randrange(len(orgs[home].roles)), FIRST_DAY)]
        if rng.random() < 0.4:
            # A second post, often in the same body (promotion), sometimes elsewhere.
            org = home if rng.random() < 0.5 else rng.randrange(len(orgs))
            start = rng.randint(FIRST_DAY + 365, LAST_DAY - 365)
            posts.append(Post(org, rng.randrange(len(orgs[org].roles)), start))
        country = orgs[home].country or rng.choice(COUNTRIES)[0]
        people.append(PersonRecord(first, surname, aliases, country, posts))
    return people


def _tokens(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.lower())


def _other_words() -> set[str]:
    """Every word the catalog writes outside the summary subjects (names of people aside)."""
    texts: list[str] = [*ISSUES, *itertools.chain(*ISSUE_ALIASES.values()), *FIRST_NAMES]
    texts += [" ".join(c) for c in COUNTRIES] + [" ".join(o) for o in INTERNATIONAL]
    for template, roles in NATIONAL_ROLES.items():
        texts += [template, "Foreign Ministry MFA of Parliament"]
        texts += [title + " " + " ".join(phrasings) for title, phrasings in roles]
    texts += [title + " " + " ".join(phrasings) for title, phrasings in INTERNATIONAL_ROLES]
    texts += [*SUBJECT_VERBS, *EVENTS, *OPENINGS, *DISCUSSIONS, *DETAILS, *CLOSINGS, *TITLES]
    texts += [*TRILATERAL_TITLES, *(f"{dt.date(2000, m, 1):%B}" for m in range(1, 13))]
    return {w for text in texts for w in _tokens(text)}


def _summary_only_words() -> frozenset[str]:
    """Words of SUMMARY_SUBJECTS that occur nowhere else, not even as singular or plural or as
    another word's first five letters ("mines" is left out for "mine contamination")."""
    others = _other_words()
    prefixes = {w[:5] for w in others if len(w) >= 5}
    subject_words = {w for subject in SUMMARY_SUBJECTS for w in _tokens(subject)}
    return frozenset(
        w
        for w in subject_words
        if not {w, w + "s", w.removesuffix("s"), w.removesuffix("es")} & others
        and (len(w) < 5 or w[:5] not in prefixes)
    )


SUMMARY_ONLY = _summary_only_words()


def _join(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def meeting_text(
    catalog: Catalog, m: MeetingRecord, rng: random.Random
) -> tuple[str, str, list[int]]:
    """A news-like title and a summary of SUMMARY_MIN-SUMMARY_MAX characters for meeting m:
    who met whom (with titles), where and when, the issues, and 1-3 SUMMARY_SUBJECTS said by
    the participants about places. Returns (title, summary, subject indices)."""
    people = [catalog.people[p] for p in m.people]
    roles = [catalog.orgs[post.org].roles[post.role][0] for post in m.posts]
    issues = [ISSUES[x] for x in m.issues]
    day = dt.date.fromordinal(m.day)
    city, country = m.city
    intl = [acronym for _name, acronym in INTERNATIONAL]
    countries = list(dict.fromkeys(p.country for p in people))
    places = [city, country, *countries, rng.choice(COUNTRIES)[rng.randrange(3)]]
    surnames = [p.surname for p in people]
    values = {
        "a": people[0].name, "b": people[1].name, "c": people[-1].name,
        "al": surnames[0], "bl": surnames[1], "cl": surnames[-1],
        "l": surnames[0], "g": _join(surnames[1:]),
        "i": _join(issues), "i0": issues[0], "irest": _join(issues[1:]) if issues[1:] else "",
        "i0cap": issues[0][0].upper() + issues[0][1:],
        "ca": countries[0], "cb": countries[-1] if len(countries) > 1 else country,
        "city": city, "country": country, "date": f"{day.day} {day:%B %Y}",
        "year": str(day.year), "next_year": str(day.year + 1),
        "event": rng.choice(EVENTS).format(a=rng.choice(intl), i=rng.choice(issues)),
    }  # fmt: skip
    templates = TRILATERAL_TITLES if len(people) > 2 else TITLES
    title = rng.choice(templates).format(**values)

    def opening(with_roles: bool) -> str:
        named = [
            f"{r} {p.name}" if with_roles else p.name for r, p in zip(roles, people, strict=True)
        ]
        return template.format(**values, lead=named[0], guests=_join(named[1:]))

    template = rng.choice(OPENINGS)
    used: set[str] = set()

    def pick(pool: Sequence[str]) -> str:
        """A template not used yet in this summary (no sentence twice)."""
        fresh = [t for t in pool if t not in used] or list(pool)
        chosen = rng.choice(fresh)
        used.add(chosen)
        return chosen

    discussions = (
        DISCUSSIONS if len(issues) > 1 else [t for t in DISCUSSIONS if "{irest}" not in t]
    )
    sentences = [opening(True), pick(discussions).format(**values)]
    subjects: list[int] = []

    def detail() -> str:
        subject = rng.randrange(len(SUMMARY_SUBJECTS))
        while subject in subjects:
            subject = rng.randrange(len(SUMMARY_SUBJECTS))
        subjects.append(subject)
        return pick(DETAILS).format(
            **values, s=SUMMARY_SUBJECTS[subject], v=rng.choice(SUBJECT_VERBS),
            p=rng.choice(places),
        )  # fmt: skip

    sentences.append(detail())
    if sum(map(len, sentences)) + 2 > SUMMARY_MAX - 40:  # long titles: name the people only
        sentences[0] = opening(False)
    target = rng.randint(SUMMARY_MIN, SUMMARY_MAX)
    length = sum(map(len, sentences)) + len(sentences) - 1
    for _ in range(8):
        if length >= target:
            break
        if len(subjects) < 3 and rng.random() < 0.6:
            mark = len(subjects)
            sentence = detail()
            if length + 1 + len(sentence) > SUMMARY_MAX:
                del subjects[mark:]
                continue
        else:
            sentence = pick(CLOSINGS).format(**values)
            if length + 1 + len(sentence) > SUMMARY_MAX:
                continue
        sentences.append(sentence)
        length += 1 + len(sentence)
    while length < SUMMARY_MIN:  # a closing is shorter than SUMMARY_MAX - SUMMARY_MIN
        sentence = pick(CLOSINGS).format(**values)
        sentences.append(sentence)
        length += 1 + len(sentence)
    return title, " ".join(sentences), subjects


def generate_catalog(size: int, seed: int) -> Catalog:
    """A catalog of size meetings, the same for the same size and seed."""
    rng = random.Random(seed * 1_000_003 + size)
    orgs = build_orgs()
    people = build_people(max(50, size // 5), orgs, rng)
    # Some officials meet far more often than others: a long-tailed activity.
    order = list(range(len(people)))
    rng.shuffle(order)
    weights = [0.0] * len(people)
    for rank, pid in enumerate(order):
        weights[pid] = 1.0 / (rank + 10) ** 0.9
    cum = list(itertools.accumulate(weights))
    issue_weights = list(itertools.accumulate(1.0 / (i + 5) ** 0.5 for i in range(len(ISSUES))))
    cities_of = {c: (cap, city) for c, cap, city in COUNTRIES}
    all_cities = [(city, c) for c, cap, other in COUNTRIES for city in (cap, other)]
    catalog = Catalog(orgs, people)
    for number in range(size):
        day = rng.randint(FIRST_DAY, LAST_DAY)
        k = 2 if rng.random() < 0.65 else 3
        chosen: list[int] = []
        while len(chosen) < k:
            pid = bisect.bisect_left(cum, rng.random() * cum[-1])
            if pid not in chosen:
                chosen.append(pid)
        host = people[rng.choice(chosen)].country
        if host in cities_of and rng.random() < 0.8:
            city = (rng.choice(cities_of[host]), host)
        else:
            city = rng.choice(all_cities)
        issues: list[int] = []
        for _ in range(rng.randint(2, 4)):
            issue = bisect.bisect_left(issue_weights, rng.random() * issue_weights[-1])
            if issue not in issues:
                issues.append(issue)
        sources = [f"https://news.example.org/{dt.date.fromordinal(day):%Y/%m}/meeting-{number}"]
        if rng.random() < 0.1:
            sources.append(f"https://mfa.example.org/press/{number}")
        catalog.meetings.append(
            MeetingRecord(day, city, chosen, [people[p].post_on(day) for p in chosen], issues,
                          sources)
        )  # fmt: skip
    # Titles and summaries from a stream of their own: the meetings above stay what they were.
    text_rng = random.Random(f"text:{seed}:{size}")
    for m in catalog.meetings:
        m.title, m.summary, m.subjects = meeting_text(catalog, m, text_rng)
    return catalog


def write_catalog(catalog: Catalog, url: str) -> None:
    """Bulk-insert the catalog through the SQLModel tables into a fresh database."""
    from sqlalchemy import insert
    from sqlmodel import Session

    from storage.db import create_db_engine
    from storage.models import (
        CatalogVersion,
        Issue,
        Meeting,
        MeetingIssue,
        Organization,
        Participation,
        Person,
    )

    engine = create_db_engine(url)
    stamp = dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)
    with Session(engine) as session:
        session.execute(
            insert(Organization),
            [
                {"id": i + 1, "name": o.name, "aliases": list(o.aliases), "country": o.country}
                for i, o in enumerate(catalog.orgs)
            ],
        )
        session.execute(
            insert(Issue),
            [
                {"id": i + 1, "name": name, "aliases": ISSUE_ALIASES.get(name, [])}
                for i, name in enumerate(ISSUES)
            ],
        )
        for chunk in _chunks(list(enumerate(catalog.people)), 20_000):
            session.execute(
                insert(Person),
                [
                    {"id": i + 1, "name": p.name, "aliases": p.aliases, "country": p.country}
                    for i, p in chunk
                ],
            )
        part_id = 0
        for chunk in _chunks(list(enumerate(catalog.meetings)), 10_000):
            meetings, parts, links = [], [], []
            for i, m in chunk:
                day = dt.date.fromordinal(m.day)
                created = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC) + dt.timedelta(
                    hours=8 + (i % 60)
                )
                created = min(created, stamp)
                meetings.append(
                    {
                        "id": i + 1,
                        "external_id": f"bench-{i + 1:06d}",
                        "date": day,
                        "location": f"{m.city[0]}, {m.city[1]}",
                        "title": m.title,
                        "summary": m.summary,
                        "sources": m.sources,
                        "created_at": created,
                        "updated_at": created,
                    }
                )
                for position, (pid, post) in enumerate(zip(m.people, m.posts, strict=True)):
                    part_id += 1
                    org = catalog.orgs[post.org]
                    parts.append(
                        {
                            "id": part_id,
                            "meeting_id": i + 1,
                            "person_id": pid + 1,
                            "position": position,
                            "title": org.roles[post.role][0],
                            "organization_id": post.org + 1,
                            "country": catalog.people[pid].country,
                        }
                    )
                for position, issue in enumerate(m.issues):
                    links.append(
                        {"meeting_id": i + 1, "issue_id": issue + 1, "position": position}
                    )
            session.execute(insert(Meeting), meetings)
            session.execute(insert(Participation), parts)
            session.execute(insert(MeetingIssue), links)
        # Bulk inserts skip the flush hook that bumps the version; set it as an import would.
        session.add(CatalogVersion(id=1, version=1))
        session.commit()
    engine.dispose()


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# ----- questions and their true answers -----------------------------------------------------

# Question kinds and their share of the mix.
MIX: tuple[tuple[str, float], ...] = (
    ("who_met_surname", 0.15),
    ("who_met_title", 0.12),
    ("when_pair_met", 0.09),
    ("when_pair_not_met", 0.05),
    ("about_issue", 0.09),
    ("about_summary_word", 0.10),  # a topic in words that only summaries use
    ("filler_words", 0.06),  # "hi, who hosted <surname>?": words no vocabulary knows
    ("count_in_year", 0.09),
    ("latest_of", 0.09),
    ("misspelt_surname", 0.08),
    ("unknown_name", 0.04),
    ("unknown_surname", 0.04),
)
SUMMARY_QUESTIONS = ("meetings about {w}", "which meetings were about {w}?", "meetings on {w}",
                     "who discussed {w}?")  # fmt: skip
# (template, whether the answer is all the person's meetings; "hosted" may mean fewer).
FILLER_QUESTIONS = (
    ("hi, who hosted {s}?", False),
    ("hello! who met {s}?", True),
    ("thanks. and who met {s}?", True),
    ("hi, who did {s} meet?", True),
    ("wat meetings did {s} have?", True),
)


def make_questions(catalog: Catalog, count: int, seed: int) -> list[dict[str, Any]]:
    """count questions in the MIX shares, each with what a sensible answer must satisfy."""
    rng = random.Random(seed)
    meetings_of: dict[int, list[int]] = defaultdict(list)
    title_meetings: dict[str, set[int]] = defaultdict(set)
    issue_meetings: dict[int, int] = defaultdict(int)
    subject_meetings: dict[int, list[int]] = defaultdict(list)
    for mid, m in enumerate(catalog.meetings):
        for pid, post in zip(m.people, m.posts, strict=True):
            meetings_of[pid].append(mid)
            title_meetings[catalog.orgs[post.org].roles[post.role][0]].add(mid)
        for issue in m.issues:
            issue_meetings[issue] += 1
        for subject in m.subjects:
            subject_meetings[subject].append(mid)
    active = sorted(meetings_of)
    people = catalog.people
    name_words = {w.lower() for p in people for form in (p.name, *p.aliases) for w in form.split()}

    def latest(mids: list[int]) -> int:
        return max(mids, key=lambda x: (catalog.meetings[x].day, x + 1))

    questions: list[dict[str, Any]] = []
    for kind, share in MIX:
        made = 0
        while made < max(1, round(count * share)):
            q = _question(kind, rng, catalog, meetings_of, title_meetings, issue_meetings,
                          subject_meetings, active, name_words, latest)  # fmt: skip
            if q is not None:
                questions.append(q)
                made += 1
    rng.shuffle(questions)
    return questions


def _question(
    kind: str,
    rng: random.Random,
    catalog: Catalog,
    meetings_of: dict[int, list[int]],
    title_meetings: dict[str, set[int]],
    issue_meetings: dict[int, int],
    subject_meetings: dict[int, list[int]],
    active: list[int],
    name_words: set[str],
    latest: Any,
) -> dict[str, Any] | None:
    people = catalog.people
    pid = rng.choice(active)
    person = people[pid]
    if kind == "who_met_surname":
        return {"kind": kind, "text": f"who met {person.surname}?",
                "person": person.name, "total": len(meetings_of[pid])}  # fmt: skip
    if kind == "who_met_title":
        m = catalog.meetings[rng.choice(meetings_of[pid])]
        post = m.posts[m.people.index(pid)]
        title, phrasings = catalog.orgs[post.org].roles[post.role]
        return {"kind": kind, "text": f"who met {rng.choice(phrasings)}?",
                "min_total": len(title_meetings[title])}  # fmt: skip
    if kind == "when_pair_met":
        m = catalog.meetings[rng.choice(meetings_of[pid])]
        other = rng.choice([p for p in m.people if p != pid])
        both = set(meetings_of[pid]) & set(meetings_of[other])
        a = person.name
        b = people[other].surname if rng.random() < 0.5 else people[other].name
        return {"kind": kind, "text": f"when did {a} meet {b}?", "total": len(both)}
    if kind == "when_pair_not_met":
        other = rng.choice(active)
        if other == pid or set(meetings_of[pid]) & set(meetings_of[other]):
            return None
        return {"kind": kind, "text": f"when did {person.name} meet {people[other].name}?"}
    if kind == "about_issue":
        issue = rng.randrange(len(ISSUES))
        if not issue_meetings[issue]:
            return None
        return {"kind": kind, "text": f"which meetings were about {ISSUES[issue]}?",
                "min_total": issue_meetings[issue]}  # fmt: skip
    if kind == "about_summary_word":
        subject = rng.choice(sorted(subject_meetings))
        starred = [w[1:] for w in STARRED_SUBJECTS[subject].split() if w.startswith("*")]
        alone = [w for w in starred if w in SUMMARY_ONLY and w not in name_words]
        if alone and rng.random() < 0.5:  # one word: "desalination"
            asked = alone[0]
            mids = {mid for x, ms in subject_meetings.items()
                    if asked in SUMMARY_SUBJECTS[x].split() for mid in ms}  # fmt: skip
        else:  # the whole subject: "desalination plants", "postal services"
            words = SUMMARY_SUBJECTS[subject].split()
            if not any(w in SUMMARY_ONLY and w not in name_words for w in words):
                return None
            asked = SUMMARY_SUBJECTS[subject]
            mids = set(subject_meetings[subject])
        return {"kind": kind, "text": rng.choice(SUMMARY_QUESTIONS).format(w=asked),
                "words": asked.split(), "min_total": len(mids)}  # fmt: skip
    if kind == "filler_words":
        template, exact = rng.choice(FILLER_QUESTIONS)
        return {"kind": kind, "text": template.format(s=person.surname), "person": person.name,
                "total": len(meetings_of[pid]), "exact": exact}  # fmt: skip
    if kind == "count_in_year":
        year = dt.date.fromordinal(catalog.meetings[rng.choice(meetings_of[pid])].day).year
        n = sum(1 for x in meetings_of[pid]
                if dt.date.fromordinal(catalog.meetings[x].day).year == year)  # fmt: skip
        return {"kind": kind, "text": f"how many meetings did {person.name} have in {year}?",
                "total": n}  # fmt: skip
    if kind == "latest_of":
        return {"kind": kind, "text": f"latest meeting of {person.name}",
                "latest_id": latest(meetings_of[pid]) + 1}  # fmt: skip
    if kind == "misspelt_surname":
        typo = _misspell(person.surname, rng)
        if typo.lower() in name_words:
            return None
        return {"kind": kind, "text": f"who met {typo}?", "person": person.name}
    if kind == "unknown_name":
        first = _surname(rng, UNKNOWN_SYLLABLES, ("a", "o", "i"))
        last = _surname(rng, UNKNOWN_SYLLABLES, UNKNOWN_ENDINGS)
        return {"kind": kind, "text": f"who met {first} {last}?"}
    if kind == "unknown_surname":
        last = _surname(rng, UNKNOWN_SYLLABLES, UNKNOWN_ENDINGS)
        return {"kind": kind, "text": f"who met {rng.choice(FIRST_NAMES)} {last}?"}
    raise ValueError(kind)


def _misspell(word: str, rng: random.Random) -> str:
    """Change one letter (not the first) for another of the same kind, as a typo does."""
    vowels, consonants = "aeiou", "bcdfghklmnprstvz"
    i = rng.randrange(1, len(word))
    pool = vowels if word[i].lower() in vowels else consonants
    letter = rng.choice([c for c in pool if c != word[i].lower()])
    return word[:i] + letter + word[i + 1 :]


def judge(q: dict[str, Any], answer: Any) -> bool:
    """Whether the answer is what a reader would accept for q (see the kinds in MIX)."""
    status = answer.status.value
    kind = q["kind"]
    if kind in ("who_met_surname", "when_pair_met", "count_in_year"):
        return status == "answered" and answer.total == q["total"]
    if kind in ("who_met_title", "about_issue"):
        return status == "answered" and answer.total >= q["min_total"]
    if kind == "about_summary_word":
        # All the meetings whose summary says it, and only meetings that mention it (by the
        # first five letters of each word asked, so "swarm" counts for "swarms"); no issue
        # label names it, so the answer says it is mentioned there (status partial).
        def mentions(m: Any) -> bool:
            text = f"{m.title} {m.summary} {' '.join(m.issues)}".lower()
            return all(w[:5] in text for w in q["words"])

        return (
            status == "partial"
            and answer.total >= q["min_total"]
            and all(mentions(m) for m in answer.meetings)
        )
    if kind == "filler_words":
        # The person's meetings: all of them, or for "who hosted" some of them.
        if status != "answered" or not answer.meetings:
            return False
        if not all(q["person"] in {p.name for p in m.participants} for m in answer.meetings):
            return False
        return answer.total == q["total"] if q["exact"] else 1 <= answer.total <= q["total"]
    if kind == "latest_of":
        return status == "answered" and answer.meetings[0].external_id == (
            f"bench-{q['latest_id']:06d}"
        )
    if kind == "misspelt_surname":
        named = {p.name for m in answer.meetings for p in m.participants}
        return q["person"] in named or q["person"] in answer.suggestions
    return status == "not_found"  # pairs that never met, unknown people


# ----- child processes ----------------------------------------------------------------------


def run_generate(size: int, directory: Path, questions: int, seed: int) -> dict[str, Any]:
    """Write the catalog and the questions for one size into directory."""
    start = time.perf_counter()
    catalog = generate_catalog(size, seed)
    made = time.perf_counter()
    db = directory / "bench.db"
    write_catalog(catalog, f"sqlite:///{db}")
    written = time.perf_counter()
    qs = make_questions(catalog, questions, seed + size)
    lengths = [len(m.summary) for m in catalog.meetings]
    (directory / "questions.json").write_text(json.dumps(qs, ensure_ascii=False))
    return {
        "size": size,
        "people": len(catalog.people),
        "participations": sum(len(m.people) for m in catalog.meetings),
        "generate_s": made - start,
        "write_s": written - made,
        "db_mb": db.stat().st_size / 2**20,
        "summary_chars": [min(lengths), statistics.mean(lengths), max(lengths)],
    }


def _rss_mb() -> float:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_answers(directory: Path, *, trace: bool, profile: bool) -> dict[str, Any]:
    """Ask the questions in directory with one session; return timings, memory and checks."""
    import tracemalloc

    from sqlmodel import Session

    from bot.core.answering import answer_question
    from storage.db import create_db_engine

    questions = json.loads((directory / "questions.json").read_text())
    engine = create_db_engine(f"sqlite:///{directory / 'bench.db'}")
    rss_start = _rss_mb()
    index_alloc_mb = None
    with Session(engine) as session:
        if trace:
            tracemalloc.start()
        start = time.perf_counter()
        answer_question("who met the OSCE PA president?", session=session, today=TODAY)
        first_ms = (time.perf_counter() - start) * 1000
        if trace:
            index_alloc_mb = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
        rss_index = _rss_mb()
        profiler = None
        if profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        pauses = _GcPauses()
        gc.callbacks.append(pauses.record)
        times: list[float] = []
        by_kind: dict[str, list[float]] = defaultdict(list)
        good: dict[str, list[bool]] = defaultdict(list)
        slowest: list[tuple[float, str]] = []
        for q in questions:
            t0 = time.perf_counter()
            answer = answer_question(q["text"], session=session, today=TODAY)
            ms = (time.perf_counter() - t0) * 1000
            times.append(ms)
            by_kind[q["kind"]].append(ms)
            good[q["kind"]].append(judge(q, answer))
            slowest.append((ms, q["text"]))
        gc.callbacks.remove(pauses.record)
        if profiler is not None:
            import io
            import pstats

            profiler.disable()
            for sort in ("cumulative", "tottime"):
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats(sort).print_stats(25)
                print(out.getvalue(), file=sys.stderr)
    slowest.sort(reverse=True)
    return {
        "first_ms": first_ms,
        "p50_ms": _percentile(times, 50),
        "p95_ms": _percentile(times, 95),
        "p99_ms": _percentile(times, 99),
        "max_ms": max(times),
        "questions": len(times),
        "rss_start_mb": rss_start,
        "rss_after_index_mb": rss_index,
        "rss_peak_mb": _rss_mb(),
        "index_alloc_mb": index_alloc_mb,
        "gc": pauses.summary(),
        "kinds": {
            kind: {
                "n": len(ms),
                "p50_ms": _percentile(ms, 50),
                "max_ms": max(ms),
                "good": sum(good[kind]),
            }
            for kind, ms in by_kind.items()
        },
        "slowest": slowest[:5],
    }


class _GcPauses:
    """Collector pauses during the questions: a full collection over a big heap shows as a
    slow question that has nothing to do with the question itself."""

    def __init__(self) -> None:
        self._start = 0.0
        self.pauses: dict[int, list[float]] = defaultdict(list)

    def record(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.pauses[info["generation"]].append((time.perf_counter() - self._start) * 1000)

    def summary(self) -> dict[str, dict[str, float]]:
        return {
            f"gen{gen}": {"count": len(ms), "total_ms": sum(ms), "max_ms": max(ms)}
            for gen, ms in sorted(self.pauses.items())
        }


def _percentile(values: list[float], pct: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(pct) - 1]


def _child(args: list[str]) -> dict[str, Any]:
    """Run this module in a fresh interpreter and return the JSON of its last output line."""
    proc = subprocess.run(
        [sys.executable, "-m", "bench.answering", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.stderr:
        print(proc.stderr, file=sys.stderr, end="")
    if proc.returncode != 0:
        raise SystemExit(f"bench child {args} failed with exit code {proc.returncode}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def time_cli() -> list[dict[str, Any]]:
    """Time `python -m bot ask` on a fresh data directory: first run, then a second one."""
    if not (ROOT / "bot" / "cli.py").exists():
        return [{"run": "-", "note": "bot/cli.py does not exist yet"}]
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="meetbot-cli-") as data:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env["MEETBOT_DATA_DIR"] = data
        for run in ("fresh data dir", "second run"):
            start = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-m", "bot", "ask", CLI_QUESTION],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=False,
                timeout=120,
            )
            seconds = time.perf_counter() - start
            out = proc.stdout + proc.stderr
            named = "Naghiyev" in out and "Kauma" in out
            results.append(
                {
                    "run": run,
                    "seconds": seconds,
                    "exit": proc.returncode,
                    "names_both": named,
                    "note": "" if proc.returncode == 0 else out.strip().splitlines()[-1][:120],
                }
            )
    return results


def _load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} CPUs"


def print_report(
    results: list[tuple[dict[str, Any], dict[str, Any]]], cli: list[dict[str, Any]] | None
) -> None:
    """Print the markdown tables."""
    traced = any(ans["index_alloc_mb"] is not None for _, ans in results)
    print("\n| meetings | people | index build (1st question) ms | p50 ms | p95 ms | p99 ms "
          "| max ms "
          "| peak RSS MB | RSS before index MB | full GCs (max ms) | sensible answers |"
          + (" index alloc MB |" if traced else ""))  # fmt: skip
    print("|" + "---:|" * (11 + traced))
    for gen, ans in results:
        sensible = sum(k["good"] for k in ans["kinds"].values())
        full = ans["gc"].get("gen2")
        gcs = f"{full['count']} ({full['max_ms']:.0f})" if full else "0"
        alloc = f" {ans['index_alloc_mb']:.0f} |" if traced else ""
        print(
            f"| {gen['size']:,} | {gen['people']:,} | {ans['first_ms']:,.0f} "
            f"| {ans['p50_ms']:.1f} | {ans['p95_ms']:.1f} | {ans['p99_ms']:.1f} "
            f"| {ans['max_ms']:.1f} "
            f"| {ans['rss_peak_mb']:.0f} | {ans['rss_start_mb']:.0f} | {gcs} "
            f"| {sensible}/{ans['questions']} |{alloc}"
        )
    catalogs = [
        f"{g['size']:,} meetings, {g['participations']:,} participations, "
        f"{g['db_mb']:.0f} MB SQLite, written in {g['write_s']:.1f} s, summaries "
        f"{g['summary_chars'][0]}-{g['summary_chars'][2]} characters (mean "
        f"{g['summary_chars'][1]:.0f})"
        for g, _ in results
    ]
    print("\nCatalogs: " + "; ".join(catalogs) + ".")
    print("\nPer question kind: sensible answers / asked, p50 ms, max ms\n")
    print("| kind | " + " | ".join(f"{g['size']:,}" for g, _ in results) + " |")
    print("|---|" + "---|" * len(results))
    for kind, _share in MIX:
        cells = []
        for _gen, ans in results:
            k = ans["kinds"].get(kind)
            cells.append(
                f"{k['good']}/{k['n']}, {k['p50_ms']:.1f}, {k['max_ms']:.1f}" if k else "-"
            )
        print(f"| {kind} | " + " | ".join(cells) + " |")
    print("\nSlowest questions:")
    for gen, ans in results:
        for ms, text in ans["slowest"][:3]:
            print(f"- {gen['size']:,}: {ms:.1f} ms  {text}")
    if cli is not None:
        print(f'\nOne-off `python -m bot ask "{CLI_QUESTION}"` (budget {CLI_BUDGET_S} s):\n')
        print("| run | seconds | exit | names Naghiyev and Kauma | note |")
        print("|---|---:|---:|---|---|")
        for row in cli:
            secs = f"{row['seconds']:.2f}" if "seconds" in row else "-"
            print(f"| {row['run']} | {secs} | {row.get('exit', '-')} | "
                  f"{row.get('names_both', '-')} | {row.get('note', '')} |")  # fmt: skip
    print(f"\nMachine: {_load()}, Python {sys.version.split()[0]}.")


def main(argv: list[str] | None = None) -> int:
    """Generate catalogs, answer questions on each in fresh processes, print the tables."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.answering",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--sizes", default="1000,10000,100000", help="meeting counts, comma list")
    parser.add_argument("--questions", type=int, default=300, help="questions per size")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--workdir", help="keep the generated databases here and reuse them (default: a temp dir)"
    )
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="also trace the index size (slows the first question, adds to RSS)",
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the questions")
    parser.add_argument("--no-cli", action="store_true", help="skip timing `python -m bot ask`")
    parser.add_argument("--generate", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--answer", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--dir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.generate is not None:  # child: write one catalog
        result = run_generate(args.generate, Path(args.dir), args.questions, args.seed)
        print(json.dumps(result))
        return 0
    if args.answer:  # child: answer on one catalog
        result = run_answers(Path(args.dir), trace=args.tracemalloc, profile=args.profile)
        print(json.dumps(result))
        return 0

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    base = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="meetbot-bench-"))
    results: list[tuple[dict[str, Any], dict[str, Any]]] = []
    print(f"Start: {_load()}", file=sys.stderr)
    try:
        for size in sizes:
            directory = base / f"{size}-{args.seed}-{args.questions}-v{CATALOG_VERSION}"
            marker = directory / "generated.json"
            if marker.exists():
                gen = json.loads(marker.read_text())
            else:
                directory.mkdir(parents=True, exist_ok=True)
                gen = _child(
                    ["--generate", str(size), "--dir", str(directory),
                     "--questions", str(args.questions), "--seed", str(args.seed)]
                )  # fmt: skip
                marker.write_text(json.dumps(gen))
            flags = ["--tracemalloc"] * args.tracemalloc + ["--profile"] * args.profile
            ans = _child(["--answer", "--dir", str(directory), *flags])
            print(f"{size:,} meetings: p95 {ans['p95_ms']:.1f} ms, peak RSS "
                  f"{ans['rss_peak_mb']:.0f} MB ({_load()})", file=sys.stderr)  # fmt: skip
            results.append((gen, ans))
    finally:
        if not args.workdir:
            shutil.rmtree(base, ignore_errors=True)
    cli = None if args.no_cli else time_cli()
    print_report(results, cli)
    return 0


if __name__ == "__main__":
    sys.exit(main())
