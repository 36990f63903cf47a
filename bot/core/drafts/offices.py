"""Office words and what a title says: the role, the organisation, the country.

Shared by the English and Russian readers: "Azerbaijan's Foreign Minister" is the role
"Foreign Minister", the organisation "Ministry of Foreign Affairs of Azerbaijan" and the
country Azerbaijan; "President of the OSCE Parliamentary Assembly" is the role as written and
the organisation "OSCE Parliamentary Assembly".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.drafts.places import display
from bot.core.geography import CAPITALS, COUNTRY_ALIASES, DEMONYMS, country_named

OFFICE_WORDS = frozenset(
    [
        "president",
        "minister",
        "ambassador",
        "envoy",
        "chairman",
        "chairwoman",
        "chairperson",
        "chair",
        "head",
        "chief",
        "speaker",
        "secretary-general",
        "secretary",
        "director",
        "director-general",
        "commissioner",
        "governor",
        "mayor",
        "king",
        "queen",
        "emir",
        "sultan",
        "prince",
        "chancellor",
        "senator",
        "lawmaker",
        "adviser",
        "advisor",
        "assistant",
        "spokesperson",
        "spokesman",
        "spokeswoman",
        "commander",
        "rector",
        "coordinator",
        "rapporteur",
        "ombudsman",
        "representative",
        "undersecretary",
        "under-secretary",
        "counsellor",
        "counselor",
        "consul",
        "premier",
        "prime-minister",
        "vice-president",
        "co-chair",
        "co-chairman",
        "ceo",
        "leader",
        "deputy",
        "mp",
        "president-elect",
        "member",
        "patriarch",
    ]
)
# Words that go with an office word inside a title ("First Deputy Foreign Minister").
TITLE_MODIFIERS = frozenset(
    [
        "foreign",
        "defence",
        "defense",
        "interior",
        "prime",
        "deputy",
        "vice",
        "first",
        "special",
        "general",
        "executive",
        "permanent",
        "acting",
        "high",
        "state",
        "senior",
        "chief",
        "parliamentary",
        "presidential",
        "economy",
        "energy",
        "finance",
        "justice",
        "health",
        "education",
        "agriculture",
        "culture",
        "digital",
        "transport",
        "emergency",
        "ecology",
        "environment",
        "labour",
        "labor",
        "trade",
        "economic",
        "internal",
        "affairs",
        "policy",
        "regional",
        "managing",
    ]
)
ORG_WORDS = frozenset(
    [
        "ministry",
        "service",
        "assembly",
        "parliament",
        "council",
        "commission",
        "committee",
        "union",
        "organization",
        "organisation",
        "agency",
        "bank",
        "fund",
        "republic",
        "majlis",
        "office",
        "embassy",
        "department",
        "government",
        "cabinet",
        "administration",
        "court",
        "senate",
        "congress",
        "duma",
        "forum",
        "institute",
        "university",
        "secretariat",
        "mission",
        "delegation",
        "group",
        "corporation",
        "company",
        "foundation",
        "association",
        "federation",
        "centre",
        "center",
        "board",
        "authority",
        "police",
        "guard",
        "forces",
        "army",
        "navy",
        "nations",
        "alliance",
        "partnership",
        "programme",
        "program",
        "conference",
        "chamber",
        "rada",
        "sejm",
        "bundestag",
        "knesset",
        "kenesh",
        "saeima",
        "seimas",
        "riigikogu",
        "presidency",
    ]
)
SMALL_WORDS = frozenset({"of", "the", "for", "and", "on", "to", "in", "de", "la", "&"})

# Ministers named by their field: "Foreign Minister" -> "Ministry of Foreign Affairs".
MINISTRIES = {
    "foreign": "Foreign Affairs", "defence": "Defence", "defense": "Defence",
    "interior": "Internal Affairs", "economy": "Economy", "energy": "Energy",
    "finance": "Finance", "justice": "Justice", "health": "Health",
    "education": "Education", "agriculture": "Agriculture", "culture": "Culture",
    "transport": "Transport", "emergency": "Emergency Situations", "ecology": "Ecology",
    "trade": "Trade", "digital": "Digital Development",
}  # fmt: skip
INTERNATIONAL = frozenset(
    [
        "un",
        "eu",
        "osce",
        "nato",
        "pace",
        "cis",
        "sco",
        "asean",
        "icrc",
        "unhcr",
        "who",
        "wto",
        "imf",
        "iaea",
        "unicef",
        "unesco",
        "opec",
        "oic",
        "otc",
        "au",
        "apec",
        "undp",
        "unfpa",
        "wfp",
        "ilo",
        "fao",
        "brics",
        "g20",
        "g7",
        "ebrd",
        "adb",
    ]
)


def country_of(phrase: str) -> str | None:
    """'Azerbaijan', "Azerbaijan's", 'Azerbaijani', 'Georgian' -> canonical country, else None."""
    key = re.sub(r"['’]s$", "", phrase.strip()).lower()
    if key in DEMONYMS:
        return DEMONYMS[key]
    if key in CAPITALS or not key:
        return None
    found = country_named(key.split())
    if found is None and key in COUNTRY_ALIASES:
        found = COUNTRY_ALIASES[key]
    return found


@dataclass(frozen=True)
class Office:
    """What a title says: the role as the article writes it, organisation, country."""

    role: str
    organization: str | None
    country: str | None


def _strip_the(text: str) -> str:
    return re.sub(r"^(?:the|The)\s+", "", text.strip(" ,;"))


def _possessive_to_of(org: str) -> tuple[str, str | None]:
    """ "Azerbaijan's State Security Service" -> ("State Security Service of Azerbaijan", az)."""
    m = re.match(r"^(?P<owner>[A-Z][\w -]*?)['’]s\s+(?P<rest>.+)$", org)
    if m:
        country = country_of(m["owner"])
        if country:
            return f"{m['rest']} of {display(country)}", country
    words = org.split()
    if len(words) > 1 and country_of(words[0]) and words[0].lower() in DEMONYMS:
        return org, country_of(words[0])
    tail = org.rsplit(" of ", 1)
    if len(tail) == 2 and country_of(_strip_the(tail[1])):
        return org, country_of(_strip_the(tail[1]))
    return org, None


def read_office(segment: str) -> Office | None:
    """One title segment ("Azerbaijan's Foreign Minister") as an Office; None without an
    office word."""
    words = segment.split()
    lowered = [re.sub(r"['’]s$", "", w).lower().strip(",") for w in words]
    office_at = next((i for i, w in enumerate(lowered) if w in OFFICE_WORDS), None)
    if office_at is None:
        return None
    country: str | None = None
    start = 0
    # A leading "Azerbaijan's" or "Georgian" names the country, not the role.
    if words and (words[0].endswith(("'s", "’s")) or lowered[0] in DEMONYMS) and office_at > 0:
        country = country_of(words[0])
        if country:
            start = 1
    role_words = words[start:]
    role = _strip_the(" ".join(role_words))
    organization: str | None = None
    # The head of the title is its last office word before "of" ("Deputy Minister of X").
    head_end = next((i for i in range(office_at, len(lowered)) if lowered[i] == "of"), None)
    head_at = max(
        i for i in range(office_at, head_end or len(lowered)) if lowered[i] in OFFICE_WORDS
    )
    office_word = lowered[head_at]
    before = words[start:head_at]
    m = re.search(r"\bof\s+(?P<org>.+)$", role)
    head = role.split(" of ")[0].lower()
    if m:
        org_text = _strip_the(m["org"])
        to = re.match(r"^(?P<a>.+?)\s+(?:to|in)\s+(?:the\s+)?(?P<b>[A-Z].+)$", org_text)
        if office_word == "ambassador" and to:
            organization = f"Embassy of {to['a']} in {to['b']}"
            country = country or country_of(to["a"])
        elif office_word == "minister" and "prime" not in head:
            organization = f"Ministry of {org_text}"
        else:
            org_country = country_of(org_text)
            if org_country:
                country = country or org_country
            else:
                organization = org_text
    elif office_word == "minister" and before and before[-1].lower() in MINISTRIES:
        organization = f"Ministry of {MINISTRIES[before[-1].lower()]}"
        if country:
            organization += f" of {display(country)}"
    elif before:
        org_part = [w for w in before if w.lower() not in TITLE_MODIFIERS]
        if org_part and (org_part[0].isupper() or org_part[0][:1].isupper()):
            organization = " ".join(org_part)
    if organization:
        organization, org_country = _possessive_to_of(organization)
        country = country or org_country
        # "Minister of Foreign Affairs" of Georgia: the ministry is Georgia's.
        national_ministry = organization.startswith("Ministry of") and country is not None
        if national_ministry and " of " not in organization[len("Ministry of") :]:
            organization += f" of {display(country or '')}"
    if country is None:
        for w in words:
            found = country_of(w) if (w.endswith(("'s", "’s")) or w.lower() in DEMONYMS) else None
            if found:
                country = found
                break
    return Office(role=role, organization=organization, country=country)
