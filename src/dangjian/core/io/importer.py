"""The import engine: declared columns in, validated rows out, written all or nothing.

An app declares an `ImportSpec` per record type (columns with Chinese headers and synonyms, a
row cleaner, a writer that calls the app's actions). `run_import` then

1. matches the file's header row to the columns (tolerant of width, spaces, case, synonyms),
2. parses and cleans every row, collecting every cell and row error,
3. runs the spec's cross-row checks (duplicates, references between rows),
4. if nothing is wrong, writes every row through the actions inside one transaction; a
   refusal (`DomainError`) is reported against its row and the whole import rolls back,
5. records one audit event for the import and, when there are errors, builds a copy of the
   file with each bad cell marked.

Rows are streamed from the file; only the cleaned values are kept, so the memory an import
needs grows with the cleaned data, not with the workbook.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, ClassVar

from django.conf import settings
from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core import audit
from dangjian.core.errors import DomainError
from dangjian.core.io import normalize
from dangjian.core.io.columns import Column, HeaderMap, match_headers
from dangjian.core.io.errorfile import error_workbook
from dangjian.core.io.reader import ImportFileError, estimate_rows, is_blank_row, open_table
from dangjian.core.text import Text

CREATE, UPDATE = "create", "update"
MODE_LABELS = {CREATE: _("新增"), UPDATE: _("更新")}
CREATED, UPDATED = "created", "updated"
ROW_LEVEL = "__all__"
# Phases reported to a progress callback: checking every row, then writing them (or, when
# something is wrong, marking the error file).
CHECKING, WRITING, MARKING = "checking", "writing", "marking"
PROGRESS_EVERY = 500
# (phase, rows done, rows in all or None when not known yet)
Progress = Callable[[str, int, int | None], None]


class RowError(Exception):
    """Problems with one row: {column key: message}; key `__all__` for the row as a whole."""

    def __init__(self, errors: Mapping[str, str] | str) -> None:
        self.errors = (
            {k: str(v) for k, v in errors.items()}
            if isinstance(errors, Mapping)
            else {ROW_LEVEL: str(errors)}
        )
        super().__init__("；".join(self.errors.values()))


class SkipRow(Exception):
    """Raised by `write_row` for a row that cannot be written because another row failed."""


@dataclass(frozen=True)
class CellError:
    """One problem: the row as the spreadsheet numbers it (0: the file), column, message."""

    row: int
    column_key: str | None
    header: str
    message: str


@dataclass(slots=True)
class Row:
    """A cleaned data row; `obj` is free for the spec (the record found or written)."""

    number: int
    data: dict[str, Any]
    obj: Any = None


@dataclass
class ImportResult:
    """What an import did: counts, every error, and the marked copy of the file."""

    total: int
    created: int
    updated: int
    errors: list[CellError]
    error_file: bytes | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportContext:
    """The state of one import run, handed to the spec's hooks."""

    spec: ImportSpec
    user: Any
    mode: str
    file_name: str
    headers: HeaderMap | None = None
    errors: dict[int, list[tuple[str | None, str]]] = field(default_factory=dict)
    created: int = 0
    updated: int = 0
    current: Row | None = None
    cache: dict[str, Any] = field(default_factory=dict)
    progress: Progress | None = None
    expected_rows: int | None = None

    def add_error(self, row: int, column_key: str | None, message: str) -> None:
        """Record a problem with a cell (or the whole row when `column_key` is None)."""
        key = None if column_key == ROW_LEVEL else column_key
        self.errors.setdefault(row, []).append((key, message))

    def has_errors(self, row: int) -> bool:
        return row in self.errors

    def present(self, key: str) -> bool:
        """Whether the file has this column (in update mode, absent columns stay unchanged)."""
        return self.headers is not None and key in self.headers.index

    def refuse(self, row: Row, error: DomainError) -> None:
        """A refusal by an action: put each field's message on its column when it has one."""
        for name, message in error.errors.items():
            key = self.spec.field_columns.get(name, name)
            self.add_error(row.number, key if self.present(key) else None, message)

    def report(self, phase: str, done: int, total: int | None) -> None:
        """Tell the progress callback (a background job's status) how far the import is."""
        if self.progress is not None:
            self.progress(phase, done, total)

    def count(self, outcome: str | None) -> None:
        if outcome == CREATED:
            self.created += 1
        elif outcome == UPDATED:
            self.updated += 1


