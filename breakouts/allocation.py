"""The allocation of ranked breakout places: optimal, and mixing sectors in every group.

Pure Python and SciPy, no Django: `breakouts.allocation_services` reads the event into
`Applicant` and `Group` values, calls `allocate` once per breakout round (a delegate's
rounds do not constrain each other) and writes the result.

The model, one round at a time, is a mixed-integer programme solved by HiGHS through
SciPy's `milp`. SciPy because it is one well-kept, widely packaged dependency with a
solver that proves optimality (branch and cut, not a heuristic); OR-Tools' CP-SAT would
do as well but brings a large wheel and protobuf for nothing this problem needs.

- Delegates who ranked the same groups in the same order and share a sector (and an
  organisation, when colleagues are spread) are interchangeable, so the variables are
  whole numbers per *kind* of delegate and group, not one yes/no per delegate: the size
  of the problem follows the variety of rankings, not the number of people.
- The cost of a place grows faster than its rank (1, 4, 9), so giving one person a
  worse choice to give another a better one is done only when it gains overall; a group
  the delegate did not rank costs 16 and no place at all 100.
- Capacities and one place per delegate are hard. Each mix rule has a slack variable
  whose every unit costs more than any allocation could gain, so the solver meets the
  rules whenever they can be met, and otherwise breaks them as little as possible and
  only where it must; `breaches` then says which rule, in which group and by how much.
- Ties are broken by a seed: it shuffles the delegates before they are grouped, which
  fixes both the order of the variables (HiGHS is deterministic for a given input) and
  who among interchangeable delegates gets which place.
"""

import enum
import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

RANK_COSTS = (1, 4, 9)
OTHER_GROUP_COST = 16
NO_PLACE_COST = 100


class Outcome(enum.StrEnum):
    FIRST = "first"
    SECOND = "second"
    THIRD = "third"
    OTHER = "other"
    NONE = "none"


RANK_OUTCOMES = (Outcome.FIRST, Outcome.SECOND, Outcome.THIRD)


class Rule(enum.StrEnum):
    MAX_SECTOR_SHARE = "max_sector_share"
    MIN_SECTORS = "min_sectors"
    MAX_COLLEAGUES = "max_colleagues"


class AllocationFailed(Exception):
    """The solver stopped without any allocation (time limit)."""


@dataclass(frozen=True)
class Applicant:
    id: int
    sector: str
    organisation: str
    ranking: tuple[int, ...]  # group ids, first choice first


@dataclass(frozen=True)
class Group:
    id: int
    capacity: int  # places left to give


@dataclass(frozen=True)
class MixRules:
    max_sector_share: int | None = None  # per cent of a group from one sector
    min_sectors: int | None = None  # sectors in every group
    max_colleagues: int | None = None  # people from one organisation in a group

    def __iter__(self):
        return iter(rule for rule in Rule if getattr(self, rule) is not None)


@dataclass(frozen=True)
class Breach:
    """A mix rule not met in one group: `actual` against `limit` (people of `subject`,
    or sectors), and `excess` people too many or sectors too few."""

    rule: Rule
    group: int
    subject: str
    actual: int
    limit: int
    excess: int
    group_size: int = 0


@dataclass
class Allocation:
    places: dict[int, int | None]  # applicant id: group id, or None for no place
    breaches: list[Breach] = field(default_factory=list)
    cost: int = 0


# Costs and checks --------------------------------------------------------------------


def outcome(applicant: Applicant, group_id: int | None) -> Outcome:
    if group_id is None:
        return Outcome.NONE
    if group_id in applicant.ranking[:3]:
        return RANK_OUTCOMES[applicant.ranking.index(group_id)]
    return Outcome.OTHER


OUTCOME_COSTS = {
    Outcome.FIRST: RANK_COSTS[0],
    Outcome.SECOND: RANK_COSTS[1],
    Outcome.THIRD: RANK_COSTS[2],
    Outcome.OTHER: OTHER_GROUP_COST,
    Outcome.NONE: NO_PLACE_COST,
}


def total_cost(applicants: Iterable[Applicant], places: dict[int, int | None]) -> int:
    return sum(OUTCOME_COSTS[outcome(a, places.get(a.id))] for a in applicants)


def outcomes(applicants: Iterable[Applicant], places: dict[int, int | None]) -> Counter:
    counts = Counter(dict.fromkeys(Outcome, 0))
    counts.update(outcome(a, places.get(a.id)) for a in applicants)
    return counts


def group_mix(applicants: Iterable[Applicant], places: dict[int, int | None]) -> dict:
    """{group id: Counter of sectors} of the people given a place."""
    mix = defaultdict(Counter)
    for applicant in applicants:
        if places.get(applicant.id) is not None:
            mix[places[applicant.id]][applicant.sector] += 1
    return dict(mix)


