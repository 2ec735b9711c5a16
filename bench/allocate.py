"""Breakout allocation on generated preferences: time, memory, and the rank distribution
beside first come, first served's on the same delegates.

    .venv/bin/python bench/allocate.py                 # 2,000 and 10,000 delegates
    .venv/bin/python bench/allocate.py --delegates 500 --colleagues 6

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
TARGETS = {2000: (5.0, 500), 10000: (60.0, None)}


def generate(delegates: int, seed: int):
    """Delegates with a sector and an organisation (about 15 people each), ranking three
    sessions per round: some themes far more popular than others, and each sector drawn
    to its own theme (the NHS to one, the police to another), as at real events."""
    rng = random.Random(seed)
    sectors = rng.choices(list(SECTORS), weights=list(SECTORS.values()), k=delegates)
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


def run(delegates: int, rules: MixRules, seed: int, queue) -> None:
    rounds = generate(delegates, seed)
    started = time.perf_counter()
    results = [allocate(applicants, groups, rules, seed=seed) for applicants, groups in rounds]
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines = []
    for number, ((applicants, groups), result) in enumerate(zip(rounds, results, strict=True)):
        fcfs = first_come_first_served(applicants, groups, rules)
        lines.append(
            f"  round {number + 1} optimal: {distribution(applicants, result.places)}"
            f"  cost {result.cost:>7,}  rules broken {len(result.breaches)}"
        )
        lines.append(
            f"  round {number + 1} FCFS:    {distribution(applicants, fcfs.places)}"
            f"  cost {fcfs.cost:>7,}  rules broken {len(fcfs.breaches)}"
        )
    queue.put((elapsed, peak_mb, lines))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delegates", type=int, action="append")
    parser.add_argument("--share", type=int, default=40, help="largest share of a sector, %%")
    parser.add_argument("--sectors", type=int, default=3, help="least sectors in a group")
    parser.add_argument("--colleagues", type=int, help="most colleagues in a group")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rules = MixRules(args.share, args.sectors, args.colleagues)
    failed = False
    for delegates in args.delegates or list(TARGETS):
        queue = multiprocessing.Queue()
        process = multiprocessing.Process(target=run, args=(delegates, rules, args.seed, queue))
        process.start()
        elapsed, peak_mb, lines = queue.get()
        process.join()
        seconds, megabytes = TARGETS.get(delegates, (None, None))
        met = (seconds is None or elapsed < seconds) and (megabytes is None or peak_mb < megabytes)
        failed |= not met
        print(
            f"{delegates:,} delegates × {ROUNDS} rounds × {SESSIONS} sessions, {rules}: "
            f"{elapsed:.2f} s, peak {peak_mb:.0f} MB"
            + ("" if seconds is None else f" (target < {seconds:g} s")
            + ("" if megabytes is None else f", < {megabytes} MB")
            + ("" if seconds is None else f"): {'met' if met else 'MISSED'})")
        )
        print("\n".join(lines))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