class ImportSpec(ABC):
    """How one record type is imported. Subclass per type; see orgs/importers.py.

    `write_row` (or `write`) must change data only through the app's actions, with
    `acting_user=ctx.user`, so each row is validated, scoped and audited as if entered by hand.
    """

    name: ClassVar[str] = ""
    label: ClassVar[Text] = ""
    model: ClassVar[type[models.Model]]
    columns: ClassVar[Sequence[Column]] = ()
    key: ClassVar[str | None] = None
    # Field names an action's DomainError may use, mapped to column keys when they differ.
    field_columns: ClassVar[Mapping[str, str]] = {}
    # URL name of the record type's list page (breadcrumbs and "back" links of the views).
    list_url_name: ClassVar[str] = ""
    # Extra lines for the template's instructions sheet and the upload page.
    notes: ClassVar[Sequence[Text]] = ()
    # Where `import_urls` puts the pages and how it names them (several imports in one app
    # need different ones: "import", "position_import" …).
    url_name: ClassVar[str] = "import"
    url_prefix: ClassVar[str] = "import/"

    @property
    def modes(self) -> list[str]:
        return [CREATE, UPDATE] if self.key else [CREATE]

    def column(self, key: str) -> Column:
        return next(column for column in self.columns if column.key == key)

    def required_keys(self, mode: str) -> set[str]:
        """Columns that must be present and filled: in update mode only the key."""
        if mode == UPDATE and self.key:
            return {self.key}
        return {column.key for column in self.columns if column.required}

    def clean_row(self, values: dict[str, Any], ctx: ImportContext) -> dict[str, Any]:
        """Row-level checks on parsed values; raise `RowError` for problems."""
        return values

    def check_rows(self, rows: list[Row], ctx: ImportContext) -> None:
        """Cross-row checks after every row is parsed; by default, duplicate keys in the file."""
        if not self.key or not ctx.present(self.key):
            return
        seen: dict[Any, int] = {}
        header = ctx.headers.header(self.key) if ctx.headers else self.key
        for row in rows:
            value = row.data.get(self.key)
            if value in (None, ""):
                continue
            if value in seen:
                ctx.add_error(
                    row.number,
                    self.key,
                    gettext("%(header)s“%(value)s”与第%(seen)s行重复。")
                    % {"header": header, "value": value, "seen": seen[value]},
                )
            else:
                seen[value] = row.number

    def order(self, rows: list[Row], ctx: ImportContext) -> Iterable[Row]:
        """The order rows are written in (e.g. parents before children)."""
        return rows

    def write(self, rows: list[Row], ctx: ImportContext) -> None:
        """Write every row through `write_row`; refusals are recorded, writing goes on."""
        for done, row in enumerate(self.order(rows, ctx)):
            if done % PROGRESS_EVERY == 0:
                ctx.report(WRITING, done, len(rows))
            ctx.current = row
            try:
                ctx.count(self.write_row(row, ctx))
            except SkipRow:
                continue
            except DomainError as error:
                ctx.refuse(row, error)
        ctx.current = None

    @abstractmethod
    def write_row(self, row: Row, ctx: ImportContext) -> str | None:
        """Write one row by calling an action; return CREATED or UPDATED (each spec's own)."""


def _file_errors(messages: Iterable[str]) -> list[CellError]:
    return [CellError(0, None, "", message) for message in messages]


def _parse_rows(
    spec: ImportSpec, table_rows: Iterator[tuple[int, list[Any]]], ctx: ImportContext
) -> list[Row]:
    """Parse and clean each data row; bad rows are kept (with errors) for cross-row checks."""
    headers = ctx.headers
    assert headers is not None
    required = spec.required_keys(ctx.mode)
    columns = [(spec.column(key), index) for key, index in headers.index.items()]
    examples = [(column.example, index) for column, index in columns if column.example]
    blanks = _blank_values(column for column, _ in columns)
    rows: list[Row] = []
    for number, values in table_rows:
        if number <= headers.row or is_blank_row(values):
            continue
        if len(rows) % PROGRESS_EVERY == 0:
            ctx.report(CHECKING, len(rows), ctx.expected_rows)
        if _is_example(values, examples):
            ctx.add_error(
                number, None, gettext("这一行是导入模板中的示例，请删除或改为真实数据后再导入。")
            )
            rows.append(Row(number, {}))
            continue
        parsed: dict[str, Any] = {}
        clean = True
        for column, index in columns:
            raw = values[index] if index < len(values) else None
            if column.key in required and (
                raw is None or (isinstance(raw, str) and not raw.strip())
            ):
                ctx.add_error(
                    number,
                    column.key,
                    gettext("请填写%(key)s。") % {"key": headers.header(column.key)},
                )
                clean = False
                continue
            if raw is None and column.key in blanks:
                parsed[column.key] = blanks[column.key]
                continue
            try:
                parsed[column.key] = column.parse(raw)
            except ValueError as error:
                ctx.add_error(number, column.key, str(error))
                clean = False
        if clean:
            try:
                parsed = spec.clean_row(parsed, _at(ctx, number))
            except RowError as error:
                for key, message in error.errors.items():
                    ctx.add_error(number, key if ctx.present(key) else None, message)
        rows.append(Row(number, parsed))
    ctx.current = None
    return rows


def _blank_values(columns: Iterable[Column]) -> dict[str, Any]:
    """What each column makes of an empty cell, worked out once (most cells are empty)."""
    blanks: dict[str, Any] = {}
    for column in columns:
        try:
            value = column.parse(None)
        except ValueError:
            continue
        if value is None or isinstance(value, str | bool | int | float):
            blanks[column.key] = value
    return blanks


