"""The ISO 3166-1 alpha-3 and UN M49 codes of a state, derived from its stored alpha-2 code.

Actors store one country code, ISO 3166-1 alpha-2 (`Actor.country_code`, for governments). The other
two codes statistical offices and UN data join on are derived here from the ISO 3166 tables that
`pycountry` ships, so no column has to be kept in step:

- ISO 3166-1 alpha-3 ("BEL");
- the UN M49 code ("056"): for countries, ISO 3166-1 numeric *is* the M49 code (ISO takes its
  numeric codes from the UN Statistics Division's M49 list), so it is read from the same table, as a
  three-digit zero-padded string. The one ISO country M49 does not list, Taiwan (ISO numeric 158),
  has no M49 code here.

Only actors of kind government with a known alpha-2 code get codes; everyone else, and codes ISO
does not assign (Kosovo's "XK" is user-assigned), get None.
"""

import functools

import pycountry

# ISO 3166-1 countries absent from the UN M49 list (their ISO numeric code is not an M49 code).
NOT_IN_M49 = frozenset({"TW"})
GOVERNMENT = "government"  # Actor.Kind.GOVERNMENT's value (this leaf imports no model)


@functools.lru_cache(maxsize=512)
def _codes(alpha_2):
    """(alpha-3, M49) for an ISO 3166-1 alpha-2 code, (None, None) if ISO has no such country."""
    country = pycountry.countries.get(alpha_2=alpha_2) if len(alpha_2) == 2 and alpha_2.isalpha() else None
    if country is None:
        return None, None
    m49 = None if alpha_2.upper() in NOT_IN_M49 else f"{int(country.numeric):03d}"
    return country.alpha_3, m49


def country_codes(kind, country_code):
    """{"iso3166_alpha3": str | None, "m49": str | None} of an actor of `kind` (Actor.Kind value)
    whose `country_code` is an ISO 3166-1 alpha-2 code (any case, surrounding spaces ignored);
    both None unless it is a government with a code ISO knows. No query; raises nothing."""
    alpha_3 = m49 = None
    if kind == GOVERNMENT and country_code:
        alpha_3, m49 = _codes(country_code.strip().upper())
    return {"iso3166_alpha3": alpha_3, "m49": m49}
