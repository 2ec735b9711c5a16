"""The small base every export shares: a list exporter yields a header then rows, and
the writers here turn those rows into CSV (streamed) or XLSX.

Both writers pass every text cell through `neutralise`, so a value a delegate typed
such as `=HYPERLINK(...)` stays text in Excel instead of becoming a formula (OWASP
"CSV injection").
"""

import csv
import datetime as dt
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from symposium.enums import ExportFormat, Sector

# Excel reads a UTF-8 CSV as Windows-1252 unless it starts with a byte-order mark.
BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_DATETIME = "%Y-%m-%d %H:%M"
# Every list names a sector as the registration form does.
SECTOR_LABELS = dict(Sector.choices)
XLSX_DATETIME = "yyyy-mm-dd hh:mm"
CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class Column(NamedTuple):
    title: str
    width: int = 20  # in Excel's character widths


def neutralise(value: str) -> str:
    """Prefix a value a spreadsheet would read as a formula with a single quote."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def local_naive(moment: dt.datetime) -> dt.datetime:
    # Spreadsheets have no time zones: show the time as it was in the UK.
    local = timezone.localtime(moment, ZoneInfo(settings.TIME_ZONE))
    return local.replace(tzinfo=None, microsecond=0)


class ListExporter:
    """One list: `columns()` names the header, `rows()` yields one sequence per row.

    Cells are text, numbers, datetimes (aware) or None.
    """

    name = "List"

    def columns(self) -> list[Column]:
        raise NotImplementedError

    def rows(self) -> Iterator[Sequence[Any]]:
        raise NotImplementedError

    def row_count(self) -> int:
        raise NotImplementedError

    def table(self) -> Iterator[Sequence[Any]]:
        yield [column.title for column in self.columns()]
        yield from self.rows()


class _Echo:
    """A file that hands back what is written, so csv.writer can feed a generator."""

    def write(self, value: str) -> str:
        return value


def csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return local_naive(value).strftime(CSV_DATETIME)
    return neutralise(value) if isinstance(value, str) else value


def csv_lines(table: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The table as CSV text, one line at a time, after a byte-order mark."""
    writer = csv.writer(_Echo())
    yield BOM
    for row in table:
        yield writer.writerow([csv_cell(value) for value in row])


def _xlsx_cell(sheet, value: Any, *, bold: bool = False) -> Any:
    if isinstance(value, str):
        # openpyxl refuses control characters a form may still have let through.
        value = neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    if isinstance(value, dt.datetime):
        cell = WriteOnlyCell(sheet, value=local_naive(value))
        cell.number_format = XLSX_DATETIME
        return cell
    if bold:
        cell = WriteOnlyCell(sheet, value=value)
        cell.font = Font(bold=True)
        return cell
    return value


def write_xlsx(exporter: ListExporter, file, *, title: str = "Delegates") -> int:
    """Write the list as a workbook into `file`; returns the number of data rows.

    Write-only mode keeps memory flat: rows go to a temporary file as they come. Its
    column widths and frozen panes must be set before the first row, the filter after
    the last one.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    columns = exporter.columns()
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    sheet.append([_xlsx_cell(sheet, column.title, bold=True) for column in columns])
    count = 0
    for row in exporter.rows():
        sheet.append([_xlsx_cell(sheet, value) for value in row])
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    workbook.save(file)
    return count


def csv_response(exporter: ListExporter, *, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        csv_lines(exporter.table()), content_type=CONTENT_TYPES[ExportFormat.CSV]
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(exporter: ListExporter, *, filename: str) -> FileResponse:
    file = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it once sent
    write_xlsx(exporter, file)
    file.seek(0)
    return FileResponse(
        file,
        as_attachment=True,
        filename=filename,
        content_type=CONTENT_TYPES[ExportFormat.XLSX],
    )


def file_response(exporter: ListExporter, *, file_format: str, basename: str):
    """The download in the chosen format, named `<basename>.<format>`."""
    filename = f"{basename}.{file_format}"
    if file_format == ExportFormat.XLSX:
        return xlsx_response(exporter, filename=filename)
    return csv_response(exporter, filename=filename)
