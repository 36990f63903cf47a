"""General world knowledge used to read questions: demonyms, country names, capitals.

These are general facts about how news and people name countries, so that a question about
"the Serbian president", "Türkiye's foreign minister" or a meeting "in the Kazakh capital" can
be read as being about Serbia, Turkey or Astana. They are never rules for one particular
question. Plain data only, no logic.

Conventions:

* Every key is lowercase ASCII (accents dropped: "Türkiye" -> "turkiye", "Brasília" ->
  "brasilia"). Keys may hold spaces, hyphens and apostrophes ("cote d'ivoire", "nur-sultan");
  where people also write them without, that spelling is a key too.
* Every value is a canonical country name: lowercase ASCII, as English-language news reports
  name the country ("turkey", "czech republic", "ivory coast", "united states"). The canonical
  names are exactly the values of DEMONYMS; COUNTRY_ALIASES and CAPITALS point at them.
* Covered: the 193 UN member states, plus Kosovo, Palestine, Taiwan, the Vatican, Western
  Sahara and Hong Kong. Historical names (Persia, Zaire, Ceylon) are left out on purpose.
* Ambiguous words are left out or resolved to the reading news uses: "congolese" is the
  Democratic Republic of the Congo, "dominican" the Dominican Republic, "korean" alone and
  "congo" alone are not keys.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

# Adjective or demonym -> canonical country. Where a country has no adjective of its own, or
# news uses its name as one ("New Zealand officials", "Dominica's prime minister"), the name
# itself is the key.
DEMONYMS: dict[str, str] = {
    # A
    "afghan": "afghanistan",
    "albanian": "albania",
    "algerian": "algeria",
    "andorran": "andorra",
    "angolan": "angola",
    "antiguan": "antigua and barbuda", "barbudan": "antigua and barbuda",
    "argentine": "argentina", "argentinian": "argentina", "argentinean": "argentina",
    "armenian": "armenia",
    "australian": "australia", "aussie": "australia",
    "austrian": "austria",
    "azerbaijani": "azerbaijan", "azeri": "azerbaijan", "azerbaijanian": "azerbaijan",
    # B
    "bahamian": "bahamas",
    "bahraini": "bahrain",
    "bangladeshi": "bangladesh",
    "barbadian": "barbados", "bajan": "barbados",
    "belarusian": "belarus", "belarussian": "belarus", "belarusan": "belarus",
    "belgian": "belgium",
    "belizean": "belize",
    "beninese": "benin", "beninois": "benin",
    "bhutanese": "bhutan",
    "bolivian": "bolivia",
    "bosnian": "bosnia and herzegovina", "herzegovinian": "bosnia and herzegovina",
    "botswanan": "botswana", "motswana": "botswana", "batswana": "botswana",
    "brazilian": "brazil",
    "bruneian": "brunei",
    "bulgarian": "bulgaria",
    "burkinabe": "burkina faso", "burkinese": "burkina faso",
    "burundian": "burundi",
    # C
    "cape verdean": "cape verde", "cabo verdean": "cape verde",
    "cambodian": "cambodia",
    "cameroonian": "cameroon",
    "canadian": "canada",
    "central african": "central african republic",
    "chadian": "chad",
    "chilean": "chile",
    "chinese": "china",
    "colombian": "colombia",
    "comorian": "comoros", "comoran": "comoros",
    "congolese": "democratic republic of the congo",
    "republic of the congo": "republic of the congo",
    "brazzaville congolese": "republic of the congo",
    "costa rican": "costa rica",
    "ivorian": "ivory coast",
    "croatian": "croatia", "croat": "croatia",
    "cuban": "cuba",
    "cypriot": "cyprus", "greek cypriot": "cyprus",
    "czech": "czech republic",
    # D
    "danish": "denmark", "dane": "denmark",
    "djiboutian": "djibouti",
    "dominica": "dominica",
    "dominican": "dominican republic",
    # E
    "ecuadorian": "ecuador", "ecuadoran": "ecuador",
    "egyptian": "egypt",
    "salvadoran": "el salvador", "salvadorean": "el salvador", "salvadorian": "el salvador",
    "equatorial guinean": "equatorial guinea", "equatoguinean": "equatorial guinea",
    "eritrean": "eritrea",
    "estonian": "estonia",
    "swazi": "eswatini", "emaswati": "eswatini",
    "ethiopian": "ethiopia",
    # F
    "fijian": "fiji",
    "finnish": "finland", "finn": "finland",
    "french": "france",
    # G
    "gabonese": "gabon",
    "gambian": "gambia",
    "georgian": "georgia",
    "german": "germany",
    "ghanaian": "ghana",
    "greek": "greece", "hellenic": "greece",
    "grenadian": "grenada",
    "guatemalan": "guatemala",
    "guinean": "guinea",
    "bissau-guinean": "guinea-bissau", "bissau guinean": "guinea-bissau",
    "guyanese": "guyana",
    # H
    "haitian": "haiti",
    "honduran": "honduras",
    "hungarian": "hungary",
    # I
    "icelandic": "iceland", "icelander": "iceland",
    "indian": "india",
    "indonesian": "indonesia",
    "iranian": "iran",
    "iraqi": "iraq",
    "irish": "ireland",
    "israeli": "israel",
    "italian": "italy",
    # J
    "jamaican": "jamaica",
    "japanese": "japan",
    "jordanian": "jordan",
    # K
    "kazakh": "kazakhstan", "kazakhstani": "kazakhstan", "kazak": "kazakhstan",
    "kenyan": "kenya",
    "i-kiribati": "kiribati", "kiribati": "kiribati",
    "kuwaiti": "kuwait",
    "kyrgyz": "kyrgyzstan", "kyrgyzstani": "kyrgyzstan", "kirghiz": "kyrgyzstan",
    # L
    "lao": "laos", "laotian": "laos",
    "latvian": "latvia",
    "lebanese": "lebanon",
    "basotho": "lesotho", "mosotho": "lesotho",
    "liberian": "liberia",
    "libyan": "libya",
    "liechtensteiner": "liechtenstein", "liechtenstein": "liechtenstein",
    "lithuanian": "lithuania",
    "luxembourgish": "luxembourg", "luxembourger": "luxembourg", "luxembourgian": "luxembourg",
    # M
    "malagasy": "madagascar",
    "malawian": "malawi",
    "malaysian": "malaysia",
    "maldivian": "maldives",
    "malian": "mali",
    "maltese": "malta",
    "marshallese": "marshall islands",
    "mauritanian": "mauritania",
    "mauritian": "mauritius",
    "mexican": "mexico",
    "micronesian": "micronesia",
    "moldovan": "moldova",
    "monegasque": "monaco", "monacan": "monaco",
    "mongolian": "mongolia",
    "montenegrin": "montenegro",
    "moroccan": "morocco",
    "mozambican": "mozambique",
    "burmese": "myanmar", "myanmar": "myanmar", "myanmarese": "myanmar",
    # N
    "namibian": "namibia",
    "nauruan": "nauru",
    "nepali": "nepal", "nepalese": "nepal",
    "dutch": "netherlands",
    "new zealand": "new zealand", "new zealander": "new zealand",
    "nicaraguan": "nicaragua",
    "nigerien": "niger",
    "nigerian": "nigeria",
    "north korean": "north korea",
    "north macedonian": "north macedonia", "macedonian": "north macedonia",
    "norwegian": "norway",
    # O
    "omani": "oman",
    # P
    "pakistani": "pakistan",
    "palauan": "palau",
    "panamanian": "panama",
    "papua new guinean": "papua new guinea",
    "paraguayan": "paraguay",
    "peruvian": "peru",
    "filipino": "philippines", "filipina": "philippines", "philippine": "philippines",
    "polish": "poland", "pole": "poland",
    "portuguese": "portugal",
    # Q
    "qatari": "qatar",
    # R
    "romanian": "romania",
    "russian": "russia",
    "rwandan": "rwanda",
    # S
    "kittitian": "saint kitts and nevis", "nevisian": "saint kitts and nevis",
    "saint lucian": "saint lucia", "st lucian": "saint lucia",
    "vincentian": "saint vincent and the grenadines",
    "samoan": "samoa",
    "sammarinese": "san marino", "san marinese": "san marino",
    "sao tomean": "sao tome and principe", "santomean": "sao tome and principe",
    "saudi": "saudi arabia", "saudi arabian": "saudi arabia",
    "senegalese": "senegal",
    "serbian": "serbia", "serb": "serbia",
    "seychellois": "seychelles",
    "sierra leonean": "sierra leone",
    "singaporean": "singapore",
    "slovak": "slovakia", "slovakian": "slovakia",
    "slovenian": "slovenia", "slovene": "slovenia",
    "solomon islander": "solomon islands", "solomon islands": "solomon islands",
    "somali": "somalia", "somalian": "somalia",
    "south african": "south africa",
    "south korean": "south korea",
    "south sudanese": "south sudan",
    "spanish": "spain", "spaniard": "spain",
    "sri lankan": "sri lanka",
    "sudanese": "sudan",
    "surinamese": "suriname", "surinamer": "suriname",
    "swedish": "sweden", "swede": "sweden",
    "swiss": "switzerland",
    "syrian": "syria",
    # T
    "tajik": "tajikistan", "tajikistani": "tajikistan", "tadjik": "tajikistan",
    "tanzanian": "tanzania",
    "thai": "thailand",
    "timorese": "timor-leste", "east timorese": "timor-leste",
    "togolese": "togo",
    "tongan": "tonga",
    "trinidadian": "trinidad and tobago", "tobagonian": "trinidad and tobago",
    "trinbagonian": "trinidad and tobago",
    "tunisian": "tunisia",
    "turkish": "turkey",
    "turkmen": "turkmenistan", "turkmenistani": "turkmenistan",
    "tuvaluan": "tuvalu",
    # U
    "ugandan": "uganda",
    "ukrainian": "ukraine",
    "emirati": "united arab emirates",
    "british": "united kingdom",
    "american": "united states",
    "uruguayan": "uruguay",
    "uzbek": "uzbekistan", "uzbekistani": "uzbekistan",
    # V
    "ni-vanuatu": "vanuatu", "vanuatuan": "vanuatu",
    "venezuelan": "venezuela",
    "vietnamese": "vietnam",
    # Y
    "yemeni": "yemen", "yemenite": "yemen",
    # Z
    "zambian": "zambia",
    "zimbabwean": "zimbabwe",
    # Beyond the UN members
    "kosovar": "kosovo", "kosovan": "kosovo", "kosovo": "kosovo",
    "palestinian": "palestine",
    "taiwanese": "taiwan",
    "vatican": "vatican",
    "sahrawi": "western sahara", "saharawi": "western sahara",
    "western saharan": "western sahara",
    "hong kong": "hong kong", "hongkonger": "hong kong", "hong konger": "hong kong",
}  # fmt: skip

# Alternative country name -> canonical country (a value of DEMONYMS). Official long forms,
# current renamings, abbreviations and spellings in current news use; no historical names.
COUNTRY_ALIASES: dict[str, str] = {
    # Renamings and official forms
    "turkiye": "turkey", "republic of turkiye": "turkey", "republic of turkey": "turkey",
    "czechia": "czech republic",
    "macedonia": "north macedonia", "fyrom": "north macedonia",
    "former yugoslav republic of macedonia": "north macedonia",
    "republic of north macedonia": "north macedonia",
    "cote d'ivoire": "ivory coast", "cote divoire": "ivory coast",
    "cote d ivoire": "ivory coast", "republic of cote d'ivoire": "ivory coast",
    "burma": "myanmar", "republic of the union of myanmar": "myanmar",
    "swaziland": "eswatini", "kingdom of eswatini": "eswatini",
    "cabo verde": "cape verde",
    "east timor": "timor-leste", "timor leste": "timor-leste",
    "holy see": "vatican", "vatican city": "vatican", "vatican city state": "vatican",
    "the vatican": "vatican",
    "the gambia": "gambia", "republic of the gambia": "gambia",
    # United Kingdom and United States
    "britain": "united kingdom", "great britain": "united kingdom", "uk": "united kingdom",
    "united kingdom of great britain and northern ireland": "united kingdom",
    "usa": "united states", "us": "united states", "america": "united states",
    "united states of america": "united states",
    # Congo
    "drc": "democratic republic of the congo", "dr congo": "democratic republic of the congo",
    "congo-kinshasa": "democratic republic of the congo",
    "congo kinshasa": "democratic republic of the congo",
    "democratic republic of congo": "democratic republic of the congo",
    "republic of congo": "republic of the congo",
    "congo-brazzaville": "republic of the congo",
    "congo brazzaville": "republic of the congo",
    # Koreas, Chinas
    "republic of korea": "south korea", "south korea": "south korea", "rok": "south korea",
    "dprk": "north korea", "democratic people's republic of korea": "north korea",
    "democratic peoples republic of korea": "north korea",
    "prc": "china", "people's republic of china": "china",
    "peoples republic of china": "china", "mainland china": "china",
    "republic of china": "taiwan", "chinese taipei": "taiwan",
    "hong kong sar": "hong kong",
    # Gulf and Middle East
    "uae": "united arab emirates", "the emirates": "united arab emirates",
    "ksa": "saudi arabia", "kingdom of saudi arabia": "saudi arabia",
    "islamic republic of iran": "iran",
    "syrian arab republic": "syria",
    "state of palestine": "palestine", "palestinian territories": "palestine",
    "occupied palestinian territory": "palestine",
    "state of israel": "israel",
    "hashemite kingdom of jordan": "jordan",
    "state of qatar": "qatar", "state of kuwait": "kuwait", "sultanate of oman": "oman",
    "kingdom of bahrain": "bahrain",
    # Former Soviet Union
    "russian federation": "russia",
    "republic of moldova": "moldova",
    "kyrgyz republic": "kyrgyzstan",
    "republic of kazakhstan": "kazakhstan",
    "republic of uzbekistan": "uzbekistan",
    "republic of azerbaijan": "azerbaijan",
    # Europe
    "holland": "netherlands", "the netherlands": "netherlands",
    "kingdom of the netherlands": "netherlands",
    "slovak republic": "slovakia",
    "bosnia": "bosnia and herzegovina", "bosnia-herzegovina": "bosnia and herzegovina",
    "bosnia herzegovina": "bosnia and herzegovina", "bih": "bosnia and herzegovina",
    "republic of kosovo": "kosovo",
    "republic of ireland": "ireland",
    "federal republic of germany": "germany",
    # Asia and the Pacific
    "lao pdr": "laos", "lao people's democratic republic": "laos",
    "viet nam": "vietnam",
    "brunei darussalam": "brunei",
    "federated states of micronesia": "micronesia",
    # Africa
    "united republic of tanzania": "tanzania",
    "guinea bissau": "guinea-bissau",
    "sao tome": "sao tome and principe",
    "central african rep": "central african republic",
    "sahrawi arab democratic republic": "western sahara",
    # Americas and the Caribbean
    "plurinational state of bolivia": "bolivia",
    "bolivarian republic of venezuela": "venezuela",
    "antigua": "antigua and barbuda",
    "bahamas": "bahamas", "the bahamas": "bahamas",
    "trinidad": "trinidad and tobago",
    "st kitts and nevis": "saint kitts and nevis", "saint kitts": "saint kitts and nevis",
    "st kitts": "saint kitts and nevis", "st lucia": "saint lucia",
    "st vincent and the grenadines": "saint vincent and the grenadines",
    "saint vincent": "saint vincent and the grenadines",
    "st vincent": "saint vincent and the grenadines",
}  # fmt: skip

# Capital city (and, where it differs, the seat of government) -> canonical country.
CAPITALS: dict[str, str] = {
    # A
    "kabul": "afghanistan", "tirana": "albania", "tirane": "albania", "algiers": "algeria",
    "andorra la vella": "andorra", "luanda": "angola",
    "saint john's": "antigua and barbuda", "st john's": "antigua and barbuda",
    "buenos aires": "argentina", "yerevan": "armenia", "erevan": "armenia",
    "canberra": "australia", "vienna": "austria", "wien": "austria", "baku": "azerbaijan",
    # B
    "nassau": "bahamas", "manama": "bahrain", "dhaka": "bangladesh",
    "bridgetown": "barbados", "minsk": "belarus", "brussels": "belgium",
    "belmopan": "belize", "porto-novo": "benin", "porto novo": "benin", "cotonou": "benin",
    "thimphu": "bhutan", "sucre": "bolivia", "la paz": "bolivia",
    "sarajevo": "bosnia and herzegovina", "gaborone": "botswana", "brasilia": "brazil",
    "bandar seri begawan": "brunei", "sofia": "bulgaria", "ouagadougou": "burkina faso",
    "gitega": "burundi", "bujumbura": "burundi",
    # C
    "praia": "cape verde", "phnom penh": "cambodia", "yaounde": "cameroon",
    "ottawa": "canada", "bangui": "central african republic",
    "n'djamena": "chad", "ndjamena": "chad", "n djamena": "chad",
    "santiago": "chile", "santiago de chile": "chile", "beijing": "china",
    "bogota": "colombia", "moroni": "comoros", "brazzaville": "republic of the congo",
    "kinshasa": "democratic republic of the congo", "san jose": "costa rica",
    "yamoussoukro": "ivory coast", "zagreb": "croatia", "havana": "cuba",
    "nicosia": "cyprus", "prague": "czech republic", "praha": "czech republic",
    # D
    "copenhagen": "denmark", "djibouti": "djibouti", "djibouti city": "djibouti",
    "roseau": "dominica", "santo domingo": "dominican republic",
    # E
    "quito": "ecuador", "cairo": "egypt", "san salvador": "el salvador",
    "malabo": "equatorial guinea", "asmara": "eritrea", "asmera": "eritrea",
    "tallinn": "estonia", "mbabane": "eswatini", "lobamba": "eswatini",
    "addis ababa": "ethiopia",
    # F
    "suva": "fiji", "helsinki": "finland", "paris": "france",
    # G
    "libreville": "gabon", "banjul": "gambia", "tbilisi": "georgia", "berlin": "germany",
    "accra": "ghana", "athens": "greece", "saint george's": "grenada",
    "st george's": "grenada", "guatemala city": "guatemala", "conakry": "guinea",
    "bissau": "guinea-bissau", "georgetown": "guyana",
    # H
    "port-au-prince": "haiti", "port au prince": "haiti", "tegucigalpa": "honduras",
    "budapest": "hungary",
    # I
    "reykjavik": "iceland", "new delhi": "india", "jakarta": "indonesia",
    "tehran": "iran", "teheran": "iran", "baghdad": "iraq", "dublin": "ireland",
    "jerusalem": "israel", "rome": "italy",
    # J
    "kingston": "jamaica", "tokyo": "japan", "amman": "jordan",
    # K
    "astana": "kazakhstan", "nur-sultan": "kazakhstan", "nur sultan": "kazakhstan",
    "nursultan": "kazakhstan", "nairobi": "kenya", "tarawa": "kiribati",
    "south tarawa": "kiribati", "kuwait city": "kuwait", "bishkek": "kyrgyzstan",
    # L
    "vientiane": "laos", "riga": "latvia", "beirut": "lebanon", "maseru": "lesotho",
    "monrovia": "liberia", "tripoli": "libya", "vaduz": "liechtenstein",
    "vilnius": "lithuania", "luxembourg city": "luxembourg", "luxembourg": "luxembourg",
    # M
    "antananarivo": "madagascar", "lilongwe": "malawi", "kuala lumpur": "malaysia",
    "putrajaya": "malaysia", "male": "maldives", "bamako": "mali", "valletta": "malta",
    "majuro": "marshall islands", "nouakchott": "mauritania", "port louis": "mauritius",
    "mexico city": "mexico", "palikir": "micronesia", "chisinau": "moldova",
    "kishinev": "moldova", "monaco": "monaco", "ulaanbaatar": "mongolia",
    "ulan bator": "mongolia", "ulan-bator": "mongolia", "podgorica": "montenegro",
    "rabat": "morocco", "maputo": "mozambique", "naypyidaw": "myanmar",
    "nay pyi taw": "myanmar", "naypyitaw": "myanmar",
    # N
    "windhoek": "namibia", "yaren": "nauru", "kathmandu": "nepal", "amsterdam": "netherlands",
    "the hague": "netherlands", "wellington": "new zealand", "managua": "nicaragua",
    "niamey": "niger", "abuja": "nigeria", "pyongyang": "north korea",
    "skopje": "north macedonia", "oslo": "norway",
    # O
    "muscat": "oman",
    # P
    "islamabad": "pakistan", "ngerulmud": "palau", "panama city": "panama",
    "port moresby": "papua new guinea", "asuncion": "paraguay", "lima": "peru",
    "manila": "philippines", "warsaw": "poland", "lisbon": "portugal",
    # Q
    "doha": "qatar",
    # R
    "bucharest": "romania", "moscow": "russia", "kigali": "rwanda",
    # S
    "basseterre": "saint kitts and nevis", "castries": "saint lucia",
    "kingstown": "saint vincent and the grenadines", "apia": "samoa",
    "san marino": "san marino", "sao tome": "sao tome and principe",
    "riyadh": "saudi arabia", "dakar": "senegal", "belgrade": "serbia",
    "victoria": "seychelles", "freetown": "sierra leone", "singapore": "singapore",
    "bratislava": "slovakia", "ljubljana": "slovenia", "honiara": "solomon islands",
    "mogadishu": "somalia", "pretoria": "south africa", "cape town": "south africa",
    "bloemfontein": "south africa", "seoul": "south korea", "juba": "south sudan",
    "madrid": "spain", "colombo": "sri lanka", "sri jayawardenepura kotte": "sri lanka",
    "kotte": "sri lanka", "khartoum": "sudan", "paramaribo": "suriname",
    "stockholm": "sweden", "bern": "switzerland", "berne": "switzerland",
    "damascus": "syria",
    # T
    "dushanbe": "tajikistan", "dodoma": "tanzania", "bangkok": "thailand", "dili": "timor-leste",
    "lome": "togo", "nuku'alofa": "tonga", "nukualofa": "tonga",
    "port of spain": "trinidad and tobago", "port-of-spain": "trinidad and tobago",
    "tunis": "tunisia", "ankara": "turkey", "ashgabat": "turkmenistan",
    "ashkhabad": "turkmenistan", "funafuti": "tuvalu",
    # U
    "kampala": "uganda", "kyiv": "ukraine", "kiev": "ukraine",
    "abu dhabi": "united arab emirates", "london": "united kingdom",
    "washington": "united states", "washington dc": "united states",
    "washington d c": "united states", "montevideo": "uruguay", "tashkent": "uzbekistan",
    "toshkent": "uzbekistan",
    # V
    "port vila": "vanuatu", "port-vila": "vanuatu", "caracas": "venezuela", "hanoi": "vietnam",
    # Y
    "sanaa": "yemen", "sana'a": "yemen",
    # Z
    "lusaka": "zambia", "harare": "zimbabwe",
    # Beyond the UN members
    "pristina": "kosovo", "prishtina": "kosovo", "ramallah": "palestine",
    "taipei": "taiwan",
}  # fmt: skip


_COUNTRIES = set(DEMONYMS.values())
_CAPITALS_OF: dict[str, list[str]] = {}
for _capital, _country in CAPITALS.items():
    _CAPITALS_OF.setdefault(_country, []).append(_capital)


def country_named(words: list[str]) -> str | None:
    """The country the words of a place name ("serbia", "turkiye", "serbian capital")."""
    rest = [w for w in words if w != "capital"]
    phrase = " ".join(rest)
    if len(rest) == 1 and rest[0] in DEMONYMS:
        phrase = DEMONYMS[rest[0]]
    for form in (phrase, phrase + "s"):  # tokens() made "the Netherlands" "netherland"
        form = COUNTRY_ALIASES.get(form, form)
        if form in _COUNTRIES:
            return form
    return None


def capitals_of(country: str) -> list[str]:
    """The capital cities (and seats of government) of a canonical country name."""
    return _CAPITALS_OF.get(country, [])


# Continents, as IANA's zone.tab files each country's first time zone (written by
# scripts/continents.py): "meetings in Africa" are those held in an African country.
CONTINENTS: dict[str, tuple[str, ...]] = {
    "africa": (
        "algeria", "angola", "benin", "botswana", "burkina faso", "burundi", "cameroon",
        "cape verde", "central african republic", "chad", "comoros",
        "democratic republic of the congo", "djibouti", "egypt", "equatorial guinea", "eritrea",
        "eswatini", "ethiopia", "gabon", "gambia", "ghana", "guinea", "guinea-bissau",
        "ivory coast", "kenya", "lesotho", "liberia", "libya", "madagascar", "malawi", "mali",
        "mauritania", "mauritius", "morocco", "mozambique", "namibia", "niger", "nigeria",
        "republic of the congo", "rwanda", "sao tome and principe", "senegal", "seychelles",
        "sierra leone", "somalia", "south africa", "south sudan", "sudan", "tanzania", "togo",
        "tunisia", "uganda", "western sahara", "zambia", "zimbabwe",
    ),
    "americas": (
        "antigua and barbuda", "argentina", "bahamas", "barbados", "belize", "bolivia", "brazil",
        "canada", "chile", "colombia", "costa rica", "cuba", "dominica", "dominican republic",
        "ecuador", "el salvador", "grenada", "guatemala", "guyana", "haiti", "honduras", "jamaica",
        "mexico", "nicaragua", "panama", "paraguay", "peru", "saint kitts and nevis",
        "saint lucia", "saint vincent and the grenadines", "suriname", "trinidad and tobago",
        "united states", "uruguay", "venezuela",
    ),
    "asia": (
        "afghanistan", "armenia", "azerbaijan", "bahrain", "bangladesh", "bhutan", "brunei",
        "cambodia", "china", "cyprus", "georgia", "hong kong", "india", "indonesia", "iran",
        "iraq", "israel", "japan", "jordan", "kazakhstan", "kuwait", "kyrgyzstan", "laos",
        "lebanon", "malaysia", "maldives", "mongolia", "myanmar", "nepal", "north korea", "oman",
        "pakistan", "palestine", "philippines", "qatar", "saudi arabia", "singapore",
        "south korea", "sri lanka", "syria", "taiwan", "tajikistan", "thailand", "timor-leste",
        "turkmenistan", "united arab emirates", "uzbekistan", "vietnam", "yemen",
    ),
    "europe": (
        "albania", "andorra", "austria", "belarus", "belgium", "bosnia and herzegovina",
        "bulgaria", "croatia", "czech republic", "denmark", "estonia", "finland", "france",
        "germany", "greece", "hungary", "iceland", "ireland", "italy", "kosovo", "latvia",
        "liechtenstein", "lithuania", "luxembourg", "malta", "moldova", "monaco", "montenegro",
        "netherlands", "north macedonia", "norway", "poland", "portugal", "romania", "russia",
        "san marino", "serbia", "slovakia", "slovenia", "spain", "sweden", "switzerland", "turkey",
        "ukraine", "united kingdom", "vatican",
    ),
    "oceania": (
        "australia", "fiji", "kiribati", "marshall islands", "micronesia", "nauru", "new zealand",
        "palau", "papua new guinea", "samoa", "solomon islands", "tonga", "tuvalu", "vanuatu",
    ),
}  # fmt: skip


# Cities by their other names, old or transliterated ones included: a meeting recorded in
# "Nur-Sultan" was in Astana, "Kiev" is Kyiv. Each group is one city.
CITY_NAMES: tuple[tuple[str, ...], ...] = (
    ("astana", "nur-sultan", "nur sultan", "nursultan", "akmola", "tselinograd"),
    ("kyiv", "kiev"),
    ("odesa", "odessa"),
    ("kharkiv", "kharkov"),
    ("lviv", "lvov"),
    ("almaty", "alma-ata", "alma ata", "almaata"),
    ("ashgabat", "ashgabad", "ashkhabad"),
    ("mumbai", "bombay"),
    ("chennai", "madras"),
    ("kolkata", "calcutta"),
    ("beijing", "peking"),
    ("yangon", "rangoon"),
    ("ho chi minh city", "saigon"),
    ("chisinau", "kishinev"),
    ("bishkek", "frunze"),
    ("tbilisi", "tiflis"),
    ("vilnius", "vilna"),
)


@lru_cache(maxsize=1)
def cities_by_russian_name() -> dict[str, str]:
    """Cyrillic city names -> English ones (bot/core/cities_ru.tsv: GeoNames, CC BY 4.0, the
    cities over 50,000 people and the capitals; written by scripts/city_names.py)."""
    text = files("bot.core").joinpath("cities_ru.tsv").read_text(encoding="utf-8")
    rows = (line.split("\t") for line in text.splitlines() if line and not line.startswith("#"))
    return {cyrillic: english for cyrillic, english in rows}


@lru_cache(maxsize=1)
def world_city_names() -> frozenset[str]:
    """The English names of the same cities, lowercase ("lagos", "new york")."""
    return frozenset(english.lower() for english in cities_by_russian_name().values())
