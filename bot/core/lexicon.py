"""Words the matcher needs to know: normalisation, role synonyms, acronyms, regions, issues.

Everything here is general knowledge about how people name officials and topics (FM is a
foreign minister, the UN refugee agency is UNHCR, landmines are mine contamination), never a
rule for one particular question. Text is compared as ASCII tokens: Cyrillic and accented
letters are transliterated, English plurals and Russian case endings are trimmed.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

from bot.core.geography import CONTINENTS, COUNTRY_ALIASES
from bot.core.geography import DEMONYMS as GEOGRAPHY_DEMONYMS

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_INNER_APOSTROPHE = re.compile(r"(?<=[^\W\d_])['’`ʼ](?=[^\W\d_])")

_RUSSIAN_ENDINGS = (
    "ями", "ами", "ого", "его", "ому", "ему", "ыми", "ими", "ией", "ием", "иям", "иях",
    "ой", "ей", "ем", "ом", "ым", "им", "ах", "ях", "ам", "ям", "ую", "юю", "ая", "яя",
    "ое", "ее", "ые", "ие", "ых", "их", "ии", "ию", "а", "я", "у", "ю", "е", "ы", "и", "о",
)  # fmt: skip


def _trim_russian(word: str) -> str:
    """Strip one Russian case ending so 'Токаевым' and 'Токаев' meet on 'токаев'."""
    if len(word) <= 3:
        return word
    for ending in _RUSSIAN_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def _stem_english(word: str) -> str:
    """Trim English plurals: presidents -> president, refugees -> refugee, parties -> party."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ss", "us", "is", "ous")):
        return word
    if word.endswith("s"):
        return word[:-1]
    return word


@lru_cache(maxsize=65536)
def normalize_word(word: str) -> tuple[str, ...]:
    """Return the ASCII tokens one word stands for (a Cyrillic word from the stem of its case
    forms; a question's Russian words are translated before, by bot.core.russian)."""
    word = word.casefold()
    if _CYRILLIC.search(word):
        # Names are transliterated from their stem so that every case form meets the alias.
        word = _trim_russian(word)
    ascii_word = anyascii(unicodedata.normalize("NFKC", word)).lower()
    # Transliteration writes the soft and hard signs as apostrophes ("Альберт" -> "Al'bert"):
    # they join the word, as an apostrophe inside a Latin name does (bot.core.names).
    ascii_word = re.sub(r"['\"`]", "", ascii_word)
    parts = [p for p in re.split(r"[^a-z0-9]+", ascii_word) if p]
    return tuple(_stem_english(p) for p in parts)


# Russian transliteration against English spelling of the same place: Dzhakarta / Jakarta,
# Yerevan / Erevan, Bryussel / Brussels. Both sides are reduced to one key before comparing.
_TRANSLIT_KEY = (("dzh", "j"), ("zh", "j"), ("kh", "h"), ("shch", "sh"), ("ye", "e"),
                 ("yu", "u"), ("ya", "a"), ("yo", "o"), ("y", "i"), ("w", "v"),
                 ("g", "h"))  # fmt: skip  # Russian writes a Latin h as г: Тегеран, Гаага


def translit_key(word: str) -> str:
    """A spelling key under which a Russian transliteration meets the English name."""
    for written, key in _TRANSLIT_KEY:
        word = word.replace(written, key)
    return word


def stem_words(text: str) -> frozenset[str]:
    """Return the set of normalised tokens of a space-separated word list."""
    return frozenset(t for w in text.split() for t in normalize_word(w))


def words(text: str) -> list[str]:
    """Split text into raw words (hyphens, apostrophes and punctuation separate words)."""
    text = text.replace("’s", " ").replace("'s", " ")
    # An apostrophe inside a name joins it, as bot.core.names.name_key does: O'Brien, d'Estaing.
    text = _INNER_APOSTROPHE.sub("", text)
    return _WORD.findall(text)


def tokens(text: str) -> list[str]:
    """Return the normalised ASCII tokens of text, in order."""
    out: list[str] = []
    for word in words(text):
        out.extend(normalize_word(word))
    return out


# Words that join the parts of a name or title and carry no meaning of their own.
FILLERS = frozenset(
    [
        "dr",
        "mr",
        "mrs",
        "ms",
        "prof",
        "sir",
        "madam",
        "excellency",
        "the",
        "a",
        "an",
        "of",
        "for",
        "to",
        "at",
        "de",
        "del",
        "la",
        "le",
        "von",
        "der",
        "van",
        "den",
        "da",
        "di",
        "du",
        "al",
        "el",
        "bin",
        "im",  # "I'm", as tokens() leaves it
    ]
)

