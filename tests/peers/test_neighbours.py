"""Nearest neighbours by structural features, worked out by hand on four Jobcenters."""

from __future__ import annotations

import math

from zielwerk.peers import nearest, profiles, zscores


def _jc(jid, vtyp, elb, lzb, ae_avg, elb_avg):
    base = {"jobcenter_id": jid, "jobcenter_name": f"JC {jid}", "vergleichstyp": vtyp, "month": "2016-09", "sex": "all",
            "value": 1.0}
    return [
        {**base, "indicator": "K1E2", "numerator": elb, "denominator": elb},
        {**base, "indicator": "K3", "numerator": lzb, "denominator": lzb},
        {**base, "indicator": "K2E4", "numerator": 1, "denominator": ae_avg},
        {**base, "indicator": "K2", "numerator": 1, "denominator": elb_avg},
        {**base, "sex": "f", "indicator": "K1E2", "numerator": 1, "denominator": 1},  # other sexes are ignored
    ]


ROWS = (_jc("A", "IIb", 1000, 600, 100, 1000)    # log10 3, LZB 60 %, AE 10 %
        + _jc("B", "IIb", 10000, 600, 100, 1000)  # log10 4, LZB  6 %, AE 10 %
        + _jc("C", "Ia", 1000, 400, 100, 1000)    # log10 3, LZB 40 %, AE 10 %
        + _jc("D", "IIb", 100, 60, 100, 1000))    # log10 2, LZB 60 %, AE 10 %


def test_features_scaling_and_distance_by_hand():
    items = profiles(ROWS, "2016-09")
    assert [p.jobcenter_id for p in items] == ["A", "B", "C", "D"]
    a = items[0]
    assert (a.elb, a.lzb_share, a.single_parent_share) == (1000, 60.0, 10.0)
    z = zscores(items)
    # size (log10): 3, 4, 3, 2 → mean 3, population SD √(2/4) = 0,7071; AE share constant (SD 0) → left out
    # LZB share: 60, 6, 40, 60 → mean 41,5, SD √((18,5² + 35,5² + 1,5² + 18,5²)/4) = √(1947/4)
    sd_lzb = math.sqrt((18.5 ** 2 + 35.5 ** 2 + 1.5 ** 2 + 18.5 ** 2) / 4)
    assert len(z["A"]) == 2
    assert math.isclose(z["B"][0], 1 / math.sqrt(0.5)) and math.isclose(z["A"][1], 18.5 / sd_lzb)
    got = nearest(items, "A", k=3)
    # A–C: (0, 20/sd); A–D: (1/0,7071, 0) = 1,414; A–B: (1,414, 54/sd)
    assert [n.profile.jobcenter_id for n in got] == ["C", "D", "B"]
    assert math.isclose(got[0].distance, 20 / sd_lzb)
    assert math.isclose(got[1].distance, math.sqrt(2))
    assert math.isclose(got[2].distance, math.hypot(math.sqrt(2), 54 / sd_lzb))
    assert [n.same_type for n in got] == [False, True, True]
    assert nearest(items, "nobody") == []
    assert len(nearest(items, "A", k=1)) == 1