def breaches(
    applicants: Sequence[Applicant],
    groups: Sequence[Group],
    places: dict[int, int | None],
    rules: MixRules,
) -> list[Breach]:
    """Every mix rule that `places` does not meet, group by group."""
    found = []
    mix = group_mix(applicants, places)
    colleagues = defaultdict(Counter)
    for applicant in applicants:
        if places.get(applicant.id) is not None:
            colleagues[places[applicant.id]][applicant.organisation] += 1
    for group in groups:
        sectors = mix.get(group.id, Counter())
        size = sum(sectors.values())
        if rules.max_sector_share is not None:
            allowed = math.floor(rules.max_sector_share * size / 100)
            for sector, count in sorted(sectors.items()):
                if count > allowed:
                    found.append(
                        Breach(
                            Rule.MAX_SECTOR_SHARE,
                            group.id,
                            sector,
                            count,
                            rules.max_sector_share,
                            count - allowed,
                            size,
                        )
                    )
        if rules.min_sectors is not None and len(sectors) < rules.min_sectors:
            found.append(
                Breach(
                    Rule.MIN_SECTORS,
                    group.id,
                    "",
                    len(sectors),
                    rules.min_sectors,
                    rules.min_sectors - len(sectors),
                    size,
                )
            )
        if rules.max_colleagues is not None:
            for organisation, count in sorted(colleagues[group.id].items()):
                if count > rules.max_colleagues:
                    found.append(
                        Breach(
                            Rule.MAX_COLLEAGUES,
                            group.id,
                            organisation,
                            count,
                            rules.max_colleagues,
                            count - rules.max_colleagues,
                            size,
                        )
                    )
    return found


# First come, first served ---------------------------------------------------------------


def first_come_first_served(
    applicants: Sequence[Applicant], groups: Sequence[Group], rules: MixRules = MixRules()
) -> Allocation:
    """Today's rule on the same people, in the order given (registration order): each
    takes their best-ranked group that still has room, or gets no place."""
    left = {group.id: group.capacity for group in groups}
    places = {}
    for applicant in applicants:
        places[applicant.id] = next(
            (gid for gid in applicant.ranking[:3] if left.get(gid, 0) > 0), None
        )
        if places[applicant.id] is not None:
            left[places[applicant.id]] -= 1
    return Allocation(
        places=places,
        breaches=breaches(applicants, groups, places, rules),
        cost=total_cost(applicants, places),
    )


# The optimal allocation -----------------------------------------------------------------


@dataclass
class _Kind:
    """Interchangeable applicants: one ranking, one sector, one organisation (when
    colleagues are spread)."""

    ranking: tuple[int, ...]
    sector: str
    organisation: str
    members: list[int] = field(default_factory=list)


class _Model:
    """Columns and rows of the programme, added as they are named."""

    def __init__(self):
        self.costs, self.upper = [], []
        self.rows, self.cols, self.values = [], [], []
        self.row_lower, self.row_upper = [], []

    def column(self, cost: float, upper: float) -> int:
        self.costs.append(cost)
        self.upper.append(upper)
        return len(self.costs) - 1

    def row(self, terms: Iterable[tuple[int, float]], lower: float, upper: float) -> None:
        index = len(self.row_lower)
        for column, value in terms:
            self.rows.append(index)
            self.cols.append(column)
            self.values.append(value)
        self.row_lower.append(lower)
        self.row_upper.append(upper)

    def solve(self, time_limit: float):
        size = len(self.costs)
        matrix = coo_array(
            (self.values, (self.rows, self.cols)), shape=(len(self.row_lower), size)
        ).tocsr()
        return milp(
            c=np.array(self.costs, dtype=float),
            integrality=np.ones(size),
            bounds=Bounds(np.zeros(size), np.array(self.upper, dtype=float)),
            constraints=[LinearConstraint(matrix, self.row_lower, self.row_upper)],
            # Every cost is a whole number, so a gap of zero is what "optimal" means;
            # HiGHS rounds its bound up and stops as soon as it is met.
            options={"mip_rel_gap": 0, "time_limit": time_limit, "presolve": True},
        )


def _kinds(applicants: Sequence[Applicant], rules: MixRules, seed: int):
    order = list(applicants)
    random.Random(seed).shuffle(order)
    kinds = {}
    for applicant in order:
        # Ranks as the delegate gave them, full groups included: a second choice stays
        # a second choice when the first is full.
        ranking = applicant.ranking[:3]
        organisation = applicant.organisation if rules.max_colleagues is not None else ""
        key = (ranking, applicant.sector, organisation)
        kind = kinds.setdefault(key, _Kind(ranking, applicant.sector, organisation))
        kind.members.append(applicant.id)
    return list(kinds.values())