# Acronyms of roles, spelled out (organisation acronyms are made from the names themselves).
ROLE_ACRONYMS: dict[str, tuple[str, ...]] = {
    "fm": ("foreign", "minister"),
    "pm": ("prime", "minister"),
    "sg": ("secretary", "general"),
    "sec": ("secretary",),
    "gen": ("general",),
    "secgen": ("secretary", "general"),
    "dpm": ("deputy", "prime", "minister"),
    "mp": ("member", "parliament"),
    "mep": ("member", "european", "parliament"),
    "ceo": ("chief", "executive"),
    "dg": ("director", "general"),
    "premier": ("prime", "minister"),
    # An organisation's acronym joined to its office, as diplomats write them.
    "unsg": ("un", "secretary", "general"),
    "eusr": ("eu", "special", "representative"),
    "hrvp": ("high", "representative", "foreign", "affairs"),
}

# Two-word names of offices that news reports use instead of the title itself.
ROLE_PHRASES: dict[tuple[str, str], tuple[str, ...]] = {
    ("top", "diplomat"): ("foreign", "minister"),
    ("chief", "diplomat"): ("foreign", "minister"),
    # Synthetic title words that bot.core.roles gives a country's own head offices.
    ("head", "state"): ("headofstate",),
    ("head", "government"): ("headofgovernment",),
    ("foreign", "secretary"): ("foreign", "minister"),
    ("secretary", "state"): ("secretary", "state"),
}

# Offices a country calls by a name of its own: (country, title words) -> the common name.
NATIONAL_OFFICE_NAMES: dict[tuple[str, str], str] = {
    ("united states", "secretary of state"): "foreign minister",
}

# Well-known acronyms whose letters do not follow the words of the full name.
KNOWN_ACRONYMS: dict[str, str] = {
    "un": "united nations",
    "eu": "european union",
    "au": "african union",
    "uae": "united arab emirates",
    "usa": "united states",
    "us": "united states",
    "uk": "united kingdom",
    "drc": "democratic republic of the congo",
    "afcfta": "african continental free trade area",
    "sco": "shanghai cooperation organization",
    "cis": "commonwealth of independent states",
    "osce": "organization for security and co-operation in europe",
    "nato": "north atlantic treaty organization",
    "asean": "association of southeast asian nations",
    "unhcr": "united nations high commissioner for refugees",
    "icrc": "international committee of the red cross",
    "pace": "parliamentary assembly of the council of europe",
    "coe": "council of europe",
    "who": "world health organization",
    "wto": "world trade organization",
    "imf": "international monetary fund",
    "iaea": "international atomic energy agency",
    "unicef": "united nations children's fund",
    "unesco": "united nations educational scientific and cultural organization",
    "opec": "organization of the petroleum exporting countries",
    "cop": "conference of the parties",
    "covid": "coronavirus disease",
}

# Organisations of the United Nations system whose names do not say "United Nations": news
# reports call them "the UN food agency" (WFP) or "the UN nuclear watchdog" (IAEA).
UN_SYSTEM = frozenset(
    {"unhcr", "unicef", "who", "iaea", "wfp", "iom", "unesco", "fao", "ilo", "undp", "unfpa",
     "ohchr", "unrwa", "unep", "unctad", "unodc", "unops", "icao", "imo", "itu", "upu", "wmo",
     "wipo", "ifad", "unido", "unwto", "unaids", "ocha"}
)  # fmt: skip

