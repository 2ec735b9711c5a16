"""The allocation of ranked breakout places: everyone the seats allow placed first, then
the mix rules met as far as they can be, then the best ranks.

Pure Python and SciPy, no Django: `breakouts.allocation_services` reads the event into
`Applicant` and `Group` values, calls `allocate` once per breakout round (a delegate's
rounds do not constrain each other) and writes the result. The policy, and why it is
solved the way it is, is in docs/allocation.md; in short:

- The objective is lexicographic: (1) as many people placed as the seats allow; (2) the
  fewest people by which the mix rules are broken; (3) the least rank cost (first choice
  1, second 4, third 9, a group not ranked 16). Level 1 is min(people, seats) unless a
  rule is strict, when it is solved on its own; its optimum is then a constraint. Levels
  2 and 3 are one mixed-integer programme (HiGHS through SciPy's `milp`) whose weights
  are proven to keep their order (see `_solve`), checked against a brute force in the
  tests.
- A rule the organiser marks strict is a constraint, not a level: it may leave people
  out, and the report says how many and which rule did it.
- Nobody is put in a group they did not rank while one they ranked has room, unless
  `MixRules.allow_unranked` says mixing may do so.
- Rules count everyone in a session: the places held before the allocation too
  (`Group.held`).

The scale comes from the shape of the problem. Delegates with the same ranking, sector
(and organisation, when colleagues are spread) are interchangeable: one variable per
*class* and group counts how many of the class go there. Only the sector-by-group counts
and a few yes/no variables are integers; once those are whole numbers, what is left is
two laminar families of rows (classes on one side; groups, sectors within a group and
organisations within a sector on the other), a totally unimodular matrix whose vertices
are whole numbers, so the class counts need no branching. `_whole_numbers` makes sure
of it by re-solving that linear programme by simplex when HiGHS hands back a fraction.

With the colleagues rule, organisations make the classes nearly as many as the people,
and HiGHS took a minute a round at 10,000 delegates looking for whole numbers at a bound
that was already tight. `_by_counts` solves that case in two steps instead: without the
rule (classes by ranking and sector: a small programme, and its optimum a bound on the
whole one), then the whole programme with the sector-by-group counts fixed at that
optimum. When the second costs no more than the bound, it is the optimum, proven; when
not, the whole programme is solved as before, the two-step allocation kept if better.
"""

import enum
import math
import os
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import coo_array, vstack

RANK_COSTS = (1, 4, 9)
OTHER_GROUP_COST = 16
NO_PLACE_COST = 100
DEFAULT_TIME_LIMIT = 20.0
TOGETHER = "together"  # `Allocation.left_out_by` key: people the strict rules leave out jointly


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


class Reason(enum.StrEnum):
    """Why a delegate got what they got, as their email says it."""

    CHOSEN = "chosen"  # their best choice that had room: nothing moved them
    FULL = "full"  # the better choices were full
    MOVED = "moved"  # a mix rule moved them from a better choice
    NOT_RANKED = "not_ranked"  # ranked nothing in the round
    STRICT = "strict"  # no place: there was room, but a strict rule kept them out


class AllocationFailed(Exception):
    """The solver found no allocation at all (time limit too short, or a solver error)."""


@dataclass(frozen=True)
class Applicant:
    id: int
    sector: str
    organisation: str
    ranking: tuple[int, ...]  # group ids, first choice first; () for no ranking


@dataclass(frozen=True)
class Group:
    id: int
    capacity: int  # places left to give
    held: tuple[tuple[str, str], ...] = ()  # (sector, organisation) of places already held


@dataclass(frozen=True)
class MixRules:
    max_sector_share: int | None = None  # per cent of a group from one sector
    min_sectors: int | None = None  # sectors in every group with someone in it
    max_colleagues: int | None = None  # people from one organisation in a group
    strict: frozenset = frozenset()  # rules that may leave people out rather than break
    allow_unranked: bool = False  # mixing may move people to groups they did not rank

    def __iter__(self):
        return iter(rule for rule in Rule if getattr(self, rule) is not None)

    def is_strict(self, rule: Rule) -> bool:
        return rule in self.strict and getattr(self, rule) is not None


@dataclass(frozen=True)
class Breach:
    """A mix rule not met in one group: `actual` against `limit` (people of `subject`,
    or sectors), and `excess` people too many (or, for sectors, people of another
    sector missing)."""

    rule: Rule
    group: int
    subject: str
    actual: int
    limit: int
    excess: int
    group_size: int = 0


