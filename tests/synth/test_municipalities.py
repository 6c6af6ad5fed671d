"""The generator's municipality table against the official keys of Kreis Siegen-Wittgenstein.

The expected values are typed in here from the official municipality directory (shared/docs/domain.md
§ 1), not taken from the generator: AGS 05970 + a 3-digit number that follows the old names
(Bad Laasphe was numbered as "Laasphe", so it comes after Kreuztal).
"""

from __future__ import annotations

from zielwerk.casework.childcare import MUNICIPALITY_CENTRES
from zielwerk.synth import benefits, calibration
from zielwerk.synth import siegen_params as P

OFFICIAL = {
    "05970004": "Bad Berleburg",
    "05970008": "Burbach",
    "05970012": "Erndtebrück",
    "05970016": "Freudenberg",
    "05970020": "Hilchenbach",
    "05970024": "Kreuztal",
    "05970028": "Bad Laasphe",
    "05970032": "Netphen",
    "05970036": "Neunkirchen",
    "05970040": "Siegen",
    "05970044": "Wilnsdorf",
}
#: population 31.12.2019 by name (domain.md § 1)
POPULATION = {
    "Siegen": 102770, "Kreuztal": 31122, "Netphen": 23081, "Wilnsdorf": 20086, "Bad Berleburg": 18914,
    "Freudenberg": 17711, "Burbach": 14856, "Hilchenbach": 14801, "Bad Laasphe": 13504, "Neunkirchen": 13165,
    "Erndtebrück": 6934,
}


def test_generator_keys_are_the_official_ags():
    assert {ags: name for ags, name, _pop, _region in P.MUNICIPALITIES} == OFFICIAL
    assert len(P.MUNICIPALITIES) == 11
    assert P.SIEGEN_AGS == "05970040"


def test_population_belongs_to_the_named_town():
    assert {name: pop for _ags, name, pop, _region in P.MUNICIPALITIES} == POPULATION
    assert calibration.POPULATION == {ags: POPULATION[name] for ags, name in OFFICIAL.items()}


def test_wittgenstein_region_is_the_former_kreis_wittgenstein():
    # the old Kreis Wittgenstein: Bad Berleburg, Bad Laasphe, Erndtebrück
    assert {ags for ags, _n, _p, region in P.MUNICIPALITIES if region == "Wittgenstein"} == {
        "05970004", "05970028", "05970012"}


def test_other_tables_keyed_by_ags_cover_exactly_the_official_keys():
    assert set(benefits.RENT_PER_SQM_2016) == set(OFFICIAL)
    assert set(MUNICIPALITY_CENTRES) == set(OFFICIAL)
    # Siegen, the city, has the highest rent
    assert max(benefits.RENT_PER_SQM_2016, key=benefits.RENT_PER_SQM_2016.get) == "05970040"


def test_municipality_centres_sit_where_the_towns_are():
    """Compass extremes of the Kreis from the map: Bad Berleburg lies furthest north, Burbach furthest
    south, Freudenberg furthest west, Bad Laasphe furthest east."""
    lat = {ags: c[0] for ags, c in MUNICIPALITY_CENTRES.items()}
    lon = {ags: c[1] for ags, c in MUNICIPALITY_CENTRES.items()}
    assert max(lat, key=lat.get) == "05970004"  # Bad Berleburg
    assert min(lat, key=lat.get) == "05970008"  # Burbach
    assert min(lon, key=lon.get) == "05970016"  # Freudenberg
    assert max(lon, key=lon.get) == "05970028"  # Bad Laasphe