# Word classes: any word of a class matches any other. The first word is the canonical one.
SYNONYM_CLASSES: tuple[tuple[str, ...], ...] = (
    ("chair", "chairperson", "chairman", "chairwoman", "chairmen"),
    ("speaker", "chair", "chairman"),
    ("minister", "ministry"),
    ("foreign", "external"),
    ("secretary", "secretariat"),
    ("person", "people", "individual", "citizen"),
    ("issue", "problem", "question", "dispute", "conflict"),
    # Not "fighting": its stem is "fight", and a fight against corruption is no war.
    ("conflict", "war", "hostilities", "crisis"),
    ("member", "membership", "join", "joining", "accession", "admission"),
    ("election", "electoral", "vote", "voting"),
    ("energy", "power"),
    ("refugee", "displaced"),
    ("corruption", "graft", "bribery"),
    ("ukraine", "ukrainian"),
    ("mine", "landmine", "demining", "minefield"),
    ("defence", "defense"),
    ("nuclear", "atomic"),
    ("trade", "commerce"),
    ("investment", "investor"),
    ("supply", "delivery", "shipment"),
    ("democracy", "democratic", "democratization"),
    ("tax", "taxation"),
    ("tourism", "tourist"),
    ("ammunition", "munitions"),
    ("displaced", "displacement", "idps"),
    ("economy", "economic"),
    ("environment", "environmental"),
    ("technology", "tech"),
)  # fmt: skip

# A general word and the specific things it covers: "parliament" finds the Rada, but
# "Bundestag" finds only the Bundestag.
HYPONYMS: dict[str, tuple[str, ...]] = {
    "parliament": ("parliamentary", "legislature", "rada", "bundestag", "majlis", "duma", "sejm",
                   "seimas", "saeima", "riigikogu", "eduskunta", "riksdag", "storting",
                   "folketing", "althing", "knesset", "congress", "senate", "assembly",
                   "house", "mazhilis", "oliy", "sabor", "skupstina", "verkhovna", "bundesrat",
                   "nationalrat", "sobranie", "jogorku", "milli"),
    "government": ("cabinet", "presidency", "ministry", "administration"),
    "envoy": ("ambassador", "representative", "emissary", "plenipotentiary"),
}  # fmt: skip

# Words that only say someone holds some office: they match any role.
GENERIC_ROLE_WORDS = frozenset(
    [
        "chief",
        "head",
        "leader",
        "official",
        "representative",
        "counterpart",
        "top",
        "boss",
        "delegation",
        "agency",
        "office",
        "body",
        "organization",
        "organisation",
        "institution",
        "authority",
        "side",
        "watchdog",
        "people",
        "person",
        "persons",
    ]
)

# Titles that are not the office itself: "vice-president" is not "president".
ROLE_MODIFIERS = frozenset(["vice", "deputy", "former", "ex", "acting", "first", "assistant"])
# Of those, the ones that still mean the office is held ("acting foreign minister").
ROLE_MODIFIERS_ACCEPTED = frozenset({"acting", "first"})

# Countries by region, and the adjective of each country, for "Baltic leaders" or "Finnish".
REGIONS: dict[str, tuple[str, ...]] = {
    "baltic": ("estonia", "latvia", "lithuania"),
    "nordic": ("denmark", "finland", "iceland", "norway", "sweden"),
    "scandinavian": ("denmark", "norway", "sweden"),
    "central asia": ("kazakhstan", "kyrgyzstan", "tajikistan", "turkmenistan", "uzbekistan"),
    "south caucasus": ("armenia", "azerbaijan", "georgia"),
    "caucasus": ("armenia", "azerbaijan", "georgia"),
    "balkan": ("albania", "bosnia", "bulgaria", "croatia", "greece", "kosovo", "montenegro",
               "north macedonia", "romania", "serbia", "slovenia"),
    "horn of africa": ("djibouti", "eritrea", "ethiopia", "somalia"),
    "gulf": ("bahrain", "kuwait", "oman", "qatar", "saudi arabia", "united arab emirates"),
    "southeast asia": ("brunei", "cambodia", "indonesia", "laos", "malaysia", "myanmar",
                       "philippines", "singapore", "thailand", "timor leste", "vietnam"),
    "east asia": ("china", "japan", "mongolia", "north korea", "south korea", "taiwan",
                  "hong kong"),
    "south asia": ("afghanistan", "bangladesh", "bhutan", "india", "maldives", "nepal",
                   "pakistan", "sri lanka"),
    "middle east": ("bahrain", "egypt", "iran", "iraq", "israel", "jordan", "kuwait",
                    "lebanon", "oman", "palestine", "qatar", "saudi arabia", "syria", "turkey",
                    "united arab emirates", "yemen"),
    "north africa": ("algeria", "egypt", "libya", "morocco", "tunisia"),
    "west africa": ("benin", "burkina faso", "cape verde", "gambia", "ghana", "guinea",
                    "guinea-bissau", "ivory coast", "liberia", "mali", "mauritania", "niger",
                    "nigeria", "senegal", "sierra leone", "togo"),
    "east africa": ("burundi", "djibouti", "eritrea", "ethiopia", "kenya", "rwanda", "somalia",
                    "south sudan", "tanzania", "uganda"),
    "southern africa": ("angola", "botswana", "eswatini", "lesotho", "malawi", "mozambique",
                        "namibia", "south africa", "zambia", "zimbabwe"),
    "western balkans": ("albania", "bosnia", "kosovo", "montenegro", "north macedonia",
                        "serbia"),
    "north america": ("canada", "mexico", "united states"),
    "central america": ("belize", "costa rica", "el salvador", "guatemala", "honduras",
                        "nicaragua", "panama"),
    "south america": ("argentina", "bolivia", "brazil", "chile", "colombia", "ecuador",
                      "guyana", "paraguay", "peru", "suriname", "uruguay", "venezuela"),
    "latin america": ("argentina", "bolivia", "brazil", "chile", "colombia", "costa rica",
                      "cuba", "dominican republic", "ecuador", "el salvador", "guatemala",
                      "honduras", "mexico", "nicaragua", "panama", "paraguay", "peru",
                      "uruguay", "venezuela"),
}  # fmt: skip
# A region's adjective is the region: "Central Asian leaders", "Southeast Asian states".
for _region, _adjective in (
    ("central asia", "central asian"),
    ("southeast asia", "southeast asian"),
    ("south caucasus", "south caucasian"),
    ("east asia", "east asian"),
    ("south asia", "south asian"),
    ("middle east", "middle eastern"),
    ("north africa", "north african"),
    ("west africa", "west african"),
    ("east africa", "east african"),
    ("latin america", "latin american"),
):
    REGIONS[_adjective] = REGIONS[_region]