@dataclass
class Stage:
    """One level of the lexicographic objective: its value, and how sure it is."""

    name: str  # "placed", "rules", "ranks"
    value: float
    optimal: bool = True
    bound: float | None = None  # the solver's bound when it stopped at the time limit
    seconds: float = 0.0


@dataclass
class Allocation:
    places: dict[int, int | None]  # applicant id: group id, or None for no place
    breaches: list[Breach] = field(default_factory=list)
    cost: int = 0
    reasons: dict[int, Reason] = field(default_factory=dict)
    stages: list[Stage] = field(default_factory=list)
    seats: int = 0  # places there were to give
    left_out_by: dict = field(default_factory=dict)  # strict rule: people it leaves out

    @property
    def optimal(self) -> bool:
        return all(stage.optimal for stage in self.stages)


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


def _members(applicants, groups, places):
    """{group id: Counter of (sector, organisation)}, places held before included."""
    members = {group.id: Counter(group.held) for group in groups}
    for applicant in applicants:
        group_id = places.get(applicant.id)
        if group_id is not None:
            members.setdefault(group_id, Counter())[applicant.sector, applicant.organisation] += 1
    return members


def breaches(
    applicants: Sequence[Applicant],
    groups: Sequence[Group],
    places: dict[int, int | None],
    rules: MixRules,
) -> list[Breach]:
    """Every mix rule that `places` (with the places held before) does not meet, group by
    group. An empty group breaks no rule."""
    found = []
    members = _members(applicants, groups, places)
    for group in groups:
        people = members.get(group.id, Counter())
        size = sum(people.values())
        if not size:
            continue
        sectors, organisations = Counter(), Counter()
        for (sector, organisation), count in people.items():
            sectors[sector] += count
            organisations[organisation] += count
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
            for organisation, count in sorted(organisations.items()):
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


def people_short(found: Iterable[Breach], rules: MixRules, *, strict: bool = False) -> int:
    """The mix rules' shortfall in people (the second level of the objective), over the
    soft rules, or over the strict ones."""
    return sum(b.excess for b in found if rules.is_strict(b.rule) == strict)


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
        seats=sum(max(g.capacity, 0) for g in groups),
    )


# The model ---------------------------------------------------------------------------


@dataclass
class _Class:
    """Interchangeable applicants: one ranking, one sector, one organisation (when
    colleagues are spread)."""

    ranking: tuple[int, ...]
    sector: str
    organisation: str
    members: list[int] = field(default_factory=list)


class _Model:
    """Columns and rows of the programme, added as they are named."""

    def __init__(self):
        self.lower, self.upper, self.integer = [], [], []
        self.rows, self.cols, self.values = [], [], []
        self.row_lower, self.row_upper = [], []

    def column(self, upper: float, *, integer: bool = False, lower: float = 0) -> int:
        self.lower.append(lower)
        self.upper.append(upper)
        self.integer.append(1 if integer else 0)
        return len(self.upper) - 1

    def row(self, terms: Iterable[tuple[int, float]], lower: float, upper: float) -> None:
        index = len(self.row_lower)
        for column, value in terms:
            self.rows.append(index)
            self.cols.append(column)
            self.values.append(value)
        self.row_lower.append(lower)
        self.row_upper.append(upper)

    def matrix(self):
        return coo_array(
            (self.values, (self.rows, self.cols)),
            shape=(len(self.row_lower), len(self.upper)),
        ).tocsr()

    def solve(self, objective: dict[int, float], time_limit: float):
        size = len(self.upper)
        costs = np.zeros(size)
        for column, value in objective.items():
            costs[column] = value
        return milp(
            c=costs,
            integrality=np.array(self.integer),
            bounds=Bounds(np.array(self.lower, float), np.array(self.upper, float)),
            constraints=[LinearConstraint(self.matrix(), self.row_lower, self.row_upper)],
            # Every level's value is a whole number, so a gap of zero is "optimal".
            options={
                "mip_rel_gap": 0,
                "time_limit": max(time_limit, 0.5),
                "presolve": True,
                "disp": bool(os.environ.get("HIGHS_LOG")),
            },
        )


