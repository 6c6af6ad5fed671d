"""Microsimulation of one Jobcenter (Siegen-Wittgenstein) with monthly steps and day-exact events.

Units are Bedarfsgemeinschaften (BG) with members (head, partner, children). Each month every BG in
receipt may leave benefits (own integration or other reasons), move to another municipality, gain or
lose a partner, get a child; children become eLb on their 15th birthday and leave to an own BG after
their 25th; eLb take up employment (svB, training, self-employment, marginal, publicly funded) and
join measures; former BGs may come back; new BGs enter so that the stock follows its target path.
All randomness comes from one ``numpy.random.Generator`` used in a fixed order, so a seed gives
identical output.

The simulation records raw rows (spells, household types, payments, employment, measures) in plain
lists; :mod:`zielwerk.synth.siegen` turns them into the contract tables and adds casework.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from . import benefits
from . import siegen_params as P

Row = tuple


class Person:
    """A person known to the Jobcenter (adult or child)."""

    __slots__ = (
        "birth",
        "cit",
        "cls",
        "first_seen",
        "idx",
        "income",
        "job_end",
        "job_row",
        "kids",
        "measure_end",
        "mini_end",
        "retire",
        "school",
        "sex",
        "sp",
        "voc",
    )

    def __init__(self, idx: int, birth: date, sex: str, cls: int) -> None:
        self.idx = idx
        self.birth = birth
        self.sex = sex
        self.cls = cls
        self.cit = "de"
        self.school = "hauptschule"
        self.voc = "none"
        #: open spell: [bg, municipality, status, role, start] or None
        self.sp: list | None = None
        self.job_end: date | None = None  # end of the current integration-relevant job
        self.mini_end: date | None = None  # end of the current marginal/public-funded job
        self.measure_end: date | None = None
        self.income = 0.0  # monthly counted income from the current job
        self.kids: list[date] = []  # birth dates of own children (also outside the BG)
        self.first_seen: date | None = None
        self.job_row = -1  # index of the current integration job in the employment rows
        self.retire = benefits.retirement_date(birth)

    def age(self, on: date) -> int:
        b = self.birth
        return on.year - b.year - ((on.month, on.day) < (b.month, b.day))


class BG:
    """A Bedarfsgemeinschaft."""

    __slots__ = (
        "active",
        "cls",
        "event_month",
        "exit_due",
        "hh_start",
        "hh_type",
        "idx",
        "last_exit",
        "members",
        "muni",
        "rent_factor",
        "roles",
        "start",
    )

    def __init__(self, idx: int, cls: int, muni: str, rent_factor: float) -> None:
        self.idx = idx
        self.cls = cls
        self.muni = muni
        self.members: list[Person] = []
        self.roles: dict[int, str] = {}
        self.active = False
        self.start: date | None = None
        self.hh_type: str | None = None
        self.hh_start: date | None = None
        self.exit_due: int | None = None  # month index at which the BG leaves (after an integration)
        self.rent_factor = rent_factor
        self.last_exit: int | None = None  # month index of the last exit
        self.event_month = -1  # month index of the last composition event


@dataclass
class SimOutput:
    persons: list[Person] = field(default_factory=list)
    spells: list[Row] = field(default_factory=list)  # (pidx, bgidx, muni, status, role, start, end)
    households: list[Row] = field(default_factory=list)  # (bgidx, type, start, end)
    payments: list[Row] = field(default_factory=list)  # (bgidx, year, month, muni, llu, luh)
    employment: list[Row] = field(default_factory=list)  # (pidx, kind, subsidy, start, end)
    measures: list[Row] = field(default_factory=list)  # (pidx, instrument, start, end)


def _midx(y: int, m: int) -> int:
    return y * 12 + m - 1


def _month(mi: int) -> tuple[int, int]:
    return mi // 12, mi % 12 + 1


def _last_day(y: int, m: int) -> int:
    return calendar.monthrange(y, m)[1]


def _kindergeld(year: int) -> int:
    """Child benefit for a first/second child (§ 66 EStG), counted as the child's income."""
    return {2012: 184, 2013: 184, 2014: 184, 2015: 188, 2016: 190, 2017: 192}.get(year, 184)