# Adjectives of countries ("Finnish"), from the full table of bot.core.geography; Kurdish
# names a region, not a country, but officials are called by it ("the Kurdish PM").
DEMONYMS: dict[str, str] = {**GEOGRAPHY_DEMONYMS, "kurdish": "kurdistan"}


# Prefixes that make one word with what follows the hyphen ("Co-operation" is one initial).
_BOUND_PREFIXES = frozenset({"co", "re", "ex", "pre", "non", "anti", "inter", "multi", "post"})
_ARTICLES = frozenset({"the", "a", "an"})


def _initial_words(name: str) -> list[str]:
    """The words of a name as acronyms count them: a bound prefix joins its word, and "UN"
    is United Nations ("UN Security Council" is the UNSC, as the United Nations' bodies are
    called whether their names spell it out or not)."""
    out: list[str] = []
    for raw in name.split():
        parts = [p for w in raw.split("-") for p in tokens(w)]
        while len(parts) > 1 and parts[0] in _BOUND_PREFIXES:
            parts = [parts[0] + parts[1], *parts[2:]]
        for part in parts:
            out.extend(("united", "nations") if part == "un" and raw.isupper() else (part,))
    return out


def initials_acronyms(name: str, *, max_words: int = 7) -> set[str]:
    """Acronyms of every run of content words in a name: 'Office of the UN High Commissioner
    for Refugees' gives 'unhcr', 'Ministry of Foreign Affairs' gives 'mfa'; a hyphenated
    compound gives its own, with its function words: 'Chairperson-in-Office' gives 'cio'."""
    words_ = _initial_words(name)
    content = [w for w in words_ if w not in FILLERS and w not in {"and", "in", "on"}]
    out: set[str] = set()
    for start in range(len(content)):
        for end in range(start + 2, min(len(content), start + max_words) + 1):
            out.add("".join(w[0] for w in content[start:end]))
    for raw in name.split():
        parts = [p for w in raw.split("-") for p in tokens(w)]
        if len(parts) >= 3:
            out.add("".join(p[0] for p in parts))
    return out


def name_acronyms(name: str) -> set[str]:
    """Acronyms of a whole name, with and without its function words: 'Council of Europe'
    gives 'ce' and 'coe'."""
    words_ = _initial_words(name)
    content = [w for w in words_ if w not in FILLERS and w not in {"and", "in", "on"}]
    with_function_words = [w for w in words_ if w not in _ARTICLES]
    out = {"".join(w[0] for w in run) for run in (content, with_function_words) if len(run) > 1}
    return out