def _classes(applicants: Sequence[Applicant], rules: MixRules, seed: int) -> list[_Class]:
    order = list(applicants)
    random.Random(seed).shuffle(order)
    classes = {}
    for applicant in order:
        # Ranks as the delegate gave them, full groups included: a second choice stays
        # a second choice when the first is full.
        ranking = applicant.ranking[:3]
        organisation = applicant.organisation if rules.max_colleagues is not None else ""
        key = (ranking, applicant.sector, organisation)
        member_class = classes.setdefault(key, _Class(ranking, applicant.sector, organisation))
        member_class.members.append(applicant.id)
    return list(classes.values())


def _place_cost(member_class: _Class, group_id: int) -> int:
    """Cost of a place relative to no place (what the class's count minus its places
    costs), so that every variable's cost is negative: placing always gains."""
    if group_id in member_class.ranking:
        return RANK_COSTS[member_class.ranking.index(group_id)] - NO_PLACE_COST
    return OTHER_GROUP_COST - NO_PLACE_COST


@dataclass
class _Built:
    model: _Model
    take: dict  # (class index, group id): column
    count: dict  # (sector, group id): integer column
    slack: dict  # rule: [columns] of people short
    rank_cost: dict  # column: cost
    outside: dict  # class index: column of its places in groups it did not rank
    spread: dict  # ((sector, organisation), group id): column of those places there


def _build(classes, groups, rules: MixRules, *, soft: frozenset, placed_at_least: int) -> _Built:
    """The rows every level shares. `soft`: the rules that may be broken (with slack);
    the others of `rules` are hard, bar what the places held already break.

    A class's places are columns only for the groups it ranked; its places elsewhere
    go through its *pool* (its sector and organisation): one column per class for how
    many of it go to groups it did not rank, and one per pool and group for where they
    go. A place outside one's ranking costs the same in every group and the rules see
    only sector and organisation, so nothing is lost, and a network of flows (class →
    group, or class → pool → group) has a third of the columns of class × group."""
    model = _Model()
    take, outside = {}, {}
    pools = defaultdict(list)
    for k, member_class in enumerate(classes):
        people = len(member_class.members)
        for group in groups:
            if group.id in member_class.ranking:
                take[k, group.id] = model.column(min(people, group.capacity))
        outside[k] = model.column(people)
        terms = [(take[k, g.id], 1) for g in groups if (k, g.id) in take]
        model.row([*terms, (outside[k], 1)], 0, people)
        pools[member_class.sector, member_class.organisation].append(k)
    spread = {}
    for pool, class_ids in pools.items():
        people = sum(len(classes[k].members) for k in class_ids)
        for group in groups:
            spread[pool, group.id] = model.column(min(people, group.capacity))
        model.row(
            [*((spread[pool, g.id], 1) for g in groups), *((outside[k], -1) for k in class_ids)],
            0,
            0,
        )
    sectors = sorted({c.sector for c in classes} | {s for g in groups for s, _ in g.held})
    count, size = {}, {}
    into = defaultdict(list)  # (sector, group id): columns of people placed there
    for (k, group_id), column in take.items():
        into[classes[k].sector, group_id].append(column)
    for ((sector, _organisation), group_id), column in spread.items():
        into[sector, group_id].append(column)
    for group in groups:
        for sector in sectors:
            columns = into.get((sector, group.id), [])
            count[sector, group.id] = model.column(group.capacity if columns else 0, integer=True)
            model.row([*((c, 1) for c in columns), (count[sector, group.id], -1)], 0, 0)
        size[group.id] = [(count[s, group.id], 1) for s in sectors]
        model.row(size[group.id], 0, group.capacity)
    every_count = [(column, 1) for column in count.values()]
    model.row(every_count, placed_at_least, np.inf)
    _ranked_first(model, classes, groups, rules, outside, size)
    slack = {}
    for rule in rules:
        slack[rule] = []
    _share_rule(model, groups, sectors, rules, count, size, slack, soft)
    _sectors_rule(model, groups, sectors, rules, count, size, slack, soft)
    _colleague_rule(model, classes, groups, rules, take, spread, slack, soft)
    rank_cost = {column: _place_cost(classes[k], g) for (k, g), column in take.items()}
    rank_cost |= dict.fromkeys(outside.values(), OTHER_GROUP_COST - NO_PLACE_COST)
    return _Built(model, take, count, slack, rank_cost, outside, spread)


