"""Importing the directory from a spreadsheet (CSV or XLSX): reading its rows, guessing
which column is which from the headers, and checking each row before anything is saved
(partners.services.import_directory saves the good ones)."""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from partners.names import name_key
from symposium.enums import Sector
from symposium.validators import CONTROL_CHARACTERS

MAX_BYTES = 2 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_ROWS = 20_000
FIELDS = {
    "name": "Name",
    "sector": "Sector",
    "aliases": "Other names (separated by ;)",
    "networks": "Networks (separated by ;)",
    "website": "Website",
}
REQUIRED = ("name", "sector")
# Header words that mean each field, in the order they are tried.
HEADER_WORDS = {
    "name": ("name", "organisation", "organization", "partner"),
    "sector": ("sector", "type", "category"),
    "aliases": ("alias", "other name", "also known", "aka", "abbreviation"),
    "networks": ("network", "member of", "membership"),
    "website": ("website", "web", "url", "site", "homepage"),
}
_CONTROL = re.compile(CONTROL_CHARACTERS)


class UnreadableFile(Exception):
    """The upload is not a spreadsheet this can read; the message says why."""


@dataclass(frozen=True)
class Sheet:
    headers: list[str]
    rows: list[list[str]]  # Each as long as the headers.


def read_sheet(data: bytes, filename: str) -> Sheet:
    """The first sheet's header row and data rows, every cell as stripped text."""
    if len(data) > MAX_BYTES:
        raise UnreadableFile(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        table = _xlsx_rows(data)
    elif lower.endswith(".csv"):
        table = _csv_rows(data)
    else:
        raise UnreadableFile("Upload a CSV file (.csv) or an Excel workbook (.xlsx).")
    table = [row for row in table if any(cell for cell in row)]
    if not table:
        raise UnreadableFile("The file has no rows.")
    if len(table) > MAX_ROWS + 1:
        raise UnreadableFile(f"The file has more than {MAX_ROWS:,} rows.")
    width = max(len(row) for row in table)
    padded = [row + [""] * (width - len(row)) for row in table]
    headers = [cell or f"Column {index + 1}" for index, cell in enumerate(padded[0])]
    return Sheet(headers=headers, rows=padded[1:])


def _csv_rows(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # cp1252 decodes nearly anything; this is for the few bytes it does not.
        raise UnreadableFile("The CSV file is not text in UTF-8 or Windows encoding.")
    if "\x00" in text:
        raise UnreadableFile("The file is not a CSV file.")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), dialect)]


def _xlsx_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise UnreadableFile("The file is not an Excel workbook (.xlsx).")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        # A workbook is a zip: a small file could unpack to gigabytes (a "zip bomb").
        if sum(member.file_size for member in archive.infolist()) > MAX_UNPACKED_BYTES:
            raise UnreadableFile("The Excel workbook is too large once unpacked.")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken workbook.
        raise UnreadableFile("The Excel workbook could not be read.") from error
    try:
        sheet = workbook.worksheets[0]
        return [
            ["" if cell is None else str(cell).strip() for cell in row]
            for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2)
        ]
    finally:
        workbook.close()


def guess_mapping(headers: list[str]) -> dict[str, int | None]:
    """{field: column index or None}, from the headers' words; each column used once."""
    mapping: dict[str, int | None] = {}
    used: set[int] = set()
    for field_name, words in HEADER_WORDS.items():
        mapping[field_name] = None
        for word in words:
            found = next(
                (
                    index
                    for index, header in enumerate(headers)
                    if index not in used and word in header.casefold()
                ),
                None,
            )
            if found is not None:
                mapping[field_name] = found
                used.add(found)
                break
    return mapping


_SECTORS = {
    **{value: value for value in Sector.values},
    **{label.casefold(): value for value, label in Sector.choices},
    "council": Sector.COUNCIL,
    "local authority": Sector.COUNCIL,
    "voluntary": Sector.VCSE,
    "voluntary sector": Sector.VCSE,
    "charity": Sector.VCSE,
    "university": Sector.EDUCATION,
    "academic": Sector.EDUCATION,
    "healthwatch": Sector.OTHER,
}


def sector_of(text: str) -> str | None:
    return _SECTORS.get(" ".join(text.casefold().split()))


def split_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


@dataclass
class Row:
    """One data row, read through the mapping: number is the row's in the file (the
    header is row 1), as a spreadsheet shows it."""

    number: int
    name: str = ""
    sector: str = ""
    sector_text: str = ""
    aliases: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)
    website: str = ""
    errors: list[str] = field(default_factory=list)


def _website(text: str) -> str:
    if not text:
        return ""
    url = text if "://" in text else f"https://{text}"
    URLValidator(schemes=["http", "https"])(url)
    if len(url) > 200:
        raise ValidationError("too long")
    return url


def check_rows(sheet: Sheet, mapping: dict[str, int | None]) -> list[Row]:
    """Every row read through the mapping, with what is wrong with it (nothing: it can
    be imported)."""

    def cell(values, field_name):
        index = mapping.get(field_name)
        return values[index] if index is not None and index < len(values) else ""

    rows, seen = [], {}
    for number, values in enumerate(sheet.rows, start=2):
        row = Row(
            number=number,
            name=" ".join(cell(values, "name").split()),
            sector_text=cell(values, "sector"),
            aliases=split_list(cell(values, "aliases")),
            networks=split_list(cell(values, "networks")),
        )
        key = name_key(row.name) if row.name else ""
        if not key:
            row.errors.append("No name.")
        elif len(row.name) > 200:
            row.errors.append("The name is longer than 200 characters.")
        elif key in seen:
            row.errors.append(f"The same name as row {seen[key]}.")
        else:
            seen[key] = number
        texts = [row.name, *row.aliases, *row.networks]
        if any(_CONTROL.search(text) for text in texts):
            row.errors.append("Line breaks or special characters in a name.")
        if any(len(text) > 200 for text in row.aliases + row.networks):
            row.errors.append("An other name or network is longer than 200 characters.")
        row.sector = sector_of(row.sector_text) or ""
        if not row.sector_text:
            row.errors.append("No sector.")
        elif not row.sector:
            row.errors.append(f"Unknown sector “{row.sector_text}”.")
        try:
            row.website = _website(cell(values, "website"))
        except ValidationError:
            row.errors.append(f"Not a web address: “{cell(values, 'website')}”.")
        rows.append(row)
    return rows