@lru_cache(maxsize=1)
def synonym_map() -> dict[str, frozenset[str]]:
    """Map each (normalised) word to every word it may stand for, itself included."""
    mapping: dict[str, set[str]] = {}
    for group in SYNONYM_CLASSES:
        normed = {t for w in group for t in normalize_word(w)}
        for word in normed:
            mapping.setdefault(word, {word}).update(normed)
    # Other current names of a country: Türkiye is Turkey, Czechia the Czech Republic.
    for alias, country in COUNTRY_ALIASES.items():
        alias_tokens, country_tokens = normalize_word(alias), tokens(country)
        if len(alias_tokens) == 1 and len(country_tokens) == 1 and len(alias_tokens[0]) > 3:
            pair = {alias_tokens[0], country_tokens[0]}
            for word in pair:
                mapping.setdefault(word, {word}).update(pair)
    for general, specifics in HYPONYMS.items():
        for word in normalize_word(general):
            mapping.setdefault(word, {word}).update(
                t for specific in specifics for t in normalize_word(specific)
            )
    return {w: frozenset(s) for w, s in mapping.items()}


def expand_word(word: str) -> frozenset[str]:
    """Return the word with its synonyms."""
    return synonym_map().get(word, frozenset((word,)))


@lru_cache(maxsize=1)
def _lexicon_words() -> frozenset[str]:
    found: set[str] = set()
    for table in (DEMONYMS, REGIONS, CONTINENTS, KNOWN_ACRONYMS, ROLE_ACRONYMS):
        for key in table:
            found.update(tokens(key))
    found.update(synonym_map())
    found.update(GENERIC_ROLE_WORDS)
    found.update(ROLE_MODIFIERS)
    return frozenset(found)


# Ranks and honorifics that aliases carry beside a name ("Colonel-General Naghiyev",
# "Ambassador Smith"): they describe the person, they are not part of the name.
RANKS = stem_words(
    "general colonel lieutenant major captain admiral marshal brigadier commander "
    "ambassador minister president premier chancellor senator governor mayor king queen "
    "prince princess sheikh emir sultan his her excellency honourable honorable hon "
    "professor doctor dr prof mr mrs ms sir lord lady madam chairman chairwoman chair "
    "secretary speaker deputy vice acting former ex foreign prime head chief envoy"
)

# Words that only say "what was on the table" inside a topic phrase ("on the agenda").
TOPIC_FILLERS = stem_words("agenda table menu discussion discussions conversation talks")

# Greetings and thanks: a message made only of these gets a friendly reply, not a search.
SMALL_TALK = stem_words(
    "hi hello hey hiya greetings good morning afternoon evening thanks thank you cheers "
    "ok okay bye goodbye please привет здравствуйте спасибо пожалуйста"
)
THANKS = stem_words("thanks thank cheers спасибо")


@lru_cache(maxsize=4096)
def is_dictionary_word(word: str) -> bool:
    """Whether a lowercase token is an ordinary English word (so not a name nobody recorded).

    Uses simplemma's English dictionary, which ships with the package and loads (about
    0.25 s) only the first time a question holds a word no vocabulary of the catalog knows;
    its low-memory reader keeps 6 MB instead of 25 MB.
    """
    if not word.isalpha() or not word.isascii():
        return False
    import simplemma

    return bool(simplemma.is_known(word, lang="en", low_memory=True))


@lru_cache(maxsize=4096)
def is_inflected(word: str) -> bool:
    """Whether an English word is an inflected form ("hosted", "visiting"): a verb, not a name.

    A noun's plural is no inflection of a verb: "women" in "women's rights" is the topic.
    """
    if not is_dictionary_word(word):
        return False
    import simplemma

    lemma = str(simplemma.lemmatize(word, lang="en", low_memory=True)).lower()
    return lemma != word and not _noun_plural(word, lemma)


def _noun_plural(word: str, lemma: str) -> bool:
    """Whether word is lemma's plural as nouns form it: -s, -es, -men, -ren, -ses of -sis,
    -a of -um or -on ("women", "children", "crises", "criteria")."""
    endings = (("s", ""), ("es", ""), ("men", "man"), ("ren", ""), ("ses", "sis"), ("a", "um"),
               ("a", "on"))  # fmt: skip
    return any(
        word.endswith(plural) and word[: len(word) - len(plural)] + singular == lemma
        for plural, singular in endings
    )


def is_lexicon_word(word: str) -> bool:
    """Whether word is a role, place or topic word of the lexicon (so not a misspelt name)."""
    return word in _lexicon_words()