def _ranked_first(model, classes, groups, rules, outside, size) -> None:
    """Nobody in a group they did not rank while one they ranked has room: a class's
    places outside its ranking need each of its ranked groups full."""
    if rules.allow_unranked:
        return
    # One row per group, not per class: the classes that ranked the group may use
    # groups outside their rankings only if it is full. Its bound is one more than those
    # classes' people, so that it never binds when the group is full and, when it is not,
    # it only fixes columns at zero: the class counts stay whole (see the module).
    columns = defaultdict(list)
    people = Counter()
    for k, member_class in enumerate(classes):
        for group in groups:
            if group.id in member_class.ranking:
                columns[group.id].append(outside[k])
                people[group.id] += len(member_class.members)
    for group in groups:
        if not columns[group.id]:
            continue
        full = model.column(1, integer=True)
        # full = 1 only if the group's places are all given.
        model.row([*size[group.id], (full, -group.capacity)], 0, np.inf)
        bound = people[group.id] + 1
        model.row([*((c, 1) for c in columns[group.id]), (full, -bound)], -np.inf, 0)


def _baseline(rule: Rule, group: Group, rules: MixRules, subject: str = "") -> int:
    """What the places held before already break, which no allocation can undo by
    adding nobody: a strict rule is kept to that."""
    held = _members([], [group], {})[group.id]
    found = breaches([], [Group(group.id, 0, tuple(held.elements()))], {}, rules)
    return sum(b.excess for b in found if b.rule == rule and b.subject == subject)


def _share_rule(model, groups, sectors, rules, count, size, slack, soft) -> None:
    share = rules.max_sector_share
    if share is None:
        return
    for group in groups:
        held = Counter(sector for sector, _ in group.held)
        total_held = len(group.held)
        # allowed = ⌊share × (held + new) / 100⌋, the most people of one sector the
        # group may have: 100 × allowed ≤ share × (held + new). The excess is then a row
        # of whole coefficients, which keeps the relaxation tight (the share itself in
        # every sector's row made HiGHS search long for whole numbers at its bound).
        allowed = model.column(group.capacity + total_held, integer=True)
        terms = [(column, -share) for column, _ in size[group.id]]
        model.row([*terms, (allowed, 100)], -np.inf, share * total_held)
        for sector in sectors:
            # held + new of the sector ≤ allowed + excess.
            upper = group.capacity + held[sector]
            if Rule.MAX_SECTOR_SHARE not in soft:
                upper = _baseline(Rule.MAX_SECTOR_SHARE, group, rules, sector)
            excess = model.column(upper, integer=True)
            slack[Rule.MAX_SECTOR_SHARE].append(excess)
            terms = [(count[sector, group.id], 1), (allowed, -1), (excess, -1)]
            model.row(terms, -np.inf, -held[sector])


def _sectors_rule(model, groups, sectors, rules, count, size, slack, soft) -> None:
    wanted = rules.min_sectors
    if wanted is None:
        return
    for group in groups:
        held = Counter(sector for sector, _ in group.held)
        present = []
        for sector in sectors:
            column = model.column(1, integer=True)
            present.append((column, 1))
            # present only if someone of the sector is there.
            model.row([(column, 1), (count[sector, group.id], -1)], -np.inf, held[sector])
        # An empty group breaks no rule; one with anyone in it needs the sectors.
        someone = model.column(1, integer=True, lower=1 if group.held else 0)
        model.row([*size[group.id], (someone, -group.capacity)], -np.inf, 0)
        upper = wanted
        if Rule.MIN_SECTORS not in soft:
            upper = _baseline(Rule.MIN_SECTORS, group, rules)
        short = model.column(upper, integer=True)
        slack[Rule.MIN_SECTORS].append(short)
        model.row([*present, (short, 1), (someone, -wanted)], 0, np.inf)


def _colleague_rule(model, classes, groups, rules, take, spread, slack, soft) -> None:
    most = rules.max_colleagues
    if most is None:
        return
    organisations = defaultdict(list)
    for k, member_class in enumerate(classes):
        organisations[member_class.organisation].append(k)
    excesses = []
    for organisation, class_ids in organisations.items():
        people = sum(len(classes[k].members) for k in class_ids)
        sectors = {classes[k].sector for k in class_ids}
        for group in groups:
            held = sum(1 for _, o in group.held if o == organisation)
            if people + held <= most:
                continue  # too few colleagues to break the rule here
            upper = group.capacity + held
            if Rule.MAX_COLLEAGUES not in soft:
                upper = max(held - most, 0)
            # Not an integer: a slack column of one row keeps the matrix totally
            # unimodular, so it is whole once the total below is (thousands fewer
            # integers for HiGHS to branch on at 10,000 delegates).
            excess = model.column(upper)
            excesses.append(excess)
            terms = [(take[k, group.id], 1) for k in class_ids if (k, group.id) in take]
            terms += [(spread[(s, organisation), group.id], 1) for s in sorted(sectors)]
            model.row([*terms, (excess, -1)], -np.inf, most - held)
    if excesses:
        total = model.column(sum(model.upper[c] for c in excesses), integer=True)
        model.row([*((c, 1) for c in excesses), (total, -1)], 0, 0)
        slack[Rule.MAX_COLLEAGUES].append(total)


