"""The one rule that keeps the report from naming anyone: no figure about a group of fewer
than K (5) people, and no figure from which such a group can be worked out.

`suppress_table` is the rule; everything the report shows goes through it (a list of
counts is a table of one column, `suppress_counts`), or through `suppress_mean` and
`shown` for a single figure. A hidden figure is a word, not a number: SMALL for one
under K (printed "fewer than 5"), WITHHELD for one of K or more hidden only because it
would give another away (printed "withheld"), so what the report says stays true.

The rule, over a table's cells and its margins (row totals, column totals, the grand
total), each of which is printed:

1. Primary suppression: every figure under K is hidden, 0 included (a group that is
   small, or empty, is not told apart from one of 1 to 4).
2. Complementary suppression, repeated until nothing changes: each row and each column
   is an equation (its cells add up to its total). If exactly one of its figures is
   hidden, that figure is its total less the others: the smallest figure still shown
   in it is hidden too. If its total is shown and the hidden cells add up to fewer
   than K people, those people together are a small group: again the smallest shown
   cell is hidden.

Each pass hides at least one more figure, so it ends. At the end no row or column has
a single hidden figure, and hidden cells beside a shown total stand for K or more
people. Tables are protected one at a time; the report prints each count once, in
one table, with the same total, so one table cannot be solved with another's help.
"""

from collections.abc import Sequence
from dataclasses import dataclass

K = 5
SMALL = "small"
WITHHELD = "withheld"
Figure = int | str  # a count as printed: the number, or SMALL or WITHHELD


@dataclass(frozen=True)
class Suppressed:
    """A table as it may be printed: SMALL or WITHHELD where a figure is hidden."""

    cells: list[list[Figure]]
    row_totals: list[Figure]
    column_totals: list[Figure]
    total: Figure


def suppress_table(cells: Sequence[Sequence[int]]) -> Suppressed:
    """The table `cells` (rows of counts of people, all of one length) with its
    margins, hidden where the rule above says."""
    rows = len(cells)
    columns = len(cells[0]) if rows else 0
    if any(len(row) != columns for row in cells):
        raise ValueError("Every row needs the same number of cells.")
    # Every figure printed, by position: (r, c) a cell, (r, columns) a row's total,
    # (rows, c) a column's total, (rows, columns) the grand total.
    value = {(r, c): int(cells[r][c]) for r in range(rows) for c in range(columns)}
    for r in range(rows):
        value[r, columns] = sum(value[r, c] for c in range(columns))
    for c in range(columns + 1):
        value[rows, c] = sum(value[r, c] for r in range(rows))
    if any(figure < 0 for figure in value.values()):
        raise ValueError("Counts of people cannot be negative.")

    hidden = {key for key, figure in value.items() if figure < K}
    # Each line: its cells, then its total.
    lines = [([(r, c) for c in range(columns)], (r, columns)) for r in range(rows + 1)]
    lines += [([(r, c) for r in range(rows)], (rows, c)) for c in range(columns + 1)]
    changed = True
    while changed:
        changed = False
        for line_cells, line_total in lines:
            hidden_cells = [key for key in line_cells if key in hidden]
            unknowns = len(hidden_cells) + (line_total in hidden)
            small_group = (
                line_total not in hidden
                and hidden_cells
                and sum(value[key] for key in hidden_cells) < K
            )
            if unknowns != 1 and not small_group:
                continue
            shown_cells = [key for key in line_cells if key not in hidden]
            candidates = shown_cells or ([line_total] if line_total not in hidden else [])
            if candidates:
                hidden.add(min(candidates, key=lambda key: (value[key], key)))
                changed = True

    def printed(key):
        if key not in hidden:
            return value[key]
        return SMALL if value[key] < K else WITHHELD

    return Suppressed(
        cells=[[printed((r, c)) for c in range(columns)] for r in range(rows)],
        row_totals=[printed((r, columns)) for r in range(rows)],
        column_totals=[printed((rows, c)) for c in range(columns)],
        total=printed((rows, columns)),
    )


def suppress_counts(counts: Sequence[int]) -> tuple[list[Figure], Figure]:
    """Counts of groups that make up a whole (the groups of one list, and its total):
    each as it may be printed, and the total."""
    table = suppress_table([[count] for count in counts])
    return [row[0] for row in table.cells], table.total


def is_shown(figure) -> bool:
    return not isinstance(figure, str)


def shown(count: int) -> Figure:
    """A count of people printed on its own (no total beside it): hidden under K."""
    return count if count >= K else SMALL


def suppress_mean(total: float, count: int) -> float | str:
    """The mean of `count` answers adding up to `total`, to one decimal: hidden (SMALL)
    when fewer than K people gave them."""
    if count < K:
        return SMALL
    return round(total / count, 1)
