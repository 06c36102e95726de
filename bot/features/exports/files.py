"""Writing an export's tables to files: XLSX (one workbook), CSV (a file per table) or JSON
(one file). Plain synchronous code over plain rows, no Telegram and no database: the service
streams rows in and calls these a chunk at a time.

Public surface: :data:`Cell`, :class:`Table`, :class:`About`, :class:`ExportWriter`,
:func:`writer_for`, :func:`neutralised`, :func:`private_file`, :data:`FORMATS`.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Protocol

from xlsxwriter import Workbook
from xlsxwriter.worksheet import Worksheet

__all__ = [
    "FORMATS",
    "About",
    "Cell",
    "ExportWriter",
    "Table",
    "neutralised",
    "private_file",
    "writer_for",
]

Cell = str | int | float | datetime | None
FORMATS = ("xlsx", "csv", "json")

# Spreadsheets run a cell starting with one of these as a formula: =HYPERLINK(...) in a need.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Column widths, in characters: wide enough for most values, never a screen wide.
NARROWEST, WIDEST, DATE_WIDTH = 8, 60, 19
DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"
ABOUT_HEADERS = ["About this export", "", ""]
# Characters an XLSX cannot hold (XML 1.0 has no place for them): shown as U+FFFD instead.
_NOT_IN_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def neutralised(text: str) -> str:
    """``text`` as a spreadsheet will show it, never run it: a leading ``'`` if it could
    start a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def private_file(path: Path) -> IO[bytes]:
    """A new file only its owner can read (mode 0600 from the start, whatever the umask)."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


@dataclass(frozen=True)
class Table:
    """One dataset: its sheet or file name, what a row is, its columns (header, meaning)."""

    name: str
    meaning: str
    columns: Sequence[tuple[str, str]]

    @property
    def headers(self) -> list[str]:
        return [header for header, _ in self.columns]


@dataclass
class About:
    """When, by whom and with which filters the export was made, what each table holds and
    means, and how many rows each has."""

    made_at: datetime
    made_by: str
    what: str
    filters: dict[str, str]
    notes: list[tuple[str, str]]
    tables: Sequence[Table]
    counts: dict[str, int] = field(default_factory=dict)

    def rows(self) -> list[list[Cell]]:
        """As a sheet: the particulars, the row counts, then every column of every table."""
        particulars: list[tuple[str, Cell]] = [
            ("Made at", self.made_at),
            ("Made by", self.made_by),
            ("What", self.what),
            *((f"Filter: {name}", value) for name, value in self.filters.items()),
            *self.notes,
            *((f"Rows in {name}", count) for name, count in self.counts.items()),
        ]
        rows: list[list[Cell]] = [[label, value, ""] for label, value in particulars]
        rows += [["", "", ""], ["Sheet", "Column", "Meaning"]]
        for table in self.tables:
            rows.append([table.name, "", table.meaning])
            rows += [[table.name, header, meaning] for header, meaning in table.columns]
        return rows

    def as_json(self) -> dict[str, object]:
        return {
            "made_at": self.made_at.isoformat(),
            "made_by": self.made_by,
            "what": self.what,
            "filters": self.filters,
            "notes": dict(self.notes),
            "rows": self.counts,
            "datasets": {
                table.name: {"meaning": table.meaning, "columns": dict(table.columns)}
                for table in self.tables
            },
        }


class ColumnWidths:
    """Column widths that fit the rows seen so far, within NARROWEST and WIDEST characters."""

    def __init__(self, headers: Sequence[str]) -> None:
        self._widths = [len(header) for header in headers]

    def add(self, rows: Iterable[Sequence[Cell]]) -> None:
        widths = self._widths
        for row in rows:
            for index, value in enumerate(row):
                width = _width(value)
                if width > widths[index]:
                    widths[index] = width

    def widths(self) -> list[int]:
        return [min(max(width + 2, NARROWEST), WIDEST) for width in self._widths]


def _width(value: Cell) -> int:
    if isinstance(value, str):
        return max(map(len, value.splitlines())) if "\n" in value else len(value)
    if isinstance(value, datetime):
        return DATE_WIDTH
    return 0 if value is None else len(str(value))


class ExportWriter(Protocol):
    """Tables go in one at a time, their rows a chunk at a time; ``finish`` returns the files."""

    def begin(self, table: Table) -> None: ...
    def write(self, rows: Sequence[Sequence[Cell]]) -> None: ...
    def end(self) -> None: ...
    def finish(self, about: About) -> list[Path]: ...


class XlsxWriter:
    """One workbook, each sheet streamed to disk as it is written (XlsxWriter's constant
    memory mode): "About" first, then a sheet per table, each with its header row bold and
    frozen, widths that fit, times as real dates and text always as text, never a formula.

    Widths are measured as the rows go by and About (with the row counts) is written last,
    though it is the first sheet: the rows are read once.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._file = private_file(path)
        # Its sheets' rows wait in temporary files beside the workbook: private too.
        self._book = Workbook(self._file, {"constant_memory": True, "tmpdir": str(path.parent)})
        self._bold = self._book.add_format({"bold": True})
        self._date = self._book.add_format({"num_format": DATE_FORMAT})
        self._about = self._sheet("About", ABOUT_HEADERS)
        self._current = self._about

    def _sheet(self, title: str, headers: Sequence[str]) -> Worksheet:
        sheet = self._book.add_worksheet(title)
        sheet.freeze_panes(1, 0)
        for column, header in enumerate(headers):
            sheet.write_string(0, column, header, self._bold)
        self._widths = ColumnWidths(headers)
        self._row = 1
        return sheet

    def begin(self, table: Table) -> None:
        self._current = self._sheet(table.name, table.headers)

    def write(self, rows: Sequence[Sequence[Cell]]) -> None:
        sheet, number = self._current, self._row
        for row in rows:
            for column, value in enumerate(row):
                if value is None or value == "":
                    continue  # a blank cell, not a cell holding no text
                if isinstance(value, str):
                    sheet.write_string(number, column, _NOT_IN_XLSX.sub("\ufffd", value))
                elif isinstance(value, datetime):
                    # Excel has no time zones: local time.
                    sheet.write_datetime(number, column, value.replace(tzinfo=None), self._date)
                else:
                    sheet.write_number(number, column, value)
            number += 1
        self._row = number
        self._widths.add(rows)

    def end(self) -> None:
        # The columns are written when the workbook is closed, so they can come after the rows.
        for column, width in enumerate(self._widths.widths()):
            self._current.set_column(column, column, width)

    def finish(self, about: About) -> list[Path]:
        self._current, self._row = self._about, 1
        self._widths = ColumnWidths(ABOUT_HEADERS)
        self.write(about.rows())
        self.end()
        with self._file:
            self._book.close()
        return [self._path]