# The lexicographic solve ------------------------------------------------------------


class _Clock:
    def __init__(self, limit: float, progress: Callable | None):
        self.deadline = time.monotonic() + limit
        self.progress = progress or (lambda fraction, text: None)

    def left(self) -> float:
        return self.deadline - time.monotonic()


def _level(built: _Built, objective: dict, name: str, clock: _Clock, *, sense: int = 1):
    """Solve one level; its Stage and solution (None if no solution was found)."""
    started = time.monotonic()
    result = built.model.solve(objective, clock.left())
    seconds = time.monotonic() - started
    if result.x is None:
        if result.status == 1:  # the time limit, before any allocation
            return Stage(name, math.nan, optimal=False, seconds=seconds), None
        raise AllocationFailed(f"The solver failed: {result.message}")
    value = round(sense * result.fun)
    optimal = result.status == 0
    bound = None
    if not optimal and getattr(result, "mip_dual_bound", None) is not None:
        bound = sense * result.mip_dual_bound
    return Stage(name, value, optimal, bound, seconds), result.x


def _objective(columns: Iterable[int], weight: float = 1) -> dict[int, float]:
    return dict.fromkeys(columns, weight)


def _solve(classes, groups, rules, *, clock: _Clock, seats: int, people: int):
    """The levels: the most placed (a solve of its own only when a rule is strict),
    fixed as a constraint; then the mix rules and the ranks in one solve, by weights
    proven to keep their order. (solution, built, stages, left_out_by)."""
    strict = frozenset(rule for rule in rules if rules.is_strict(rule))
    soft = frozenset(rules) - strict
    most_placed = min(seats, people)
    stages, left_out_by = [], {}
    placed_at_least = most_placed
    if strict:
        clock.progress(0.05, "Placing everyone the seats and strict rules allow")
        built = _build(classes, groups, rules, soft=soft, placed_at_least=0)
        stage, solution = _level(
            built, _objective(built.count.values(), -1), "placed", clock, sense=-1
        )
        if solution is None:
            raise AllocationFailed("No allocation was found within the time limit.")
        stages.append(stage)
        placed_at_least = int(stage.value)
        if placed_at_least < most_placed:
            left_out_by = _left_out_by(classes, groups, rules, strict, soft, stage, clock)
            # What no one strict rule explains alone, the strict rules do together.
            together = most_placed - placed_at_least - sum(left_out_by.values())
            if together > 0:
                left_out_by[TOGETHER] = together
    else:
        stages.append(Stage("placed", most_placed))
    built = _build(classes, groups, rules, soft=soft, placed_at_least=placed_at_least)
    slack = [c for rule in soft for c in built.slack[rule]]
    clock.progress(0.35, "Meeting the mix rules, then giving the best ranks")
    # Levels 2 and 3 in one solve, by weights that provably keep their order: with the
    # number placed fixed, each person placed costs between -99 and -84 (first choice to
    # a group not ranked, relative to no place), so any two allocations' rank costs
    # differ by at most 15 per person placed, less than one person short of a rule
    # weighs. (Two solves, the first's optimum fixed for the second, gave the same
    # allocations 3 to 4 times slower: HiGHS spent its time looking for whole numbers
    # at the first level's bound.)
    weight = 15 * max(placed_at_least, 1) + 1
    objective = {c: float(weight) for c in slack} | built.rank_cost
    stage, solution = _by_counts(
        classes,
        groups,
        rules,
        built,
        objective,
        soft=soft,
        placed_at_least=placed_at_least,
        weight=weight,
        clock=clock,
    )
    if stage is None or not stage.optimal:
        # The whole programme; the allocation by counts, if any, stays if it is better.
        found, candidate = stage, solution
        stage, solution = _level(built, objective, "ranks", clock)
        if candidate is not None and (solution is None or found.value < stage.value):
            bounds = [b for b in (found.bound, stage.bound) if b is not None]
            stage = Stage("ranks", found.value, False, max(bounds, default=None), stage.seconds)
            solution = candidate
    if solution is None:
        raise _NothingFound([*stages, Stage("rules", math.nan, False)], left_out_by)
    short = round(sum(solution[c] for c in slack))
    rules_bound = ranks_bound = None
    if stage.bound is not None:
        # The total's bound, split: rank costs are at most -84 a person placed.
        rules_bound = max(0, math.ceil((stage.bound + 84 * placed_at_least) / weight - 1e-9))
        ranks_bound = stage.bound - weight * short + NO_PLACE_COST * people
    if slack:
        # The rules' level is proven when nothing better than `short` is possible, even
        # if the ranks' is not.
        proven = stage.optimal or (rules_bound is not None and short <= rules_bound)
        stages.append(Stage("rules", short, proven, rules_bound, stage.seconds))
    # Costs were relative to no place: the total as `total_cost` counts it.
    value = stage.value - weight * short + NO_PLACE_COST * people
    stages.append(Stage("ranks", value, stage.optimal, ranks_bound, stage.seconds))
    return _whole_numbers(built, solution), built, stages, left_out_by


