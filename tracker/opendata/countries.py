"""The ISO 3166-1 alpha-3 and UN M49 codes and M49 region of a state, derived from its stored alpha-2 code.

Actors store one country code, ISO 3166-1 alpha-2 (`Actor.country_code`, for governments). The other
two codes statistical offices and UN data join on are derived here from the ISO 3166 tables that
`pycountry` ships, so no column has to be kept in step:

- ISO 3166-1 alpha-3 ("BEL");
- the UN M49 code ("056"): for countries, ISO 3166-1 numeric *is* the M49 code (ISO takes its
  numeric codes from the UN Statistics Division's M49 list), so it is read from the same table, as a
  three-digit zero-padded string. The one ISO country M49 does not list, Taiwan (ISO numeric 158),
  has no M49 code here.

- the UN M49 region and sub-region ("150" Europe, "155" Western Europe): the `countryinfo` package
  gives each country's region and sub-region by their M49 names; `M49_AREAS` holds the M49 codes of
  those 5 regions and 17 sub-regions (UNSD, Standard country or area codes for statistical use,
  https://unstats.un.org/unsd/methodology/m49/), and `area_name` names an area in the active
  language from the Unicode CLDR territory names Babel ships (CLDR names areas by their M49 code).

Only actors of kind government with a known alpha-2 code get codes; everyone else, and codes ISO
does not assign (Kosovo's "XK" is user-assigned), get None.
"""

import functools

import pycountry
from babel import Locale, UnknownLocaleError
from countryinfo import CountryInfo
from countryinfo.exceptions import CountryNotFoundError
from django.utils import translation

# ISO 3166-1 countries absent from the UN M49 list (their ISO numeric code is not an M49 code).
NOT_IN_M49 = frozenset({"TW"})
# UN M49 codes of the regions and sub-regions, by their M49 English names (as countryinfo gives them).
M49_AREAS = {
    "Africa": "002",
    "Americas": "019",
    "Asia": "142",
    "Europe": "150",
    "Oceania": "009",
    "Northern Africa": "015",
    "Sub-Saharan Africa": "202",
    "Latin America and the Caribbean": "419",
    "Northern America": "021",
    "Central Asia": "143",
    "Eastern Asia": "030",
    "South-eastern Asia": "035",
    "Southern Asia": "034",
    "Western Asia": "145",
    "Eastern Europe": "151",
    "Northern Europe": "154",
    "Southern Europe": "039",
    "Western Europe": "155",
    "Australia and New Zealand": "053",
    "Melanesia": "054",
    "Micronesia": "057",
    "Polynesia": "061",
}
M49_NAMES = {code: name for name, code in M49_AREAS.items()}
GOVERNMENT = "government"  # Actor.Kind.GOVERNMENT's value (this leaf imports no model)


@functools.lru_cache(maxsize=512)
def _codes(alpha_2):
    """(alpha-3, M49) for an ISO 3166-1 alpha-2 code, (None, None) if ISO has no such country."""
    country = pycountry.countries.get(alpha_2=alpha_2) if len(alpha_2) == 2 and alpha_2.isalpha() else None
    if country is None:
        return None, None
    m49 = None if alpha_2.upper() in NOT_IN_M49 else f"{int(country.numeric):03d}"
    return country.alpha_3, m49


@functools.lru_cache(maxsize=512)
def _areas(alpha_2):
    """(M49 region code, M49 sub-region code) of a country in M49, (None, None) if unknown."""
    try:
        info = CountryInfo(alpha_2)
        return M49_AREAS.get(info.region()), M49_AREAS.get(info.subregion())
    except CountryNotFoundError:
        return None, None


def country_codes(kind, country_code):
    """{"iso3166_alpha3", "m49", "m49_region", "m49_subregion"}: str | None each, of an actor of
    `kind` (Actor.Kind value) whose `country_code` is an ISO 3166-1 alpha-2 code (any case,
    surrounding spaces ignored). The M49 values are three-digit codes ("056"; region "150";
    sub-region "155"). All None unless it is a government with a code ISO knows; the M49 ones None
    too for a country M49 does not list. No query; raises nothing."""
    alpha_3 = m49 = region = subregion = None
    if kind == GOVERNMENT and country_code:
        alpha_2 = country_code.strip().upper()
        alpha_3, m49 = _codes(alpha_2)
        if m49 is not None:
            region, subregion = _areas(alpha_2)
    return {"iso3166_alpha3": alpha_3, "m49": m49, "m49_region": region, "m49_subregion": subregion}


def area_name(code, language=None):
    """The name of the UN M49 area `code` ("155") in `language` (a Django language code; the active
    one by default): M49's own name in English, CLDR's in other languages (falling back to the M49
    English name); None for None. Raises nothing."""
    if code is None:
        return None
    language = language or translation.get_language() or "en"
    if language.startswith("en"):
        return M49_NAMES.get(code)  # M49's own English names (CLDR's differ: "Southeast Asia")
    try:
        locale = Locale.parse(translation.to_locale(language))
    except (UnknownLocaleError, ValueError):
        locale = Locale("en")
    return locale.territories.get(code) or M49_NAMES.get(code)