def _is_example(values: list[Any], examples: list[tuple[str, int]]) -> bool:
    """The template's example row left in the file (every example cell unchanged)."""
    if len(examples) < 3:
        return False
    return all(
        index < len(values) and normalize.text(values[index]) == example
        for example, index in examples
    )


def _at(ctx: ImportContext, number: int) -> ImportContext:
    """The context with `current` naming the row being cleaned (for messages and lookups)."""
    ctx.current = Row(number, {})
    return ctx


def _collect(ctx: ImportContext) -> list[CellError]:
    headers = ctx.headers
    found: list[CellError] = []
    for number in sorted(ctx.errors):
        for key, message in ctx.errors[number]:
            header = headers.header(key) if headers and key else ""
            found.append(CellError(number, key, header, message))
    return found


def run_import(
    spec: ImportSpec | type[ImportSpec],
    source: IO[bytes],
    user: Any,
    mode: str = CREATE,
    *,
    file_name: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Validate every row of `source`, then write all rows or none (see the module docstring).

    `progress(phase, done, total)` is called every few hundred rows (background imports
    show it); `total` is the file's estimated size while checking, exact while writing.
    """
    spec = spec() if isinstance(spec, type) else spec
    name = file_name or str(getattr(source, "name", "") or "")
    if mode not in spec.modes:
        raise ValueError(f"unsupported import mode {mode!r}")
    ctx = ImportContext(spec, user, mode, name, progress=progress)
    if progress is not None:
        estimate = estimate_rows(source, name)
        ctx.expected_rows = max(estimate - 1, 0) if estimate else None
    try:
        with open_table(source, name) as table:
            table_rows = table.rows()
            ctx.headers = match_headers(spec, table_rows, mode)
            rows = _parse_rows(spec, table_rows, ctx)
    except ImportFileError as error:
        return _finish(ctx, ImportResult(0, 0, 0, _file_errors(error.messages)))
    if not rows and not ctx.errors:
        message = gettext("第%(row)s行是表头，其下没有数据行。") % {"row": ctx.headers.row}
        return _finish(ctx, ImportResult(0, 0, 0, _file_errors([message])))
    ctx.report(CHECKING, len(rows), len(rows))
    spec.check_rows(rows, ctx)
    if not ctx.errors:
        _write(spec, rows, ctx)
    errors = _collect(ctx)
    result = ImportResult(len(rows), ctx.created, ctx.updated, errors)
    if errors:
        result.created = result.updated = 0
        ctx.report(MARKING, len(rows), len(rows))
        result.error_file = error_workbook(source, name, ctx.headers, ctx.errors)
    return _finish(ctx, result, written=not errors)


def _write(spec: ImportSpec, rows: list[Row], ctx: ImportContext) -> None:
    """Write every row in one transaction; any refusal rolls the whole import back."""
    with transaction.atomic():
        try:
            spec.write(rows, ctx)
        except DomainError as error:
            if ctx.current is None:  # a refusal of the whole import (a bulk write)
                for message in error.errors.values():
                    ctx.add_error(0, None, str(message))
            else:
                ctx.refuse(ctx.current, error)
        if ctx.errors:
            transaction.set_rollback(True)
        else:
            _audit(ctx, total=len(rows), success=True)


def _finish(ctx: ImportContext, result: ImportResult, *, written: bool = False) -> ImportResult:
    """Record a failed import (a successful one is recorded inside its transaction)."""
    if not written:
        # Row refusals recorded by the actions were rolled back with the import: the import's
        # own event keeps the first of them, so the log still says which rows and why.
        first = [
            {"row": e.row, "column": str(e.header or e.column_key or ""), "message": str(e.message)}
            for e in result.errors[:AUDITED_ERRORS]
        ]
        _audit(ctx, total=result.total, success=False, errors=len(result.errors), first=first)
    return result


AUDITED_ERRORS = 50


def _audit(
    ctx: ImportContext,
    *,
    total: int,
    success: bool,
    errors: int = 0,
    first: list[dict[str, object]] | None = None,
) -> None:
    spec = ctx.spec
    with translation.override(settings.LANGUAGE_CODE):  # the audit log is kept in one language
        label = str(spec.label)
    audit.record(
        f"{spec.name}.import",
        actor=ctx.user,
        object_type=spec.model._meta.label_lower,
        object_repr=f"导入{label}：{ctx.file_name}"[:255],
        detail={
            "file": ctx.file_name,
            "mode": ctx.mode,
            "rows": total,
            "created": ctx.created if success else 0,
            "updated": ctx.updated if success else 0,
            "errors": errors,
            **({"first_errors": first} if first else {}),
        },
        success=success,
        message="" if success else f"发现{errors}处错误，未导入任何数据。",
    )


__all__ = [
    "CHECKING",
    "CREATE",
    "CREATED",
    "MARKING",
    "MODE_LABELS",
    "UPDATE",
    "UPDATED",
    "WRITING",
    "CellError",
    "Column",
    "ImportContext",
    "ImportResult",
    "ImportSpec",
    "Progress",
    "Row",
    "RowError",
    "SkipRow",
    "run_import",
]