def _by_counts(classes, groups, rules, built, objective, *, soft, placed_at_least, weight, clock):
    """Levels 2 and 3 with the colleagues rule, the fast way when it works: solve without
    the rule, with classes by ranking and sector only (a far smaller programme whose
    optimum is a bound: it drops rows), then the whole programme with the sector-by-group
    counts fixed at that optimum, the rest a linear programme in effect (see the module).
    If this costs no more than the bound, it is optimal: proven, without HiGHS searching
    the whole programme for whole numbers at an already tight bound (at 10,000 delegates
    that search took a minute a round; this takes seconds). (Stage, solution): the stage
    optimal when proven; otherwise not, with the bound, and its allocation if one was
    found; (None, None) when there is no colleagues rule or no bound was proven in time.
    """
    if rules.max_colleagues is None:
        return None, None
    started = time.monotonic()
    merged = {}
    for member_class in classes:
        key = member_class.ranking, member_class.sector
        into = merged.setdefault(key, _Class(member_class.ranking, member_class.sector, ""))
        into.members.extend(member_class.members)
    colleagues = Rule.MAX_COLLEAGUES
    relaxed_rules = replace(rules, max_colleagues=None, strict=rules.strict - {colleagues})
    relaxed_soft = soft - {colleagues}
    relaxed = _build(
        list(merged.values()),
        groups,
        relaxed_rules,
        soft=relaxed_soft,
        placed_at_least=placed_at_least,
    )
    relaxed_objective = {
        c: float(weight) for rule in relaxed_soft for c in relaxed.slack[rule]
    } | relaxed.rank_cost
    # Half the time at most, so that the whole programme keeps the rest if need be.
    bound, counts = _level(relaxed, relaxed_objective, "ranks", _Clock(clock.left() / 2, None))
    if counts is None or not bound.optimal:
        return None, None
    model = built.model
    saved_lower, saved_upper = list(model.lower), list(model.upper)
    for key, column in built.count.items():
        model.lower[column] = model.upper[column] = round(counts[relaxed.count[key]])
    try:
        fixed, solution = _level(built, objective, "ranks", clock)
    except AllocationFailed:
        # Infeasible: a strict colleagues rule that those counts cannot meet.
        fixed, solution = None, None
    finally:
        model.lower, model.upper = saved_lower, saved_upper
    seconds = time.monotonic() - started
    if solution is None:
        return Stage("ranks", math.nan, False, bound.value, seconds), None
    proven = fixed.optimal and fixed.value <= bound.value
    return Stage("ranks", fixed.value, proven, None if proven else bound.value, seconds), solution


def _left_out_by(classes, groups, rules, strict, soft, stage, clock) -> dict:
    """For each strict rule, how many more people the seats would take without it."""
    found = {}
    for rule in sorted(strict):
        if clock.left() <= 1:
            break
        built = _build(classes, groups, rules, soft=soft | {rule}, placed_at_least=0)
        other, solution = _level(
            built, _objective(built.count.values(), -1), "placed", clock, sense=-1
        )
        if solution is not None and other.value > stage.value:
            found[rule] = int(other.value - stage.value)
    return found