def _place_cost(kind: _Kind, group_id: int) -> int:
    if group_id in kind.ranking:
        return RANK_COSTS[kind.ranking.index(group_id)]
    return OTHER_GROUP_COST


def allocate(
    applicants: Sequence[Applicant],
    groups: Sequence[Group],
    rules: MixRules = MixRules(),
    *,
    seed: int = 0,
    time_limit: float = 600,
) -> Allocation:
    """The allocation of least total cost that meets capacities, gives each applicant at
    most one group, and meets the mix rules where they can be met (see the module)."""
    groups = [group for group in groups if group.capacity > 0]
    if not applicants or not groups:
        places = dict.fromkeys((a.id for a in applicants), None)
        return Allocation(
            places, breaches(applicants, groups, places, rules), total_cost(applicants, places)
        )
    kinds = _kinds(applicants, rules, seed)
    model = _Model()
    # A unit of slack costs more than giving everyone no place instead of a first choice.
    slack_cost = NO_PLACE_COST * len(applicants) + 1
    # Variables: how many of a kind go to a group. Cost relative to no place, which is
    # what is left of the kind (its count minus its places).
    take = {
        (k, g.id): model.column(
            _place_cost(kind, g.id) - NO_PLACE_COST, min(len(kind.members), g.capacity)
        )
        for k, kind in enumerate(kinds)
        for g in groups
    }
    for k, kind in enumerate(kinds):
        model.row(((take[k, g.id], 1) for g in groups), 0, len(kind.members))
    size = {}
    for group in groups:
        size[group.id] = model.column(0, group.capacity)
        terms = [(take[k, group.id], 1) for k in range(len(kinds))]
        model.row([*terms, (size[group.id], -1)], 0, 0)
    _sector_rules(model, kinds, groups, rules, take, size, slack_cost)
    _colleague_rule(model, kinds, groups, rules, take, slack_cost)
    result = model.solve(time_limit)
    if result.x is None:
        raise AllocationFailed(result.message)
    places = _places(kinds, groups, result.x, take)
    return Allocation(
        places=places,
        breaches=breaches(applicants, groups, places, rules),
        cost=total_cost(applicants, places),
    )


def _by_sector(kinds: Sequence[_Kind]) -> dict[str, list[int]]:
    sectors = defaultdict(list)
    for k, kind in enumerate(kinds):
        sectors[kind.sector].append(k)
    return dict(sorted(sectors.items()))


def _sector_rules(model, kinds, groups, rules, take, size, slack_cost) -> None:
    sectors = _by_sector(kinds)
    for group in groups:
        if rules.max_sector_share is not None:
            # 100 × (people of the sector) ≤ share × (people in the group) + slack.
            for members in sectors.values():
                slack = model.column(slack_cost, 100 * group.capacity)
                terms = [(take[k, group.id], 100) for k in members]
                terms += [(size[group.id], -rules.max_sector_share), (slack, -1)]
                model.row(terms, -np.inf, 0)
        if rules.min_sectors is not None:
            # present[sector] may be 1 only if someone of the sector is in the group.
            present = []
            for members in sectors.values():
                column = model.column(0, 1)
                present.append(column)
                model.row([(column, 1), *((take[k, group.id], -1) for k in members)], -np.inf, 0)
            slack = model.column(slack_cost, rules.min_sectors)
            model.row([*((c, 1) for c in present), (slack, 1)], rules.min_sectors, np.inf)


def _colleague_rule(model, kinds, groups, rules, take, slack_cost) -> None:
    if rules.max_colleagues is None:
        return
    organisations = defaultdict(list)
    for k, kind in enumerate(kinds):
        organisations[kind.organisation].append(k)
    for kind_ids in organisations.values():
        if sum(len(kinds[k].members) for k in kind_ids) <= rules.max_colleagues:
            continue  # too few colleagues to break the rule anywhere
        for group in groups:
            slack = model.column(slack_cost, group.capacity)
            terms = [*((take[k, group.id], 1) for k in kind_ids), (slack, -1)]
            model.row(terms, -np.inf, rules.max_colleagues)


def _places(kinds, groups, solution, take) -> dict[int, int | None]:
    """Hand each kind's places to its members in the seeded order, best choice first."""
    places = {}
    for k, kind in enumerate(kinds):
        members = iter(kind.members)
        ranked = [g.id for g in groups if g.id in kind.ranking]
        ranked.sort(key=kind.ranking.index)
        others = [g.id for g in groups if g.id not in kind.ranking]
        for group_id in ranked + others:
            for _ in range(round(solution[take[k, group_id]])):
                places[next(members)] = group_id
        for member in members:
            places[member] = None
    return places
