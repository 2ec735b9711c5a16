"""Where the CPU of a benchmark goes, by process group: user + system time read from
/proc/<pid>/stat before and after, divided by the work done (Linux only).

    groups = {"gunicorn workers": lambda: children(server.pid), ...}
    before = cpu.snapshot(groups)
    ... run ...
    cpu.report(cpu.delta(before, cpu.snapshot(groups)), per=registrations, wall=seconds)

A process that appears during the run is counted from zero; one that ends during it is
lost (its time cannot be read afterwards), so groups should be long-lived processes
(gunicorn's sync workers and their persistent database connections are).
"""

import os
from collections.abc import Callable, Iterable
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float | None:
    """utime + stime of one process, or None if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None
    # After the command: state is field 3, utime 14 and stime 15 (1-based, man proc).
    return (int(fields[11]) + int(fields[12])) / TICK


def children(pid: int) -> list[int]:
    """The pid and its descendants."""
    by_parent: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        by_parent.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += by_parent.get(current, [])
    return found


def by_name(*names: str) -> list[int]:
    """Processes whose command (/proc/<pid>/comm) is one of `names`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() in names:
                    found.append(int(entry.name))
            except (FileNotFoundError, ProcessLookupError):
                continue
    return found


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine spent not idle (all cores), from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values[:8]) - idle) / TICK


Snapshot = dict[str, dict[int, float]]


def snapshot(groups: dict[str, Callable[[], Iterable[int]]]) -> Snapshot:
    taken = {}
    for name, pids in groups.items():
        taken[name] = {}
        for pid in pids():
            if (seconds := cpu_seconds(pid)) is not None:
                taken[name][pid] = seconds
    taken["(machine, all processes)"] = {0: machine_busy_seconds()}
    return taken


def delta(before: Snapshot, after: Snapshot) -> dict[str, tuple[float, int]]:
    """{group: (CPU seconds used between the snapshots, processes counted)}."""
    used = {}
    for name, now in after.items():
        then = before.get(name, {})
        used[name] = (
            sum(seconds - then.get(pid, 0.0) for pid, seconds in now.items()),
            len(now),
        )
    return used


def report(used: dict[str, tuple[float, int]], *, per: int, wall: float, what: str) -> None:
    """Print ms of CPU per unit of work by group, and the share of the machine."""
    machine, _ = used.pop("(machine, all processes)")
    ours = sum(seconds for seconds, _ in used.values())
    cores = os.cpu_count() or 1
    print(f"\nCPU per {what} ({per} in {wall:.1f} s; /proc/<pid>/stat utime+stime):")
    print("| process group | processes | CPU s | ms per " + what + " | share |")
    print("|---|---:|---:|---:|---:|")
    for name, (seconds, count) in used.items():
        print(
            f"| {name} | {count} | {seconds:.2f} | {1000 * seconds / max(per, 1):.2f} "
            f"| {seconds / ours:.0%} |"
            if ours
            else f"| {name} | {count} | {seconds:.2f} | - | - |"
        )
    print(f"| **all of the above** | | {ours:.2f} | {1000 * ours / max(per, 1):.2f} | 100% |")
    print(
        f"Machine: {machine:.2f} CPU s busy of {cores * wall:.2f} available ({cores} cores), "
        f"{machine - ours:.2f} s of it by other processes (other work on the machine, "
        f"PostgreSQL's shared background processes, the kernel)."
    )
    if ours:
        print(
            f"At {1000 * ours / max(per, 1):.2f} ms of CPU each, {cores} cores with nothing "
            f"else to do give at most {per * cores / ours:.0f} per second."
        )