def _whole_numbers(built: _Built, solution) -> np.ndarray:
    """The class counts as whole numbers. With the integer columns fixed, the rest is a
    totally unimodular system, so a simplex vertex is whole; HiGHS's MIP answer usually
    is already, and when it is not the same linear programme is solved again by simplex
    with the integers fixed (same or lower rank cost)."""
    take = np.array(
        [*built.take.values(), *built.outside.values(), *built.spread.values()], dtype=int
    )
    if np.allclose(solution[take], np.round(solution[take]), atol=1e-6):
        return np.round(solution)
    model = built.model
    integer = np.array(model.integer, dtype=bool)
    lower = np.where(integer, np.round(solution), model.lower)
    upper = np.where(integer, np.round(solution), model.upper)
    costs = np.zeros(len(model.upper))
    for column, value in built.rank_cost.items():
        costs[column] = value
    matrix = model.matrix()
    row_lower, row_upper = np.array(model.row_lower), np.array(model.row_upper)
    # linprog wants A_ub x ≤ b_ub: each ranged row as up to two one-sided rows.
    has_upper, has_lower = np.isfinite(row_upper), np.isfinite(row_lower)
    a_ub = vstack([matrix[has_upper], -matrix[has_lower]])
    b_ub = np.concatenate([row_upper[has_upper], -row_lower[has_lower]])
    result = linprog(
        costs,
        A_ub=a_ub,
        b_ub=b_ub,
        bounds=list(zip(lower, upper, strict=True)),
        method="highs-ds",
    )
    if result.x is not None and np.allclose(result.x[take], np.round(result.x[take]), atol=1e-6):
        return np.round(result.x)
    # Not unimodular after all (an organisation whose people are of several sectors
    # joins two sectors' rows): the same programme, its places declared whole.
    saved, saved_lower, saved_upper = model.integer, model.lower, model.upper
    model.integer = [1 if c in set(take.tolist()) else i for c, i in enumerate(saved)]
    model.lower, model.upper = list(lower), list(upper)
    try:
        again = model.solve(built.rank_cost, 60)
    finally:
        model.integer, model.lower, model.upper = saved, saved_lower, saved_upper
    if again.x is None:
        raise AllocationFailed("The solver's answer was not in whole people.")
    return np.round(again.x)


# The allocation ---------------------------------------------------------------------


def allocate(
    applicants: Sequence[Applicant],
    groups: Sequence[Group],
    rules: MixRules = MixRules(),
    *,
    seed: int = 0,
    time_limit: float = DEFAULT_TIME_LIMIT,
    progress: Callable[[float, str], None] | None = None,
) -> Allocation:
    """The allocation the policy asks for (see the module): capacities and one place
    each are hard; places first, then the mix rules, then the ranks. `progress(fraction,
    text)` is called between levels. Raises AllocationFailed if the solver finds nothing
    within `time_limit` seconds (all levels together)."""
    clock = _Clock(time_limit, progress)
    open_groups = [group for group in groups if group.capacity > 0]
    seats = sum(group.capacity for group in open_groups)
    if not applicants or not open_groups:
        places = dict.fromkeys((a.id for a in applicants), None)
        return _result(applicants, groups, rules, places, [Stage("placed", 0)], {}, seats, None)
    classes = _classes(applicants, rules, seed)
    try:
        solution, built, stages, left_out_by = _solve(
            classes, open_groups, rules, clock=clock, seats=seats, people=len(applicants)
        )
        places = _places(classes, open_groups, solution, built)
    except _NothingFound as nothing:
        if rules.strict:
            raise AllocationFailed("No allocation was found within the time limit.") from None
        # No allocation meeting the rules as well as possible was found in time: the
        # greedy one (places first, ranked groups first) keeps levels 1 and the default
        # policy, and the report says the rules were not optimised.
        places = _greedy(applicants, open_groups, seed)
        stages, left_out_by = nothing.stages, nothing.left_out_by
        short = people_short(breaches(applicants, groups, places, rules), rules)
        stages[-1] = Stage("rules", short, False, stages[-1].bound, stages[-1].seconds)
        stages.append(Stage("ranks", math.nan, optimal=False))
    reference = None
    if any(True for _ in rules):
        # The same people and seed without mix rules: who a rule moved.
        clock.progress(0.85, "Finding who the mix rules moved")
        plain = MixRules(allow_unranked=rules.allow_unranked)
        plain_classes = _classes(applicants, plain, seed)
        try:
            plain_solution, plain_built, _, _ = _solve(
                plain_classes,
                open_groups,
                plain,
                clock=_Clock(max(clock.left(), 5), None),
                seats=seats,
                people=len(applicants),
            )
            reference = _places(plain_classes, open_groups, plain_solution, plain_built)
        except AllocationFailed:
            reference = None
    clock.progress(1.0, "Done")
    return _result(applicants, groups, rules, places, stages, left_out_by, seats, reference)


