"""Breakout allocation on generated preferences: time, memory, and the rank distribution
beside first come, first served's on the same delegates.

    .venv/bin/python bench/allocate.py                 # the two targets of issue 19
    .venv/bin/python bench/allocate.py --delegates 500 --colleagues 6 --majority 70

The targets: 2,000 delegates with a 55 % majority sector (share ≤ 40 %, ≥ 3 sectors) in
≤ 10 s; 10,000 with every rule, colleagues included (≤ 4 of one organisation), in ≤ 60 s
and ≤ 1 GB. Times are for both rounds; "proven" says whether every level of the
lexicographic objective was solved to optimality within the solver's time limit. The
CPU time is printed beside the elapsed time: on a shared machine the elapsed time counts
the other processes' turns too.

No database: the solver alone (breakouts.allocation), as the admin's preview runs it.
Each size runs in a fresh process so its peak memory is its own. Figures: docs/performance.md.
"""

import argparse
import multiprocessing
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from breakouts.allocation import (
    Applicant,
    Group,
    MixRules,
    Outcome,
    allocate,
    first_come_first_served,
    outcomes,
)

ROUNDS = 2
SESSIONS = 10
# A partner symposium's audience: the NHS is the largest sector, the police the smallest.
SECTORS = {
    "nhs": 35,
    "council": 25,
    "vcse": 15,
    "police": 10,
    "education": 5,
    "housing": 5,
    "other": 5,
}
TARGETS = {2000: (10.0, None), 10000: (60.0, 1024)}
# The scenarios of issue 19: (delegates, majority sector share %, most colleagues).
SCENARIOS = [(2000, 55, None), (10000, None, 4)]


def generate(delegates: int, seed: int, majority: int | None = None):
    """Delegates with a sector and an organisation (about 15 people each), ranking three
    sessions per round: some themes far more popular than others, and each sector drawn
    to its own theme (the NHS to one, the police to another), as at real events."""
    rng = random.Random(seed)
    weights = dict(SECTORS)
    if majority is not None:
        # The NHS is `majority` % of the audience; the others keep their proportions.
        rest = sum(w for s, w in SECTORS.items() if s != "nhs")
        weights = {
            s: (majority if s == "nhs" else w * (100 - majority) / rest) for s, w in SECTORS.items()
        }
    sectors = rng.choices(list(weights), weights=list(weights.values()), k=delegates)
    organisations = [f"{sector}-{rng.randrange(max(1, delegates // 15))}" for sector in sectors]
    popularity = {
        sector: [(6 if rank == index else 1) / (rank + 1) for rank in range(SESSIONS)]
        for index, sector in enumerate(SECTORS)
    }
    rounds = []
    for number in range(ROUNDS):
        ids = [number * 100 + session for session in range(SESSIONS)]
        capacity = -(-delegates * 11 // (10 * SESSIONS))  # 10 % more places than people
        groups = [Group(gid, capacity) for gid in ids]
        applicants = []
        for person in range(delegates):
            ranking = []
            while len(ranking) < 3:
                choice = rng.choices(ids, weights=popularity[sectors[person]])[0]
                if choice not in ranking:
                    ranking.append(choice)
            applicants.append(
                Applicant(person, sectors[person], organisations[person], tuple(ranking))
            )
        rounds.append((applicants, groups))
    return rounds


def distribution(applicants, places):
    counts = outcomes(applicants, places)
    return "  ".join(f"{name.value} {counts[name]:>6,}" for name in Outcome)


def run(delegates: int, rules: MixRules, seed: int, majority, time_limit, queue) -> None:
    rounds = generate(delegates, seed, majority)
    started, cpu_started = time.perf_counter(), time.process_time()
    results = [
        allocate(applicants, groups, rules, seed=seed, time_limit=time_limit)
        for applicants, groups in rounds
    ]
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines = []
    for number, ((applicants, groups), result) in enumerate(zip(rounds, results, strict=True)):
        fcfs = first_come_first_served(applicants, groups, rules)
        lines.append(
            f"  round {number + 1} optimal: {distribution(applicants, result.places)}"
            f"  cost {result.cost:>7,}  people short {sum(b.excess for b in result.breaches)}"
            f"  proven {'yes' if result.optimal else 'no'}"
            f"  levels {', '.join(f'{s.name} {s.seconds:.1f} s' for s in result.stages)}"
        )
        lines.append(
            f"  round {number + 1} FCFS:    {distribution(applicants, fcfs.places)}"
            f"  cost {fcfs.cost:>7,}  people short {sum(b.excess for b in fcfs.breaches)}"
        )
    queue.put((elapsed, cpu, peak_mb, lines))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delegates", type=int)
    parser.add_argument("--share", type=int, default=40, help="largest share of a sector, %%")
    parser.add_argument("--sectors", type=int, default=3, help="least sectors in a group")
    parser.add_argument("--colleagues", type=int, help="most colleagues in a group")
    parser.add_argument("--majority", type=int, help="the NHS's share of the audience, %%")
    parser.add_argument("--time-limit", type=float, default=60, help="per round, seconds")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    scenarios = SCENARIOS
    if args.delegates:
        scenarios = [(args.delegates, args.majority, args.colleagues)]
    failed = False
    for delegates, majority, colleagues in scenarios:
        rules = MixRules(args.share, args.sectors, colleagues)
        queue = multiprocessing.Queue()
        process = multiprocessing.Process(
            target=run,
            args=(delegates, rules, args.seed, majority, args.time_limit, queue),
        )
        process.start()
        elapsed, cpu, peak_mb, lines = queue.get()
        process.join()
        seconds, megabytes = TARGETS.get(delegates, (None, None))
        met = (seconds is None or elapsed < seconds) and (megabytes is None or peak_mb < megabytes)
        failed |= not met
        audience = f", NHS {majority} %" if majority else ""
        print(
            f"{delegates:,} delegates{audience} × {ROUNDS} rounds × {SESSIONS} sessions, "
            f"share ≤ {rules.max_sector_share} %, ≥ {rules.min_sectors} sectors"
            + (f", ≤ {colleagues} colleagues" if colleagues else "")
            + f": {elapsed:.2f} s ({cpu:.2f} s of CPU), peak {peak_mb:.0f} MB"
            + ("" if seconds is None else f" (target ≤ {seconds:g} s")
            + ("" if megabytes is None else f", ≤ {megabytes} MB")
            + ("" if seconds is None else f": {'met' if met else 'MISSED'})")
        )
        print("\n".join(lines))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
