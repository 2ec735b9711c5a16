"""The allocation solver (breakouts.allocation) on its own: hand-checked optima, a mix rule
that cannot be met, determinism, and properties over random events (hypothesis)."""

import itertools
import random
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from breakouts.allocation import (
    Applicant,
    Group,
    MixRules,
    Rule,
    allocate,
    first_come_first_served,
    outcomes,
    total_cost,
)

A, B, C = 1, 2, 3


def person(pk, ranking, sector="nhs", organisation=None):
    return Applicant(pk, sector, organisation or f"org-{pk}", tuple(ranking))


def test_a_later_registrant_with_one_choice_is_not_left_out_for_an_earlier_ones_first():
    # First come, first served: Ana takes A, Ben (only A ranked) gets nothing: 1 + 100.
    ana, ben = person(1, [A, B]), person(2, [A])
    groups = [Group(A, 1), Group(B, 1)]

    fcfs = first_come_first_served([ana, ben], groups)
    result = allocate([ana, ben], groups)

    assert fcfs.places == {1: A, 2: None}
    assert fcfs.cost == 101
    assert result.places == {1: B, 2: A}
    assert result.cost == 1 + 4


def test_two_second_choices_beat_a_first_and_a_third():
    # Ben's first choice X is full. Ana A (1st) + Ben C (3rd) and Ana B (2nd) + Ben A
    # (2nd) tie on ranks (1 + 3 = 2 + 2); the cost, 1 + 9 against 4 + 4, does not.
    x = 9
    ana, ben = person(1, [A, B]), person(2, [x, A, C])
    groups = [Group(x, 0), Group(A, 1), Group(B, 1), Group(C, 1)]

    result = allocate([ana, ben], groups)

    assert result.places == {1: B, 2: A}
    assert result.cost == 8


def test_max_sector_share_mixes_each_group():
    # Everyone wants A first. 50 % at most of one sector: A gets one NHS and one police.
    nhs = [person(p, [A, B], "nhs") for p in (1, 2)]
    police = [person(p, [A, B], "police") for p in (3, 4)]
    groups = [Group(A, 2), Group(B, 2)]

    unmixed = allocate(nhs + police, groups, seed=3)
    mixed = allocate(nhs + police, groups, MixRules(max_sector_share=50), seed=3)

    assert mixed.breaches == []
    assert mixed.cost == unmixed.cost == 1 + 1 + 4 + 4
    for group in (A, B):
        sectors = Counter(a.sector for a in nhs + police if mixed.places[a.id] == group)
        assert sectors == Counter({"nhs": 1, "police": 1})


def test_min_sectors_that_cannot_be_met_is_explained_and_relaxed_only_where_it_must():
    # Three groups asking for two sectors each, but only one police officer among five.
    people = [person(p, [A, B, C], "nhs") for p in range(1, 5)]
    people.append(person(5, [C, B, A], "police"))
    groups = [Group(A, 2), Group(B, 2), Group(C, 2)]
    rules = MixRules(max_sector_share=None, min_sectors=2, max_colleagues=1)

    result = allocate(people, groups, rules, seed=1)

    assert {breach.rule for breach in result.breaches} == {Rule.MIN_SECTORS}
    # Only one group can have two sectors: the other two are one sector short each.
    assert sorted((b.actual, b.limit, b.excess) for b in result.breaches) == [(1, 2, 1)] * 2
    # Still everyone placed (a group with nobody would be two sectors short).
    assert None not in result.places.values()


def test_same_people_and_seed_give_the_same_allocation_and_any_seed_the_same_cost():
    rng = random.Random(7)
    groups = [Group(g, 6) for g in range(10, 16)]
    people = [
        person(p, rng.sample(range(10, 16), 3), rng.choice(["nhs", "police", "vcse"]))
        for p in range(30)
    ]
    rules = MixRules(max_sector_share=60, min_sectors=2)

    first = allocate(people, groups, rules, seed=42)
    again = allocate(list(people), groups, rules, seed=42)
    other_seed = allocate(people, groups, rules, seed=43)

    assert again.places == first.places
    assert other_seed.cost == first.cost


def brute_force_cost(people, groups):
    """The least cost over every assignment that fits the capacities (no mix rules)."""
    options = [g.id for g in groups] + [None]
    best = None
    for places in itertools.product(options, repeat=len(people)):
        used = Counter(p for p in places if p is not None)
        if all(used[g.id] <= g.capacity for g in groups):
            cost = total_cost(people, dict(zip([a.id for a in people], places, strict=True)))
            best = cost if best is None else min(best, cost)
    return best


SECTORS = ["nhs", "police", "vcse"]


@st.composite
def events(draw, max_people=12):
    group_ids = list(range(1, draw(st.integers(1, 4)) + 1))
    groups = [Group(g, draw(st.integers(0, 5))) for g in group_ids]
    people = []
    for pk in range(draw(st.integers(0, max_people))):
        ranking = draw(st.permutations(group_ids))[: draw(st.integers(1, 3))]
        sector = draw(st.sampled_from(SECTORS))
        organisation = draw(st.sampled_from(["a", "b", "c"]))
        people.append(Applicant(pk, sector, organisation, tuple(ranking)))
    rules = MixRules(
        max_sector_share=draw(st.none() | st.integers(30, 100)),
        min_sectors=draw(st.none() | st.integers(1, 3)),
        max_colleagues=draw(st.none() | st.integers(1, 4)),
    )
    return people, groups, rules, draw(st.integers(0, 2**16))


def rules_met(people, groups, places, rules):
    """The mix rules counted again, independently of the solver's own check. A group with
    no places left to give is not allocated, so not mixed either."""
    for group in (g for g in groups if g.capacity > 0):
        members = [a for a in people if places[a.id] == group.id]
        sectors = Counter(a.sector for a in members)
        organisations = Counter(a.organisation for a in members)
        if rules.max_sector_share is not None and any(
            100 * n > rules.max_sector_share * len(members) for n in sectors.values()
        ):
            return False
        if rules.min_sectors is not None and len(sectors) < rules.min_sectors:
            return False
        if rules.max_colleagues is not None and any(
            n > rules.max_colleagues for n in organisations.values()
        ):
            return False
    return True


@settings(max_examples=80, deadline=None)
@given(events())
def test_allocation_properties(event):
    people, groups, rules, seed = event

    result = allocate(people, groups, rules, seed=seed)
    fcfs = first_come_first_served(people, groups, rules)

    assert set(result.places) == {a.id for a in people}  # at most one place each
    used = Counter(g for g in result.places.values() if g is not None)
    assert all(used[g.id] <= g.capacity for g in groups)
    assert set(used) <= {g.id for g in groups}
    if not result.breaches:
        assert rules_met(people, groups, result.places, rules)
    if not fcfs.breaches:
        # First come, first served's allocation meets the rules, so it was on offer.
        assert result.breaches == []
        assert result.cost <= fcfs.cost
    assert sum(outcomes(people, result.places).values()) == len(people)


@settings(max_examples=40, deadline=None)
@given(events(max_people=5))
def test_without_mix_rules_the_allocation_is_optimal_and_never_worse_than_fcfs(event):
    people, groups, _rules, seed = event

    result = allocate(people, groups, seed=seed)

    assert result.cost == brute_force_cost(people, groups)
    assert result.cost <= first_come_first_served(people, groups).cost