class _NothingFound(Exception):
    """A level after the first found no allocation within the time limit."""

    def __init__(self, stages, left_out_by):
        super().__init__("no allocation found in time")
        self.stages, self.left_out_by = stages, left_out_by


def _greedy(applicants, groups, seed) -> dict[int, int | None]:
    """In the seed's order, each applicant's best ranked group with room, else any group
    with room: everyone the seats allow placed, and nobody outside their ranking while
    one of their groups has room (groups only fill up)."""
    order = list(applicants)
    random.Random(seed).shuffle(order)
    left = {group.id: group.capacity for group in groups}
    places = {}
    for applicant in order:
        ranked = [g for g in applicant.ranking[:3] if left.get(g, 0) > 0]
        others = [g.id for g in groups if left[g.id] > 0]
        place = (ranked or others or [None])[0]
        places[applicant.id] = place
        if place is not None:
            left[place] -= 1
    return places


def _result(applicants, groups, rules, places, stages, left_out_by, seats, reference):
    found = breaches(applicants, groups, places, rules)
    allocation = Allocation(
        places=places,
        breaches=found,
        cost=total_cost(applicants, places),
        stages=stages,
        seats=seats,
        left_out_by=left_out_by,
    )
    if reference is not None and total_cost(applicants, reference) >= allocation.cost:
        reference = None  # the rules cost no rank: any difference is a tie broken otherwise
    allocation.reasons = _reasons(applicants, groups, places, rules, reference)
    return allocation


def _places(classes, groups, solution, built) -> dict[int, int | None]:
    """Hand each class's places to its members in the seeded order, best choice first;
    then those placed outside their ranking to their pool's groups (a group they did
    rank first, should the pool's places include one)."""
    places, queues = {}, defaultdict(list)
    for k, member_class in enumerate(classes):
        members = iter(member_class.members)
        ranked = sorted(
            (g.id for g in groups if (k, g.id) in built.take), key=member_class.ranking.index
        )
        for group_id in ranked:
            for _ in range(round(solution[built.take[k, group_id]])):
                places[next(members)] = group_id
        for _ in range(round(solution[built.outside[k]])):
            queues[member_class.sector, member_class.organisation].append(
                (next(members), member_class.ranking)
            )
        for member in members:
            places[member] = None
    for pool, queue in queues.items():
        left = {g.id: round(solution[built.spread[pool, g.id]]) for g in groups}
        for member, ranking in queue:
            wanted = [g for g in ranking if left.get(g, 0) > 0]
            group_id = wanted[0] if wanted else next(g for g, n in left.items() if n > 0)
            places[member] = group_id
            left[group_id] -= 1
    return places


def _reasons(applicants, groups, places, rules, reference) -> dict[int, Reason]:
    """Each delegate's reason, true of the allocation itself: a better choice of theirs
    with room left, or a worse outcome than the same seed gives without the mix rules,
    means a rule moved them."""
    room = {group.id: group.capacity for group in groups}
    for group_id in places.values():
        if group_id is not None:
            room[group_id] -= 1
    order = {o: n for n, o in enumerate(Outcome)}
    reasons = {}
    for applicant in applicants:
        got = outcome(applicant, places[applicant.id])
        ranked = applicant.ranking[:3]
        better = (
            ranked
            if got in (Outcome.OTHER, Outcome.NONE)
            else ranked[: ranked.index(places[applicant.id])]
        )
        room_above = any(room.get(g, 0) > 0 for g in better)
        worse_than_plain = (
            reference is not None
            and order[got] > order[outcome(applicant, reference.get(applicant.id))]
        )
        if got == Outcome.NONE:
            any_room = any(left > 0 for left in room.values())
            reasons[applicant.id] = Reason.STRICT if any_room else Reason.FULL
        elif not ranked:
            reasons[applicant.id] = Reason.NOT_RANKED
        elif room_above or worse_than_plain:
            reasons[applicant.id] = Reason.MOVED
        elif got == Outcome.FIRST:
            reasons[applicant.id] = Reason.CHOSEN
        else:
            reasons[applicant.id] = Reason.FULL
    return reasons
