"""The k < 5 rule (console.report.suppression): by hand on the cases that matter, then
as properties over random tables (hypothesis), with an attacker who solves every row
and column equation they can."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.report.suppression import (
    SMALL,
    WITHHELD,
    K,
    shown,
    suppress_counts,
    suppress_mean,
    suppress_table,
)


def test_counts_under_five_are_hidden_and_said_to_be_small():
    printed, total = suppress_counts([12, 3, 40])

    assert printed[1] == SMALL
    assert total == 55


def test_one_small_cell_beside_a_total_takes_the_next_smallest_with_it():
    # 55 - 12 - 40 would give the 3 away: 12 goes too, as "withheld" (it is not small).
    printed, total = suppress_counts([12, 3, 40])

    assert printed == [WITHHELD, SMALL, 40]
    assert total == 55


def test_hidden_cells_that_add_up_to_a_small_group_take_another():
    # 1 and 1 hidden beside a total of 102 still tell "2 people" together.
    printed, total = suppress_counts([1, 1, 50, 50])

    assert printed[:2] == [SMALL, SMALL]
    assert WITHHELD in printed[2:]
    assert total == 102


def test_a_small_total_hides_everything():
    printed, total = suppress_counts([2, 1])

    assert printed == [SMALL, SMALL]
    assert total == SMALL


def test_zero_is_not_told_apart_from_a_small_group():
    printed, total = suppress_counts([0, 20, 30])

    assert printed[0] == SMALL
    assert total == 50
    assert sum(1 for figure in printed if isinstance(figure, str)) >= 2


def test_nothing_is_hidden_when_every_group_is_large():
    printed, total = suppress_counts([5, 6, 70])

    assert printed == [5, 6, 70]
    assert total == 81


def test_a_table_protects_its_rows_and_its_columns():
    # Attended, no-shows by sector: 3 no-shows in row 0; row and column both protected.
    table = suppress_table([[20, 3], [30, 10], [40, 12]])

    assert table.cells[0][1] == SMALL
    assert table.cells[0][0] == WITHHELD  # else 23 - 20 gives the 3
    # The no-shows column: another cell hidden, so its total cannot give the 3.
    assert sum(1 for row in table.cells if isinstance(row[1], str)) >= 2
    assert table.total == 115


def test_means_and_lone_counts_need_five_people():
    assert suppress_mean(16, 4) == SMALL
    assert suppress_mean(21, 5) == 4.2
    assert shown(4) == SMALL
    assert shown(5) == 5


def test_ragged_or_negative_tables_are_refused():
    with pytest.raises(ValueError, match="same number"):
        suppress_table([[1, 2], [3]])
    with pytest.raises(ValueError, match="negative"):
        suppress_table([[-1]])


# Properties --------------------------------------------------------------------------


def _lines(table, cells):
    """Every printed equation: (its cells' figures and true values, its total's)."""
    rows, columns = len(cells), len(cells[0])
    for r in range(rows):
        yield (
            [(table.cells[r][c], cells[r][c]) for c in range(columns)],
            (table.row_totals[r], sum(cells[r])),
        )
    for c in range(columns):
        yield (
            [(table.cells[r][c], cells[r][c]) for r in range(rows)],
            (table.column_totals[c], sum(row[c] for row in cells)),
        )
    yield (
        [(table.row_totals[r], sum(cells[r])) for r in range(rows)],
        (table.total, sum(map(sum, cells))),
    )


def _solve(table, cells):
    """What an attacker works out from the printed table: each equation with a single
    unknown gives it, and they go round until nothing more comes."""
    known = {}
    rows, columns = len(cells), len(cells[0])

    def key_figures():
        for r in range(rows):
            for c in range(columns):
                yield (r, c), table.cells[r][c], cells[r][c]
            yield (r, "total"), table.row_totals[r], sum(cells[r])
        for c in range(columns):
            yield ("total", c), table.column_totals[c], sum(row[c] for row in cells)
        yield ("total", "total"), table.total, sum(map(sum, cells))

    values = {}
    for key, printed, true in key_figures():
        values[key] = true
        if not isinstance(printed, str):
            known[key] = printed
    equations = [[(r, c) for c in range(columns)] + [(r, "total")] for r in range(rows)]
    equations += [[(r, c) for r in range(rows)] + [("total", c)] for c in range(columns)]
    equations.append([(r, "total") for r in range(rows)] + [("total", "total")])
    found = True
    while found:
        found = False
        for equation in equations:
            unknown = [key for key in equation if key not in known]
            if len(unknown) == 1:
                *parts, total = equation
                if unknown[0] == total:
                    known[total] = sum(known[key] for key in parts)
                else:
                    known[unknown[0]] = known[total] - sum(
                        known[key] for key in parts if key != unknown[0]
                    )
                found = True
    return known, values


tables = st.integers(min_value=1, max_value=6).flatmap(
    lambda columns: st.lists(
        st.lists(st.integers(min_value=0, max_value=40), min_size=columns, max_size=columns),
        min_size=1,
        max_size=8,
    )
)


@settings(max_examples=300, deadline=None)
@given(tables)
def test_no_printed_figure_is_under_five_and_every_word_is_true(cells):
    table = suppress_table(cells)

    for _printed_cells, (total_printed, total_true) in _lines(table, cells):
        for printed, true in [*_printed_cells, (total_printed, total_true)]:
            if printed == SMALL:
                assert true < K
            elif printed == WITHHELD:
                assert true >= K
            else:
                assert printed == true
                assert printed >= K


@settings(max_examples=300, deadline=None)
@given(tables)
def test_no_hidden_figure_can_be_worked_out_from_the_rows_and_columns(cells):
    table = suppress_table(cells)

    known, values = _solve(table, cells)

    for key, value in known.items():
        assert value == values[key]  # the attacker's sums are right...
        assert value >= K  # ...and never reach a small group


@settings(max_examples=300, deadline=None)
@given(tables)
def test_hidden_cells_beside_a_printed_total_stand_for_five_or_more(cells):
    table = suppress_table(cells)

    for line_cells, (total_printed, _) in _lines(table, cells):
        hidden = [true for printed, true in line_cells if isinstance(printed, str)]
        if hidden and not isinstance(total_printed, str):
            assert len(hidden) >= 2
            assert sum(hidden) >= K


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=12))
def test_a_list_of_counts_is_a_table_of_one_column(counts):
    printed, total = suppress_counts(counts)
    table = suppress_table([[count] for count in counts])

    assert printed == [row[0] for row in table.cells]
    assert total == table.total