class Simulation:
    """The microsimulation. ``run()`` returns a :class:`SimOutput`."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.out = SimOutput()
        self.bgs: list[BG] = []
        self.former: list[BG] = []
        munis = P.MUNICIPALITIES
        self.muni_ids = [m[0] for m in munis]
        w = np.array([m[2] * (P.URBAN_PREMIUM if m[0] == P.SIEGEN_AGS else 1.0) for m in munis], float)
        self.muni_p = w / w.sum()
        self.elb_open = 0  # persons with an open eLb spell
        self._ubuf: list[float] = []
        self._ui = 0

    # --- random helpers ----------------------------------------------------------------------
    def u(self) -> float:
        """The next uniform number from a buffered stream (much faster than single draws)."""
        if self._ui >= len(self._ubuf):
            self._ubuf = self.rng.random(1 << 16).tolist()
            self._ui = 0
        v = self._ubuf[self._ui]
        self._ui += 1
        return v

    def choice(self, shares) -> int:
        r = self.u() * sum(shares)
        acc = 0.0
        for i, sh in enumerate(shares):
            acc += sh
            if r < acc:
                return i
        return len(shares) - 1

    def day_in(self, y: int, m: int, lo: int = 1, hi: int | None = None) -> date:
        hi = _last_day(y, m) if hi is None else hi
        return date(y, m, lo + int(self.u() * (hi - lo + 1)))

    def draw_muni(self) -> str:
        return self.muni_ids[self.choice(self.muni_p)]

    # --- persons ------------------------------------------------------------------------------
    def new_person(self, birth: date, sex: str, cls: int) -> Person:
        p = Person(len(self.out.persons), birth, sex, cls)
        r = self.u()
        acc = 0.0
        for code, share in P.CITIZENSHIP_SHARES:
            acc += share
            if r < acc:
                p.cit = code
                break
        # education: worse for the long-term class
        s = self.u() + 0.08 * (cls - 1)
        p.school = "abitur" if s < 0.12 else "realschule" if s < 0.40 else "hauptschule" if s < 0.80 else "none"
        v = self.u() + 0.10 * (cls - 1)
        p.voc = "academic" if v < 0.06 else "vocational" if v < 0.45 else "none"
        self.out.persons.append(p)
        return p

    def birth_for_age(self, on: date, lo: float, hi: float) -> date:
        age_days = int(self.rng.uniform(lo * 365.25, hi * 365.25))
        return on - timedelta(days=age_days)

    # --- spells -------------------------------------------------------------------------------
    @staticmethod
    def status_for(p: Person, day: date) -> str:
        return "elb" if p.age(day) >= 15 else "nef"

    def open_spell(self, p: Person, bg: BG, role: str, day: date) -> None:
        assert p.sp is None
        status = self.status_for(p, day)
        p.sp = [bg, bg.muni, status, role, day]
        if status == "elb":
            self.elb_open += 1
        if p.first_seen is None:
            p.first_seen = day

    def close_spell(self, p: Person, end: date) -> None:
        bg, muni, status, role, start = p.sp
        assert end >= start, (start, end)
        self.out.spells.append((p.idx, bg.idx, muni, status, role, start, end))
        if status == "elb":
            self.elb_open -= 1
        p.sp = None

    def change_spell(self, p: Person, day: date, muni: str | None = None, status: str | None = None,
                     role: str | None = None) -> None:
        """Close the open spell the day before ``day`` and open a changed one from ``day``."""
        bg, old_muni, old_status, old_role, start = p.sp
        new = [bg, muni or old_muni, status or old_status, role or old_role, day]
        if start == day:  # a change on the first day replaces the open spell
            if old_status == "elb":
                self.elb_open -= 1
            p.sp = None
        else:
            self.close_spell(p, day - timedelta(days=1))
        p.sp = new
        if new[2] == "elb":
            self.elb_open += 1

    # --- households ---------------------------------------------------------------------------
    def derive_type(self, bg: BG, day: date) -> str:
        adults = sum(1 for p in bg.members if bg.roles[p.idx] in ("head", "partner"))
        kids = [p for p in bg.members if bg.roles[p.idx] == "child"]
        minors = any(p.age(day) < 18 for p in kids)
        if adults >= 2:
            return "couple_children" if minors else ("other" if kids else "couple")
        return "single_parent" if minors else ("other" if kids else "single")

    def set_type(self, bg: BG, day: date) -> None:
        new = self.derive_type(bg, day)
        if new == bg.hh_type:
            return
        if bg.hh_type is not None:
            # events of one monthly step are not processed in day order: a change dated before the
            # current type's start takes effect at that start, so type episodes never overlap
            day = max(day, bg.hh_start)
            if day > bg.hh_start:
                self.out.households.append((bg.idx, bg.hh_type, bg.hh_start, day - timedelta(days=1)))
        bg.hh_type = new
        bg.hh_start = day

    # --- BG life cycle ------------------------------------------------------------------------
    def new_bg(self, cls: int, muni: str | None = None) -> BG:
        bg = BG(len(self.bgs), cls, muni or self.draw_muni(), float(np.exp(self.rng.normal(0.0, 0.12))))
        self.bgs.append(bg)
        return bg

    def compose(self, bg: BG, btype: int, day: date) -> None:
        """Create the members of a new BG of entry type ``btype`` (index into the type shares)."""
        cls = bg.cls
        rng = self.rng
        members: list[tuple[Person, str]] = []
        if btype == 0:  # single
            young = self.u() < P.YOUNG_SINGLE_SHARE
            age = rng.uniform(18, 25) if young else min(rng.gamma(7.0, 5.6) + 20, 63.5)
            sex = "m" if self.u() < 0.58 else "f"
            head = self.new_person(self.birth_for_age(day, age, age + 0.01), sex, cls)
            members.append((head, "head"))
            if age > 38 and self.u() < 0.45:  # adult children outside the BG
                for _ in range(1 + int(rng.integers(0, 3))):
                    head.kids.append(self.birth_for_age(day, max(age - 35, 18), max(age - 19, 18.5)))
        elif btype in (1, 4):  # single parent / parent with adult child
            age = float(np.clip(rng.normal(35, 8), 19, 58))
            sex = "f" if self.u() < 0.91 else "m"
            head = self.new_person(self.birth_for_age(day, age, age + 0.01), sex, cls)
            members.append((head, "head"))
            if btype == 1:
                n = 1 + self.choice((0.50, 0.30, 0.13, 0.07))
                for _ in range(n):
                    cage = float(min(17.9, age - 17) * rng.beta(1.2, 2.0))
                    members.append((self._child(day, cage, cls), "child"))
                    head.kids.append(members[-1][0].birth)
            else:
                cage = float(rng.uniform(18, 24.9))
                head_age = max(age, cage + 19)
                head.birth = self.birth_for_age(day, head_age, head_age + 0.01)
                head.retire = benefits.retirement_date(head.birth)
                members.append((self._child(day, cage, cls), "child"))
                head.kids.append(members[-1][0].birth)
        else:  # couple / couple with children
            age = float(np.clip(rng.normal(38, 10), 19, 62))
            head = self.new_person(self.birth_for_age(day, age, age + 0.01), "m" if self.u() < 0.8 else "f", cls)
            page = float(np.clip(age + rng.normal(-2, 4), 18, 63))
            partner = self.new_person(self.birth_for_age(day, page, page + 0.01),
                                      "f" if head.sex == "m" else "m", cls)
            members += [(head, "head"), (partner, "partner")]
            if btype == 3:
                n = 1 + self.choice((0.38, 0.34, 0.17, 0.11))
                mother_age = page if partner.sex == "f" else age
                for _ in range(n):
                    cage = float(min(17.9, mother_age - 17) * rng.beta(1.2, 2.0))
                    if self.u() < 0.04:
                        cage = float(rng.uniform(18, 24.9))
                    c = self._child(day, cage, cls)
                    members.append((c, "child"))
                    head.kids.append(c.birth)
                    partner.kids.append(c.birth)
        for p, role in members:
            bg.members.append(p)
            bg.roles[p.idx] = role

    def _child(self, day: date, age: float, cls: int) -> Person:
        return self.new_person(self.birth_for_age(day, age, age + 0.01), "f" if self.u() < 0.49 else "m", cls)

    def enter(self, bg: BG, day: date, mi: int) -> None:
        """Start receipt of ``bg`` on ``day``."""
        bg.active = True
        bg.start = day
        bg.exit_due = None
        bg.hh_type = None
        bg.event_month = mi
        for p in bg.members:
            self.open_spell(p, bg, bg.roles[p.idx], day)
        self.set_type(bg, day)

    def leave(self, bg: BG, day: date, mi: int) -> None:
        """End receipt of ``bg`` with ``day`` as the last day."""
        for p in bg.members:
            self.close_spell(p, day)
        self.out.households.append((bg.idx, bg.hh_type, bg.hh_start, day))
        bg.active = False
        bg.last_exit = mi
        self.former.append(bg)

    def remove_member(self, bg: BG, p: Person) -> None:
        bg.members.remove(p)
        del bg.roles[p.idx]

    # --- the monthly step ---------------------------------------------------------------------
    def step(self, mi: int) -> None:
        y, m = _month(mi)
        first = date(y, m, 1)
        last = date(y, m, _last_day(y, m))
        rng = self.rng
        active = [b for b in self.bgs if b.active]
        u_exit = rng.random(len(active))
        u_ev = rng.random(len(active))
        for k, bg in enumerate(active):
            # 1. does the BG leave this month?
            exit_day: date | None = None
            if bg.start < first:
                retire = any(p.retire <= last and bg.roles[p.idx] in ("head", "partner") for p in bg.members)
                if retire or bg.exit_due == mi or u_exit[k] < P.EXIT_HAZARD[bg.cls]:
                    exit_day = self.day_in(y, m, 2)
            # 2. composition events on the 1st (not in the entry month)
            if bg.start < first and (exit_day is None or exit_day.day > 1):
                self.household_event(bg, u_ev[k], first, mi)
            if not bg.members:
                continue
            # 3. birthdays (15: becomes eLb; 18: type may change) up to the exit day
            self.birthdays(bg, y, m, bg.start, exit_day or last)
            # 4. births
            if exit_day is None and bg.start < first and self.u() < P.BIRTH_HAZARD * (
                    1.0 if len(bg.members) > 1 else P.BIRTH_SINGLE_FACTOR):
                self.birth(bg, first, last, mi)
            # 5. employment and measures of eLb members
            if bg.start <= last:
                self.work_events(bg, y, m, first, last, mi, exit_day)
            # 6. payments (from 2012)
            if mi >= _midx(*P.FIRST_PAYMENT_MONTH):
                self.payment(bg, y, m, first, exit_day or last)
            if exit_day is not None:
                self.leave(bg, exit_day, mi)
        self.entries(mi, y, m, first, last)

    def birthdays(self, bg: BG, y: int, m: int, after: date, until: date) -> None:
        """Birthdays in month (y, m) on days in (after, until]: a child becomes eLb at 15, the household
        type may change at 18."""
        for p in list(bg.members):
            bd = _birthday_in(p.birth, y, m)
            if bd is None or bd <= after or bd > until or p.sp is None:
                continue
            a = p.age(bd)
            if a >= 15 and p.sp[2] == "nef":
                self.change_spell(p, bd, status="elb")
            if a == 18:
                self.set_type(bg, bd)

    def household_event(self, bg: BG, u: float, first: date, mi: int) -> None:
        roles = bg.roles
        # a child who has turned 25 leaves the parents' BG (§ 7 (3) Nr. 4 SGB II)
        for p in list(bg.members):
            if roles[p.idx] == "child" and p.age(first) >= 25:
                self.child_leaves(bg, p, first, mi)
                return
        # adult children move out (own household, training elsewhere)
        for p in list(bg.members):
            if roles[p.idx] == "child" and p.age(first) >= 18 and p.sp[4] < first \
                    and self.u() < P.ADULT_CHILD_LEAVES_HAZARD:
                self.child_leaves(bg, p, first, mi)
                return
        adults = [p for p in bg.members if roles[p.idx] in ("head", "partner")]
        if u < P.MOVE_HAZARD:
            new = self.draw_muni()
            if new != bg.muni:
                bg.muni = new
                for p in bg.members:
                    self.change_spell(p, first, muni=new)
            return
        u -= P.MOVE_HAZARD
        if len(adults) == 1 and u < P.PARTNER_JOINS_HAZARD:
            head = adults[0]
            if head.age(first) < 60:
                page = float(np.clip(head.age(first) + self.rng.normal(1, 5), 18, 60))
                partner = self.new_person(self.birth_for_age(first, page, page + 0.01),
                                          "m" if head.sex == "f" else "f", bg.cls)
                bg.members.append(partner)
                roles[partner.idx] = "partner"
                self.open_spell(partner, bg, "partner", first)
                self.set_type(bg, first)
            return
        u -= P.PARTNER_JOINS_HAZARD
        if len(adults) == 2 and u < P.PARTNER_LEAVES_HAZARD:
            partner = next(p for p in adults if roles[p.idx] == "partner")
            if partner.sp[4] < first:
                self.adult_leaves(bg, partner, first, mi)

    def adult_leaves(self, bg: BG, p: Person, first: date, mi: int) -> None:
        self.close_spell(p, first - timedelta(days=1))
        self.remove_member(bg, p)
        self.set_type(bg, first)
        if self.u() < P.LEAVER_STAYS_IN_RECEIPT:
            nb = self.new_bg(bg.cls, bg.muni)
            nb.members.append(p)
            nb.roles[p.idx] = "head"
            self.enter(nb, first, mi)
            if mi >= _midx(*P.FIRST_PAYMENT_MONTH):
                last = date(first.year, first.month, _last_day(first.year, first.month))
                self.payment(nb, first.year, first.month, first, last)

    def child_leaves(self, bg: BG, p: Person, first: date, mi: int) -> None:
        self.adult_leaves(bg, p, first, mi)

    def birth(self, bg: BG, first: date, last: date, mi: int) -> None:
        mothers = [p for p in bg.members if bg.roles[p.idx] in ("head", "partner") and p.sex == "f"
                   and 18 <= p.age(first) <= 42]
        if not mothers:
            return
        day = self.day_in(first.year, first.month, 2)
        c = self.new_person(day, "f" if self.u() < 0.49 else "m", bg.cls)
        for p in bg.members:
            if bg.roles[p.idx] in ("head", "partner"):
                p.kids.append(day)
        bg.members.append(c)
        bg.roles[c.idx] = "child"
        self.open_spell(c, bg, "child", day)
        self.set_type(bg, day)

    def work_events(self, bg: BG, y: int, m: int, first: date, last: date, mi: int,
                    exit_day: date | None) -> None:
        rng = self.rng
        for p in bg.members:
            if p.sp is None or p.sp[2] != "elb":
                continue
            age = p.age(first)
            employed = p.job_end is not None and p.job_end >= first
            if not employed:
                p.income = 0.0
                h = P.INTEGRATION_HAZARD[bg.cls] * P.INTEGRATION_SEX_FACTOR[p.sex]
                youngest = max(p.kids) if p.kids else None
                if (youngest is not None and (first - youngest).days < 3 * 365 and bg.roles[p.idx] != "child"
                        and (p.sex == "f" or self.u() < 0.15)):
                    h *= P.INTEGRATION_PARENT_U3_FACTOR
                if age >= 55:
                    h *= P.INTEGRATION_AGE_55_FACTOR
                if age < 18:
                    h *= P.INTEGRATION_SCHOOL_AGE_FACTOR * (4.0 if m in (8, 9) else 0.5)
                elif age < 25 and m in (8, 9):
                    h *= 1.8
                if self.u() < h:
                    self.integrate(bg, p, age, y, m, last, mi, exit_day)
                    continue
            # marginal employment / publicly funded work
            mini = p.mini_end is not None and p.mini_end >= first
            if not mini and not employed:
                r = self.u()
                if r < P.MARGINAL_HAZARD:
                    start = self.day_in(y, m)
                    end = start + timedelta(days=int(rng.exponential(300)) + 20)
                    self.out.employment.append((p.idx, "marginal", "none", start, end))
                    p.mini_end = end
                    p.income = 250.0
                    continue
                r -= P.MARGINAL_HAZARD
                if bg.cls == 2 and age >= 25 and r < P.AGH_HAZARD_LONG:
                    start = self.day_in(y, m)
                    end = start + timedelta(days=int(rng.integers(180, 330)))
                    self.out.employment.append((p.idx, "public_funded", "agh", start, end))
                    self.out.measures.append((p.idx, "agh", start, end))
                    p.mini_end = end
                    p.measure_end = end
                    continue
                r -= P.AGH_HAZARD_LONG
                if bg.cls == 2 and age >= 25 and r < P.FAV_HAZARD_LONG:
                    start = date(y, m, 1)
                    end = start + timedelta(days=int(rng.integers(360, 730)))
                    self.out.employment.append((p.idx, "public_funded", "fav", start, end))
                    self.out.measures.append((p.idx, "fav", start, end))
                    p.mini_end = end
                    p.measure_end = end
                    continue
            # measures
            if employed or (p.measure_end is not None and p.measure_end >= first):
                continue
            r = self.u()
            # parents from the second year of their youngest child on get counselling and (above all
            # without vocational training) qualification offers (the 2016 target agreement)
            boost_act = boost_train = 1.0
            if p.kids and bg.roles[p.idx] != "child":
                months = (first - max(p.kids)).days / 30.44
                if 12 <= months < 36:
                    boost_act = P.PARENT_WINDOW_ACTIVATION_FACTOR
                    boost_train = P.PARENT_WINDOW_TRAINING_FACTOR * (2.0 if p.voc == "none" else 1.0)
            for instrument, hz, lo, hi in (
                ("activation", P.ACTIVATION_HAZARD * boost_act, 28, 180),
                ("vocational_further_training", P.FURTHER_TRAINING_HAZARD * boost_train, 90, 540),
                ("placement_budget", P.PLACEMENT_BUDGET_HAZARD, 0, 1),
                ("other_active", P.OTHER_ACTIVE_HAZARD, 30, 120),
                ("16h", P.U25_16H_HAZARD if age < 25 else 0.0, 90, 270),
                ("16f", P.FREE_16F_HAZARD, 60, 240),
            ):
                if r < hz:
                    start = self.day_in(y, m)
                    end = start + timedelta(days=int(rng.integers(lo, hi)) if hi > 1 else 0)
                    self.out.measures.append((p.idx, instrument, start, end))
                    p.measure_end = end
                    break
                r -= hz

    def integrate(self, bg: BG, p: Person, age: int, y: int, m: int, last: date, mi: int,
                  exit_day: date | None) -> None:
        rng = self.rng
        hi = exit_day.day if exit_day is not None else last.day
        start = self.day_in(y, m, 1, hi)
        r = self.u()
        if age < 25 and r < (0.45 if m in (8, 9) else 0.15):
            kind, subsidy = "training", "none"
            dur = int(rng.integers(180, 1100))
        elif r > 0.955:
            kind, subsidy = "self_employed", ("esg" if self.u() < 0.4 else "none")
            dur = int(rng.exponential(500)) + 60
        else:
            kind = "svb"
            subsidy = "egz" if self.u() < 0.07 else "none"
            dur = int(rng.exponential(P.JOB_SHORT_MEAN_DAYS if self.u() < P.JOB_SHORT_SHARE else P.JOB_LONG_MEAN_DAYS)) + 14
        end = start + timedelta(days=dur)
        p.job_row = len(self.out.employment)
        self.out.employment.append((p.idx, kind, subsidy, start, end))
        if subsidy == "egz":
            self.out.measures.append((p.idx, "egz", start, start + timedelta(days=int(rng.integers(180, 365)))))
        elif subsidy == "esg":
            self.out.measures.append((p.idx, "esg", start, start + timedelta(days=int(rng.integers(180, 540)))))
        p.job_end = end
        p.income = float(rng.uniform(150, 650)) if kind != "training" else 300.0  # counted income after allowances (§ 11b)
        if exit_day is None and bg.exit_due is None:
            single = len([q for q in bg.members if q.sp is not None]) == 1
            if self.u() < _exit_after_integration(single, bg.cls):
                bg.exit_due = mi + 1

    def payment(self, bg: BG, y: int, m: int, first: date, end: date) -> None:
        start = max(bg.start, first)
        if start > end:
            return
        nd = _last_day(y, m)
        frac = ((end - start).days + 1) / nd
        members = [p for p in bg.members if p.sp is not None]
        if not members:
            return
        adults = [p for p in members if bg.roles[p.idx] in ("head", "partner")]
        kids = [p for p in members if bg.roles[p.idx] == "child"]
        need = 0.0
        if len(adults) >= 2:
            need += 2 * benefits.regelbedarf(y, 2)
        else:
            need += benefits.regelbedarf(y, 1)
        ages = [p.age(end) for p in kids]
        for a in ages:
            need += benefits.regelbedarf(y, benefits.child_stufe(a))
        if len(adults) == 1 and ages:
            need += benefits.single_parent_supplement_share(ages) * benefits.regelbedarf(y, 1)
        income = sum(p.income for p in members)
        income += sum(min(_kindergeld(y), benefits.regelbedarf(y, benefits.child_stufe(a))) for a in ages if a < 18)
        llu = max(round(frac * (need - income), 2), round(20.0 * frac, 2))
        area = benefits.appropriate_area(len(members))
        luh = round(frac * area * benefits.RENT_PER_SQM_2016[bg.muni] * benefits.rent_index(y) * bg.rent_factor, 2)
        self.out.payments.append((bg.idx, y, m, bg.muni, llu, luh))

    # --- entries --------------------------------------------------------------------------------
    def entries(self, mi: int, y: int, m: int, first: date, last: date) -> None:
        rng = self.rng
        # former BGs coming back
        keep: list[BG] = []
        u = rng.random(len(self.former))
        for k, bg in enumerate(self.former):
            if bg.active:
                continue
            if mi - bg.last_exit > P.REENTRY_MONTHS:
                continue
            if mi > bg.last_exit and u[k] < P.REENTRY_HAZARD[bg.cls] and self.reenter(bg, y, m, first, last, mi):
                continue
            keep.append(bg)
        self.former = keep
        # new BGs until the stock reaches the target at the month end
        while self.elb_open < P.TARGET_ELB:
            cls = self.choice(P.ENTRY_CLASS_SHARES)
            bg = self.new_bg(cls)
            self.compose(bg, self.choice(P.ENTRY_TYPE_SHARES), first)
            day = first if self.u() < 0.25 else self.day_in(y, m)
            self.fix_births(bg, day)
            self.pre_history(bg, day)
            self.enter(bg, day, mi)
            self.birthdays(bg, y, m, day, last)
            if mi >= _midx(*P.FIRST_PAYMENT_MONTH):
                self.payment(bg, y, m, first, last)

    def fix_births(self, bg: BG, day: date) -> None:
        """Members were aged against the 1st; nobody may be born after the entry day."""
        for p in bg.members:
            if p.birth > day:
                p.birth = day
                p.retire = benefits.retirement_date(day)

    def pre_history(self, bg: BG, day: date) -> None:
        """Employment before the first entry (job loss is a frequent cause of entry)."""
        for p in bg.members:
            if bg.roles[p.idx] == "child" or self.u() > 0.45 or p.age(day) < 19:
                continue
            end = day - timedelta(days=int(self.rng.integers(1, 200)))
            start = end - timedelta(days=int(self.rng.exponential(500)) + 30)
            if start >= p.birth + timedelta(days=17 * 365):
                kind = "svb" if self.u() < 0.85 else "marginal"
                self.out.employment.append((p.idx, kind, "none", start, end))

    def reenter(self, bg: BG, y: int, m: int, first: date, last: date, mi: int) -> bool:
        day = self.day_in(y, m)
        # children who have turned 25 meanwhile are no longer members; pensioners never return
        for p in list(bg.members):
            if bg.roles[p.idx] == "child" and p.age(day) >= 25:
                self.remove_member(bg, p)
        if not bg.members or any(p.retire <= last for p in bg.members
                                 if bg.roles[p.idx] in ("head", "partner")):
            return False
        if not any(bg.roles[p.idx] in ("head", "partner") for p in bg.members):
            return False
        if any(p.sp is not None for p in bg.members):
            return False
        for p in bg.members:
            if p.job_end is not None and p.job_end >= day:
                p.job_end = day - timedelta(days=1)  # the job was lost: that is why they come back
                self.truncate_last_job(p, day)
            p.income = 0.0
        self.enter(bg, day, mi)
        self.birthdays(bg, y, m, day, last)
        if mi >= _midx(*P.FIRST_PAYMENT_MONTH):
            self.payment(bg, y, m, first, last)
        return True

    def truncate_last_job(self, p: Person, day: date) -> None:
        emp = self.out.employment
        i = p.job_row
        if i < 0:
            return
        row = emp[i]
        if row[4] >= day:
            emp[i] = (row[0], row[1], row[2], row[3], row[3] if row[3] >= day else day - timedelta(days=1))

    # --- initial stock and run --------------------------------------------------------------------
    def initial_stock(self) -> None:
        y, m = P.SIM_START
        day = date(y, m, 1)
        mi = _midx(y, m)
        for _ in range(P.INITIAL_BGS):
            bg = self.new_bg(self.choice(P.INITIAL_CLASS_SHARES))
            self.compose(bg, self.choice(P.INITIAL_TYPE_SHARES), day)
            self.pre_history(bg, day)
            self.enter(bg, day, mi)

    def run(self) -> SimOutput:
        self.initial_stock()
        start = _midx(*P.SIM_START)
        end = _midx(*P.SIM_END)
        for mi in range(start + 1, end + 1):
            self.step(mi)
        # close what is still open: spells stay open (end None), households too
        for bg in self.bgs:
            if bg.active:
                for p in bg.members:
                    b, muni, status, role, s = p.sp
                    self.out.spells.append((p.idx, b.idx, muni, status, role, s, None))
                self.out.households.append((bg.idx, bg.hh_type, bg.hh_start, None))
        return self.out


def _exit_after_integration(single: bool, cls: int) -> float:
    base = P.EXIT_AFTER_INTEGRATION[single]
    return base * (0.6 if cls == 2 else 1.0)


def _birthday_in(birth: date, y: int, m: int) -> date | None:
    if birth.month != m:
        return None
    if birth.month == 2 and birth.day == 29 and not calendar.isleap(y):
        return date(y, 3, 1) if m == 3 else date(y, 2, 28)
    return date(y, m, birth.day)