class CsvWriter:
    """A CSV file per table and ``about.csv``: UTF-8 with a byte-order mark (so Excel reads
    it as UTF-8), every text cell neutralised."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._paths: list[Path] = []
        self._file: io.TextIOWrapper | None = None
        self._rows: Any = None  # csv.writer's type is private

    def _open(self, name: str, headers: Sequence[str]) -> None:
        path = self._directory / f"{name}.csv"
        self._paths.append(path)
        self._file = io.TextIOWrapper(private_file(path), encoding="utf-8-sig", newline="")
        self._rows = csv.writer(self._file)
        self._rows.writerow([neutralised(header) for header in headers])

    def begin(self, table: Table) -> None:
        self._open(table.name, table.headers)

    def write(self, rows: Sequence[Sequence[Cell]]) -> None:
        assert self._rows is not None
        self._rows.writerows([[_csv_cell(value) for value in row] for row in rows])

    def end(self) -> None:
        assert self._file is not None
        self._file.close()
        self._file = self._rows = None

    def finish(self, about: About) -> list[Path]:
        self._open("about", ABOUT_HEADERS)
        self.write(about.rows())
        self.end()
        return list(self._paths)


def _csv_cell(value: Cell) -> str | int | float:
    if isinstance(value, str):  # most cells: first
        return neutralised(value)
    if value is None:
        return ""
    if isinstance(value, datetime):
        # YYYY-MM-DD HH:MM:SS: isoformat cut short is twice as fast as strftime.
        return value.isoformat(" ", "seconds")[:19]
    return value


class JsonWriter:
    """One JSON file: ``{"about": {...}, "<table>": [{column: value}, ...], ...}``, written
    row by row. Times are ISO 8601 with their offset; text is exactly as typed."""

    def __init__(self, path: Path, about: About) -> None:
        self._path = path
        self._file = io.TextIOWrapper(private_file(path), encoding="utf-8")
        self._file.write('{"about": ' + json.dumps(about.as_json(), default=_iso))
        self._headers: list[str] = []
        self._first_row = True

    def begin(self, table: Table) -> None:
        self._file.write(f",\n{json.dumps(table.name)}: [")
        self._headers = table.headers
        self._first_row = True

    def write(self, rows: Sequence[Sequence[Cell]]) -> None:
        for row in rows:
            record = dict(zip(self._headers, row, strict=True))
            separator = "\n" if self._first_row else ",\n"
            self._file.write(separator + json.dumps(record, default=_iso))
            self._first_row = False

    def end(self) -> None:
        self._file.write("]")

    def finish(self, about: About) -> list[Path]:
        self._file.write("}\n")
        self._file.close()
        return [self._path]


def _iso(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


_FILE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


def writer_for(format_: str, directory: Path, stem: str, about: About) -> ExportWriter:
    """The writer for ``format_`` putting its files in ``directory``, named from ``stem``."""
    stem = _FILE_NAME.sub("-", stem)
    if format_ == "xlsx":
        return XlsxWriter(directory / f"{stem}.xlsx")
    if format_ == "csv":
        return CsvWriter(directory)
    if format_ == "json":
        return JsonWriter(directory / f"{stem}.json", about)
    raise ValueError(f"unknown export format {format_!r}")
