"""Score many partnership files in chunks: one row of scores each, memory flat in their number.

:func:`assess_many` (and :func:`assess_chunks`, which yields the rows chunk by chunk)
reads partnership JSON files, JSON Lines files (one partnership a line) or JSON text,
and scores them ``chunk_size`` at a time: each chunk is validated, its facts are derived
once for the whole chunk (:func:`readiness.derive_frame`) and it is scored by one
:func:`readiness.scoring.score_matrix` call. Nothing but the current chunk is kept, so
100,000 files take the memory of one chunk. ``readiness assess ... --out`` is this path.

With ``workers``, worker processes read their own inputs: file names go out in tasks
of up to a chunk, a JSON Lines file in pieces (byte ranges that end at a newline; each
worker reads its range), standard input in pieces of raw bytes (or, when it is a
regular file, ``assess - < FILE``, in byte ranges of that file, as a JSON Lines file);
rows come back in input order, lines numbered in their file.

A row holds the same values as :func:`assessment_row` of :func:`readiness.assess` on the
same partnership (the tests check it on the examples and on generated partnerships):
who (``id``, ``name``, ``kind``), against which rubric, from which ``file``; ``overall``,
``raw`` (before gates and the coverage rule), ``gate_loss``, ``band``, ``coverage``,
``lower``, ``upper``, ``gates_failed``; one column per pillar; and ``reason``, why there
is no overall score. Scores are rounded to 4 decimals. A panel file (several assessors'
ratings of one partnership, :mod:`readiness.panel`) gives one row: its consensus, as
``readiness assess`` scores that file; it is scored on its own, not in the chunk's arrays.

Beyond one machine: :func:`assess_partition` scores one partition of a panel (its key
columns, then :func:`readiness.assess_frame`); :func:`assess_dask` runs it on every
partition of a Dask DataFrame (``readiness[dask]``), the same row for row as one call on
the whole; :func:`frame_meta` is the empty result, the description such engines ask for
first (``docs/distributed.md`` shows Dask, Spark and Ray).

Bad inputs are reported one by one (each :class:`readiness.InputError` names its file,
or ``file:line`` for a line of a JSON Lines file) and left out; without ``on_error`` the
first one is raised. A bad setting (an option, or an unknown ``READINESS_ENGINE``) is no
input's fault: it is raised before any input is read, whatever ``on_error``.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import io
import os
import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Sized
from dataclasses import dataclass, replace
from itertools import chain, islice
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from readiness._io import MAX_BYTES, parse_json, read_document
from readiness.assessment import Assessment, Options, assess_frame, no_score_reason
from readiness.consensus import ConsensusRule
from readiness.errors import InputError, Problem
from readiness.panel import is_panel_document
from readiness.partnership import Partnership, partnership_from_dict
from readiness.resolve import resolve
from readiness.rubric import Rubric, UnknownPolicy, load_rubric
from readiness.scoring import Engine, ScoringModel, check_engine, score_matrix

if TYPE_CHECKING:
    import dask.dataframe as dd
    import pandas as pd

__all__ = [
    "CHUNK_SIZE",
    "ROW_COLUMNS",
    "Input",
    "arrow_schema",
    "assess_chunks",
    "assess_dask",
    "assess_many",
    "assess_partition",
    "assessment_row",
    "available_cpus",
    "default_workers",
    "frame_meta",
    "row_columns",
    "worker_count",
]

CHUNK_SIZE = 1_000
"""Partnerships scored at once: enough for the array core, few enough to keep memory small."""

ROW_COLUMNS = (
    "id",
    "rubric",
    "rubric_version",
    "name",
    "kind",
    "file",
    "assessed_on",
    "overall",
    "raw",
    "gate_loss",
    "band",
    "coverage",
    "lower",
    "upper",
    "likely_lower",
    "likely_upper",
    "gates_failed",
    "gates_unrated",
)
"""The columns of a row before the pillar scores; ``reason`` comes after them."""

DECIMALS = 4
"""Scores are rounded to 4 decimals: no 74.99999999999999 in a spreadsheet."""

Input = str | os.PathLike[str] | IO[str]
"""One input of :func:`assess_many`: a path (``.jsonl`` is read line by line), JSON text of
one partnership (a ``str`` starting with ``{``), or an open text stream of JSON Lines."""

OnError = Callable[[InputError], object]


def row_columns(rubric: Rubric) -> list[str]:
    """Every column of a row of scores against ``rubric``, in order."""
    return [*ROW_COLUMNS, *(p.id for p in rubric.pillars), "reason"]


_TEXT = ("id", "rubric", "rubric_version", "name", "kind", "file", "assessed_on", "band", "reason")
_COUNTS = ("gates_failed", "gates_unrated")


def arrow_schema(rubric: Rubric) -> Any:
    """The pyarrow schema of the rows (for writing them to Parquet chunk by chunk)."""
    import pyarrow as pa

    def kind(column: str) -> Any:
        if column in _TEXT:
            return pa.string()
        return pa.int64() if column in _COUNTS else pa.float64()

    return pa.schema([(c, kind(c)) for c in row_columns(rubric)])


def assessment_row(a: Assessment, file: str | None = None) -> dict[str, Any]:
    """The row of scores of one :class:`readiness.Assessment` (unrounded).

    The per-file reference of the chunked path: :func:`assess_many` gives the same
    values, rounded to 4 decimals. Both lay their rows out with :func:`_rows`.
    """
    figures = {name: [getattr(a, name)] for name in _BY_NAME} | {
        "band": [a.band.id if a.band else None],
        "gates_failed": [len(a.failed_gates)],
        "gates_unrated": [len(a.unrated_gates)],
    }
    pillars = [[pillar.score] for pillar in a.pillars]
    row = _rows([a.partnership], [file], a.rubric, figures, pillars, [a.reason])
    return {column: values[0] for column, values in row.items()}


_BY_NAME: tuple[str, ...] = ("overall", "raw", "gate_loss", "coverage", "lower", "upper")
_BY_NAME += ("likely_lower", "likely_upper")
"""The figures of a row that an :class:`Assessment` and the kernel's
:class:`readiness.scoring.Scores` both hold under the column's name."""


def _rows(
    partnerships: Sequence[Partnership],
    files: Sequence[str | None],
    rubric: Rubric,
    figures: Mapping[str, Any],
    pillars: Sequence[Any],
    reasons: Sequence[str | None],
) -> dict[str, Any]:
    """Rows of scores as columns, in the one layout of :func:`row_columns`: who each
    partnership is, its ``figures`` (by column name), its pillar scores (``pillars[k]``
    for the rubric's pillar ``k``) and why it has no score. :func:`assessment_row` (one
    row) and the batch (a chunk, from the kernel's arrays) both lay rows out here."""
    n = len(partnerships)
    identity = {
        "id": [p.id for p in partnerships],
        "rubric": [rubric.id] * n,
        "rubric_version": [rubric.version] * n,
        "name": [p.name for p in partnerships],
        "kind": [p.kind for p in partnerships],
        "file": list(files),
        "assessed_on": [p.assessed_on.isoformat() if p.assessed_on else None for p in partnerships],
    }
    return (
        identity
        | {column: figures[column] for column in ROW_COLUMNS[len(identity) :]}
        | {pillar.id: pillars[k] for k, pillar in enumerate(rubric.pillars)}
        | {"reason": list(reasons)}
    )


def rows_frame(rows: Iterable[dict[str, Any]], rubric: Rubric) -> pd.DataFrame:
    """Rows (e.g. from :func:`assessment_row`) as a table of the fixed columns and types."""
    import pandas as pd

    frame = pd.DataFrame(list(rows), columns=row_columns(rubric))
    return rounded_scores(_typed(frame, rubric), rubric)


def _typed(frame: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
    """Fixed types, whatever pandas infers: text as objects (``None`` missing), scores
    ``float64``, gate counts ``int64``."""
    numbers = dict.fromkeys(_score_columns(rubric), "float64")
    frame = frame.astype({**numbers, **dict.fromkeys(_COUNTS, "int64")})
    for c in _TEXT:
        column = frame[c].astype(object)
        frame[c] = column.where(column.notna(), None)
    return frame


def _score_columns(rubric: Rubric) -> list[str]:
    numbers = ["overall", "raw", "gate_loss", "coverage", "lower", "upper", "likely_lower"]
    numbers += ["likely_upper"]
    return [*numbers, *(p.id for p in rubric.pillars)]


# --- reading -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Piece:
    """A run of whole lines of one JSON Lines input, read and scored by one worker.

    Either ``data`` (bytes the command read: standard input) or the byte range
    ``start``-``end`` of the file ``name`` (the worker reads it; of ``path`` when
    standard input is a regular file, still named ``name``), ending just after a
    newline or at the end of the input. Lines are numbered from 1 in the piece; the
    command adds the lines of the input's earlier pieces (:func:`scored_rows`), so
    the workers need not wait for each other to know where a piece starts.
    """

    name: str
    input: int  # the position of the input among the inputs: which pieces go together
    start: int = 0
    end: int = 0
    data: bytes | None = None
    encoding: str = "utf-8"
    errors: str = "strict"
    newline: str | None = None  # as the text stream would split lines: None is universal
    path: str | None = None  # the file the range is read from, when not ``name`` (stdin)


Payload = Path | str | InputError | _Piece
"""What an input item holds: a file to read, JSON text, a piece of a JSON Lines input,
or the error that stopped reading."""

Task = list[tuple[str, Payload]] | _Piece
"""What a worker is given at once: up to a chunk of single documents, or one piece."""

PIECE_BYTES = 4 * 2**20
"""The largest piece of a JSON Lines input (about 270 partnerships of 15 KB): a worker
holds it, its lines and its parsed documents at once. Memory grows with the piece and
CPU time with the number of chunks (about 20 ms each, in deriving and scoring). At
5,000 lines of 15 KB and two workers, the tree's peak PSS was 199 MB with 2 MB pieces
and 239 MB with 4 MB; a 1,000-line file took 0.99 s of CPU in chunks of 135 lines, 0.88
s in chunks of 270 and 0.85 s in chunks of 1,000."""

MIN_PIECE_BYTES = 2**19
"""Pieces are made smaller (down to this) for a JSON Lines file that would otherwise
give a worker too few of them to share the work evenly."""

PIECES_PER_WORKER = 4
"""Tasks per worker that a known amount of input is cut into, so that the workers
finish together (the last task of one worker is not alone at the end)."""


def _items(inputs: Iterable[Input], workers: int = 1) -> Iterator[tuple[str, Payload]]:
    """``(name, payload)`` per partnership (or per piece of JSON Lines), without reading
    a file yet: workers do that."""
    piece_bytes = PIECE_BYTES
    for position, item in enumerate(inputs, start=1):
        if isinstance(item, str) and item.lstrip().startswith("{"):
            yield f"<text {position}>", item
        elif isinstance(item, str | os.PathLike):
            name = os.fspath(item)
            if name.lower().endswith(".jsonl"):
                yield from _jsonl_file(name, position, workers, piece_bytes)
            else:
                yield name, Path(name)
        elif item is sys.stdin and isinstance(getattr(item, "buffer", None), io.BufferedIOBase):
            # the command's standard input: raw bytes in pieces, split and decoded by workers
            # (a regular file: its byte ranges, which the workers read themselves)
            stream: Any = item
            name = getattr(item, "name", None) or "<stream>"
            encoding, errors = stream.encoding or "utf-8", stream.errors or "strict"
            path = _regular_file(stream.buffer) if workers > 1 else None
            if path is not None:  # a file given as input (< FILE): workers read its ranges
                span = stream.buffer.tell(), os.stat(path).st_size
                with open(path, "rb") as raw:
                    for _, piece in _ranges(raw, name, position, span, piece_bytes, workers):
                        yield (
                            name,
                            replace(
                                piece, path=path, encoding=encoding, errors=errors, newline="\n"
                            ),
                        )
                continue
            for data in _blocks(stream.buffer, piece_bytes):
                yield (
                    name,
                    _Piece(
                        name, position, data=data, encoding=encoding, errors=errors, newline="\n"
                    ),
                )
        else:
            yield from _lines(item, getattr(item, "name", None) or "<stream>")


def _jsonl_file(
    name: str, position: int, workers: int, piece_bytes: int
) -> Iterator[tuple[str, Payload]]:
    """A JSON Lines file as pieces of whole lines: byte ranges that workers read.

    Only the bytes around each cut are read here (to end the piece at a newline). A
    file that is not a regular file (a named pipe) is read here, in pieces of bytes.
    """
    try:
        stream = open(name, "rb")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        yield name, InputError("file not found", source=name)
        return
    except IsADirectoryError:
        yield name, InputError("is a directory, not a file", source=name)
        return
    except OSError as exc:
        yield name, InputError(f"cannot be read: {exc.strerror}", source=name)
        return
    with stream:
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode):
            first = True
            for data in _blocks(stream, piece_bytes):
                yield name, _Piece(name, position, data=data, encoding=_sig(first))
                first = False
            return
        yield from _ranges(stream, name, position, (0, info.st_size), piece_bytes, workers)


def _ranges(
    stream: IO[bytes],
    name: str,
    position: int,
    span: tuple[int, int],
    piece_bytes: int,
    workers: int,
) -> Iterator[tuple[str, _Piece]]:
    """Bytes ``span`` (start, end) of a regular JSON Lines file as pieces of whole lines
    (UTF-8, a byte order mark allowed at the file's start), enough for every worker to
    get several."""
    start, size = span
    if workers > 1:
        piece_bytes = min(piece_bytes, max(MIN_PIECE_BYTES, (size - start) // (workers * 4)))
    while start < size:
        end = _line_end(stream, start + piece_bytes, size)
        yield name, _Piece(name, position, start=start, end=end, encoding=_sig(start == 0))
        start = end


def _regular_file(stream: IO[bytes]) -> str | None:
    """The path a stream of a regular file can be opened again by (Linux: /proc names the
    file of a descriptor; checked to be that very file), else ``None`` (a pipe)."""
    try:
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode) or sys.platform != "linux":
            return None
        path = os.readlink(f"/proc/self/fd/{stream.fileno()}")
        again = os.stat(path)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return None
    same = (again.st_dev, again.st_ino) == (info.st_dev, info.st_ino)
    return path if same and os.path.isabs(path) else None


def _sig(first: bool) -> str:
    """A JSON Lines file may start with a byte order mark (only its first piece)."""
    return "utf-8-sig" if first else "utf-8"


def _line_end(stream: IO[bytes], at: int, size: int) -> int:
    """The offset just after the first newline at or after ``at`` (``size`` if none)."""
    if at >= size:
        return size
    stream.seek(at)
    while block := stream.read(65_536):
        newline = block.find(b"\n")
        if newline >= 0:
            return at + newline + 1
        at += len(block)
    return size


def _blocks(stream: IO[bytes], size: int) -> Iterator[bytes]:
    """The bytes of ``stream`` in blocks of about ``size`` that end after a newline
    (the last block may end without one)."""
    parts: list[bytes] = []  # a line longer than a block: its parts, joined once
    while block := stream.read(size):
        cut = block.rfind(b"\n") + 1
        if not cut:
            parts.append(block)
            continue
        parts.append(block[:cut])
        yield b"".join(parts)
        parts = [block[cut:]] if cut < len(block) else []
    if parts:
        yield b"".join(parts)


def _piece_items(piece: _Piece) -> tuple[list[tuple[str, Payload]], int, InputError | None]:
    """The items of a piece (named ``name:line``, lines counted from 1 in the piece),
    the number of lines it holds, and the error that cut it short (not UTF-8, or the
    file could not be read): the lines before that error are kept."""
    try:
        data = piece.data if piece.data is not None else _read_range(piece)
    except OSError as exc:
        return [], 0, InputError(f"cannot be read: {exc.strerror}", source=piece.name)
    cut_short = None
    try:
        text = data.decode(piece.encoding, piece.errors)
    except UnicodeDecodeError as exc:
        cut_short = InputError(f"not UTF-8 text ({exc.reason})", source=piece.name)
        text = data[: data.rfind(b"\n", 0, exc.start) + 1].decode(piece.encoding, piece.errors)
    lines = io.StringIO(text, newline=piece.newline).readlines()
    return list(_lines(lines, piece.name)), len(lines), cut_short


def _read_range(piece: _Piece) -> bytes:
    with open(piece.path or piece.name, "rb") as stream:
        stream.seek(piece.start)
        return stream.read(piece.end - piece.start)


def _tasks(items: Iterable[tuple[str, Payload]], size: int) -> Iterator[Task]:
    """Items as tasks: single documents ``size`` at a time, each piece on its own."""
    group: list[tuple[str, Payload]] = []
    for name, payload in items:
        if isinstance(payload, _Piece):
            if group:
                yield group
                group = []
            yield payload
            continue
        group.append((name, payload))
        if len(group) >= size:
            yield group
            group = []
    if group:
        yield group


def _lines(lines: Iterable[str], name: str) -> Iterator[tuple[str, Payload]]:
    """JSON Lines: one document a line (blank lines skipped), named ``name:line``."""
    for number, line in enumerate(lines, start=1):
        if line and not line.isspace():  # as line.strip(), without a copy of the line
            yield f"{name}:{number}", line.rstrip("\r\n")


def _parse(name: str, payload: Payload) -> Any:
    """The parsed JSON of one item.

    Raises:
        InputError: The file or text cannot be read or parsed (named ``name``).
    """
    if isinstance(payload, InputError):
        raise payload
    if isinstance(payload, Path):
        return read_document(payload, InputError)
    if isinstance(payload, _Piece):  # pieces are split into lines before they are parsed
        raise TypeError("a piece of JSON Lines is not one document")
    if len(payload) > MAX_BYTES:
        limit = MAX_BYTES // 1_000_000
        raise InputError(f"the text is longer than {limit} MB, the most that is read", source=name)
    try:
        return parse_json(payload, name, InputError)
    except InputError as exc:
        if "\n" in payload.rstrip("\n"):
            raise
        raise _on_the_line(exc) from None


def _on_the_line(exc: InputError) -> InputError:
    """A syntax error in a one-line document: its position is a column of that line."""
    problems = [
        Problem(p.path.replace("line 1 column", "column", 1), p.message)
        if p.path.startswith("line 1 column")
        else p
        for p in exc.problems
    ]
    return InputError(problems, source=exc.source)


# --- scoring -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Settings:
    rubric: Rubric
    model: ScoringModel
    options: Options
    consensus: ConsensusRule | None = None
    chunk_size: int = CHUNK_SIZE


def available_cpus() -> int:
    """The CPUs this process may use (its affinity where the platform tells it)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        cpus = os.cpu_count() or 1
    return max(1, cpus)


def default_workers() -> int:
    """Worker processes for a large batch: one per CPU this process may use, at most 4."""
    return min(4, available_cpus())


def worker_count(requested: int, inputs: int | None = None, chunk_size: int = CHUNK_SIZE) -> int:
    """The worker processes to start when ``requested`` are asked for.

    Never more than one per CPU (:func:`available_cpus`: more only cost memory, each
    worker holding a chunk), nor more than the chunks of ``inputs`` when their number
    is known, nor fewer than 1.
    """
    count = min(requested, available_cpus())
    if inputs is not None:
        count = min(count, -(-inputs // max(1, chunk_size)))
    return max(1, count)


def assess_chunks(
    inputs: Iterable[Input],
    rubric: Rubric | None = None,
    *,
    unknown_policy: UnknownPolicy | None = None,
    min_coverage: float | None = None,
    chunk_size: int = CHUNK_SIZE,
    on_error: OnError | None = None,
    workers: int = 1,
    consensus: ConsensusRule | None = None,
) -> Iterator[pd.DataFrame]:
    """Score partnerships chunk by chunk, yielding one table of rows per chunk.

    Args:
        inputs: Paths of partnership JSON files, paths of JSON Lines files (``.jsonl``,
            one partnership a line), JSON text of one partnership (a ``str`` starting
            with ``{``), or open text streams of JSON Lines (e.g. ``sys.stdin``); may be
            a generator: it is read as the chunks are scored.
        rubric: The rubric; default :func:`readiness.load_rubric`.
        unknown_policy: Override the rubric's policy for unknown criteria.
        min_coverage: Override the rubric's minimum coverage.
        chunk_size: Partnerships scored at once.
        on_error: Called with the :class:`readiness.InputError` of each input that
            cannot be scored (named by file, or ``file:line``); the input is left out.
            Without it the first such error is raised.
        workers: Processes that read and score chunks side by side (1: this process
            only), at most one per CPU (:func:`worker_count`); they start only when the
            inputs fill more than one chunk. Rows and errors still come in input order.
        consensus: For panel files (several assessors' ratings of one partnership, see
            :mod:`readiness.panel`): how their levels combine; default the file's rule.
            A panel file gives one row, its consensus assessment as ``readiness
            assess`` scores it (the interval widened by the assessors' spread).

    Yields:
        Tables of at most ``chunk_size`` rows (columns :func:`row_columns`), in input order.

    Raises:
        InputError: An input cannot be read or scored and ``on_error`` is ``None``, or
            the options are invalid.
    """
    used = rubric or load_rubric()
    for chunk in scored_rows(
        inputs, used, unknown_policy, min_coverage, chunk_size, on_error, workers, consensus
    ):
        frame = chunk.table(used)
        if frame is not None:
            yield rounded_scores(frame, used)


def rounded_scores(frame: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
    """The score columns of a table of rows rounded to the tables' decimals."""
    return frame.round(dict.fromkeys(_score_columns(rubric), DECIMALS))


def assess_many(
    inputs: Iterable[Input],
    rubric: Rubric | None = None,
    *,
    unknown_policy: UnknownPolicy | None = None,
    min_coverage: float | None = None,
    chunk_size: int = CHUNK_SIZE,
    on_error: OnError | None = None,
    workers: int = 1,
    consensus: ConsensusRule | None = None,
) -> pd.DataFrame:
    """Score many partnerships: one row each (the chunks of :func:`assess_chunks`, joined).

    For more rows than fit in memory, iterate :func:`assess_chunks` instead.

    >>> from readiness.batch import assess_many
    >>> rows = assess_many(['{"id": "x", "name": "X", "kind": "bilateral-alliance", '
    ...                     '"members": ["USA", "JPN"], "ratings": {"trust.commitment-record": '
    ...                     '{"level": 3}}}'], min_coverage=0, unknown_policy="exclude")
    >>> row = rows.iloc[0]  # unknown critical criteria are unrated: they cap the lower bound
    >>> row["id"], row["file"], float(row["overall"]), float(row["lower"])
    ('x', '<text 1>', 75.0, 2.3619)
    >>> int(row["gates_failed"]), int(row["gates_unrated"])
    (0, 3)
    """
    import pandas as pd

    rubric = rubric or load_rubric()
    chunks = list(
        assess_chunks(
            inputs,
            rubric,
            unknown_policy=unknown_policy,
            min_coverage=min_coverage,
            chunk_size=chunk_size,
            on_error=on_error,
            workers=workers,
            consensus=consensus,
        )
    )
    if not chunks:
        return rows_frame([], rubric)
    return pd.concat(chunks, ignore_index=True)


# --- beyond one machine -----------------------------------------------------------------------


def frame_meta(rubric: Rubric | None = None, index: pd.Index | None = None) -> pd.DataFrame:
    """The empty frame :func:`readiness.assess_frame` returns: its columns and their types.

    What an engine that runs ``assess_frame`` on partitions must be told before it runs
    anything: Dask's ``meta`` (:func:`assess_dask` passes it for you), or the columns
    of the schema Spark's ``mapInPandas`` asks for (``docs/distributed.md``).

    Args:
        rubric: The rubric; default :func:`readiness.load_rubric`.
        index: An empty index of the type the partitions have; default an empty
            ``RangeIndex``.

    >>> from readiness.batch import frame_meta
    >>> meta = frame_meta()
    >>> len(meta), list(meta.columns[:2]), str(meta["band"].dtype), str(meta["overall"].dtype)
    (0, ['trust', 'objectives'], 'category', 'float64')
    """
    import pandas as pd

    rubric = load_rubric() if rubric is None else rubric
    index = pd.RangeIndex(0) if index is None else index[:0]
    return assess_frame(pd.DataFrame(index=index), rubric, min_coverage=0)


def assess_partition(
    part: pd.DataFrame,
    rubric: Rubric | None = None,
    *,
    keys: Sequence[str] = (),
    unknown_policy: UnknownPolicy | None = None,
    min_coverage: float | None = None,
    engine: Engine = "auto",
) -> pd.DataFrame:
    """One partition of a panel: its ``keys`` columns, then :func:`readiness.assess_frame`
    of the rest. What :func:`assess_dask` runs on each partition, and what Spark's
    ``mapInPandas`` or Ray's ``map_batches`` can run on each batch (``docs/distributed.md``).

    Args:
        part: One row per partnership (or partnership-date): the ``keys`` columns, and
            one column per criterion id with levels 0-4 and NaN for unknown.
        rubric: The rubric; default :func:`readiness.load_rubric`.
        keys: Columns that say which row is which (e.g. ``["partnership", "date"]``;
            Dask, Spark and Ray have no MultiIndex): carried over as they are, in front.
        unknown_policy: Override the rubric's policy for unknown criteria.
        min_coverage: Override the rubric's minimum coverage.
        engine: The scoring kernel (``"auto"`` picks the compiled one only for 65,536
            rows or more); see :func:`readiness.scoring.score_matrix`.

    Returns:
        A frame with the index of ``part``: the ``keys``, then the columns of
        :func:`readiness.assess_frame`.

    Raises:
        InputError: A key is not a column, a column is neither a key nor a criterion of
            the rubric, a bad option, or a bad level (named by row label and column).

    >>> import pandas as pd
    >>> from readiness.batch import assess_partition
    >>> part = pd.DataFrame({"id": ["a", "b"], "trust.commitment-record": [4.0, 1.0]})
    >>> out = assess_partition(part, keys=["id"], min_coverage=0, unknown_policy="exclude")
    >>> out[["id", "overall"]].values.tolist()
    [['a', 100.0], ['b', 25.0]]
    """
    import pandas as pd

    rubric = load_rubric() if rubric is None else rubric
    if not isinstance(part, pd.DataFrame):
        raise InputError(
            f"a partition must be a pandas DataFrame (got {type(part).__name__})", source="levels"
        )
    keys = list(keys)
    missing = [str(k) for k in keys if k not in part.columns]
    if missing:
        raise InputError(f"no such column in levels: {', '.join(missing)}", source="keys")
    criteria = set(rubric.criterion_ids)
    others = [str(c) for c in part.columns if c not in keys and c not in criteria]
    if others:  # said here with the way out (assess_frame would say "not a number")
        raise InputError(
            [
                Problem(
                    f"column {c!r}",
                    f"not a criterion of rubric {rubric.label} (a column that says which "
                    "row is which goes in keys)",
                )
                for c in others
            ],
            source="levels",
        )
    scores = assess_frame(
        part.drop(columns=keys),
        rubric,
        unknown_policy=unknown_policy,
        min_coverage=min_coverage,
        engine=engine,
    )
    for i, key in enumerate(keys):
        # the same index, so nothing is realigned (duplicate labels are fine) and the
        # column keeps its type (an array would be inferred again: object -> str)
        scores.insert(i, key, part[key])
    return scores


def assess_dask(
    levels: dd.DataFrame,
    rubric: Rubric | None = None,
    *,
    keys: Sequence[str] = (),
    unknown_policy: UnknownPolicy | None = None,
    min_coverage: float | None = None,
    engine: Engine = "auto",
) -> dd.DataFrame:
    """Score a Dask DataFrame of levels partition by partition (``readiness[dask]``).

    Each partition goes through :func:`assess_partition` (its keys, then
    :func:`readiness.assess_frame`) on its own, and nothing in a row's score depends on
    another row, so the result is row for row what one ``assess_frame`` call on the whole
    gives (``tests/test_dask.py`` checks it, also on the ATOP alliance-year panel).
    Nothing runs until ``.compute()`` (or a write), on whichever Dask scheduler or
    cluster is in use; each worker needs ``readiness`` installed, and receives the
    rubric with the task.

    Args:
        levels: The ``keys`` columns and one column per criterion id (levels 0-4, NaN
            for unknown), in any number of partitions.
        rubric: The rubric; default :func:`readiness.load_rubric`.
        keys, unknown_policy, min_coverage, engine: As for :func:`assess_partition`
            (``engine`` is chosen per partition).

    Returns:
        A Dask DataFrame with the index and partitions of ``levels``: the ``keys``, then
        the columns of :func:`readiness.assess_frame`.

    Raises:
        InputError: ``levels`` is not a Dask DataFrame, or its columns or an option are
            wrong: at once. Bad levels are found when a partition is computed, named by
            row label and column.
    """
    import dask.dataframe as dd

    rubric = load_rubric() if rubric is None else rubric
    if not isinstance(levels, dd.DataFrame):
        raise InputError(
            f"levels must be a Dask DataFrame (got {type(levels).__name__})", source="levels"
        )
    score = functools.partial(
        assess_partition,
        rubric=rubric,
        keys=tuple(keys),
        unknown_policy=unknown_policy,
        min_coverage=min_coverage,
        engine=engine,
    )
    # the empty partition Dask keeps as the frame's description: scoring it checks the
    # columns and the options now, and gives the result's columns and types
    meta = score(levels._meta)
    scored: dd.DataFrame = levels.map_partitions(score, meta=meta)  # type: ignore[no-untyped-call]
    return scored


@dataclass(frozen=True)
class ScoredChunk:
    """One chunk's rows as the workers (or this process) give them (:func:`scored_rows`),
    with the name of the JSON Lines input they come from and the lines of it before their
    piece (``""`` and 0 elsewhere): a row's ``file`` is numbered within its piece until
    :meth:`table` or :meth:`plain` numbers it in its input."""

    rows: _Rows
    name: str
    base: int

    def table(self, rubric: Rubric) -> pd.DataFrame | None:
        """The rows as a table (``None``: no row)."""
        frame = self.rows.frame(rubric)
        if frame is not None and self.base:
            frame["file"] = _renumbered_files(frame["file"], self.name, self.base)
        return frame

    def plain(self, rubric: Rubric) -> PlainRows | pd.DataFrame | None:
        """The rows as :class:`PlainRows` (no pandas), but a chunk holding a panel's row,
        which is a table as :meth:`table` makes it (pandas lays the panel rows in)."""
        if self.rows.panels:
            return self.table(rubric)
        if self.rows.data is None:
            return None
        return PlainRows.of(self.rows.data, rubric, self.name, self.base)


def scored_rows(
    inputs: Iterable[Input],
    rubric: Rubric,
    unknown_policy: UnknownPolicy | None,
    min_coverage: float | None,
    chunk_size: int,
    on_error: OnError | None,
    workers: int = 1,
    consensus: ConsensusRule | None = None,
) -> Iterator[ScoredChunk]:
    """Score ``inputs`` chunk by chunk (:func:`assess_chunks` says how); each chunk's
    rows as they come, before they are made a table: ``assess --out FILE.csv`` writes
    them without pandas (:meth:`ScoredChunk.plain`)."""
    if chunk_size < 1:
        raise InputError(f"must be at least 1 (got {chunk_size!r})", source="chunk_size")
    options = Options.of(rubric, unknown_policy, min_coverage)
    check_engine("auto")  # a bad READINESS_ENGINE is no input's fault: raised here, once
    settings = _Settings(
        rubric=rubric,
        model=ScoringModel.from_rubric(rubric),
        options=options,
        consensus=consensus,
        chunk_size=chunk_size,
    )

    def report(exc: InputError) -> None:
        if on_error is None:
            raise exc
        on_error(exc)

    workers = worker_count(workers)
    size = chunk_size
    if workers > 1 and isinstance(inputs, Sized):  # tasks enough to share out evenly
        share = -(-len(inputs) // (workers * PIECES_PER_WORKER))
        size = min(chunk_size, max(MIN_TASK, share))
    tasks = _tasks(_items(inputs, workers), size)
    first = list(islice(tasks, 2))  # workers start only for more than one task
    parallel = workers > 1 and len(first) > 1
    todo = chain(first, tasks)
    del first  # each task is freed once scored (stdin's pieces hold their bytes)
    results = (
        _in_workers(todo, settings, workers)
        if parallel
        else (_run(task, settings) for task in todo)
    )
    before: dict[int, int] = {}  # lines of each JSON Lines input in its pieces so far
    cut_short: set[int] = set()  # JSON Lines inputs that ended at an error
    for done in results:
        name, base = "", 0
        if done.piece is not None:
            name, index = done.piece
            if index in cut_short:  # the input was not read past the error
                continue
            base = before.get(index, 0)
            before[index] = base + done.lines
            if done.cut_short:
                cut_short.add(index)
        for rows, errors in done.chunks:
            for kind, problems, source in errors:
                report(kind(problems, source=_renumbered(source, name, base)))
            if rows is not None:
                yield ScoredChunk(rows, name, base)


@dataclass(frozen=True)
class PlainRows:
    """A chunk's rows as plain columns, in :func:`row_columns`' order: the scores as
    float arrays (NaN where there is none), the gate counts as integer arrays, the text
    as lists (``None`` where missing). What ``assess --out FILE.csv`` writes without
    loading pandas; :func:`_chunk_frame` makes the same columns into a table."""

    columns: dict[str, Any]

    @classmethod
    def of(cls, data: Mapping[str, Any], rubric: Rubric, name: str, base: int) -> PlainRows:
        """The rows of :func:`_rows`' ``data``; a row's ``file`` numbered in its input
        (``base`` lines of input ``name`` come before its piece)."""
        numbers = set(_score_columns(rubric))
        columns: dict[str, Any] = {}
        for column in row_columns(rubric):
            values = data[column]
            if column in numbers:
                columns[column] = np.asarray(values, dtype=np.float64)
            elif column in _COUNTS:
                columns[column] = np.asarray(values, dtype=np.int64)
            else:
                columns[column] = _values(values)
        if base:
            columns["file"] = [_renumbered(f, name, base) for f in columns["file"]]
        return cls(columns)

    def __len__(self) -> int:
        return len(self.columns["id"])

    def values(self, column: str) -> list[Any]:
        """One column as Python values."""
        return _values(self.columns[column])

    def rounded(self, rubric: Rubric) -> PlainRows:
        """The rows with the score columns rounded as :func:`rounded_scores` rounds them."""
        scores = set(_score_columns(rubric))
        return PlainRows(
            {
                column: np.round(values, DECIMALS) if column in scores else values
                for column, values in self.columns.items()
            }
        )


MIN_TASK = 100
"""The fewest files given to a worker at once (when there are more): a task has a
fixed cost (the chunk's arrays, its message)."""


def _renumbered(source: str | None, name: str, base: int) -> str | None:
    """``name:line`` of a line numbered in its piece, numbered in its input (``base``
    lines come before the piece); any other source as it is."""
    if not base or source is None or not source.startswith(name + ":"):
        return source
    line = source[len(name) + 1 :]
    return f"{name}:{int(line) + base}" if line.isdigit() else source


def _renumbered_files(files: pd.Series, name: str, base: int) -> pd.Series:
    import pandas as pd

    lines = [_renumbered(f, name, base) for f in files.tolist()]
    return pd.Series(lines, index=files.index, dtype=object, name=files.name)


@dataclass(frozen=True)
class _Done:
    """What a task gives: the rows and errors of each of its chunks, in order, and for a
    piece of JSON Lines, its input's (name, position), its number of lines and whether
    an error ended the input there."""

    chunks: list[tuple[_Rows | None, Errors]]
    piece: tuple[str, int] | None = None
    lines: int = 0
    cut_short: bool = False


def _run(task: Task, settings: _Settings) -> _Done:
    """Score one task: a chunk of documents, or a piece of JSON Lines in chunks."""
    if not isinstance(task, _Piece):
        return _Done([_process(task, settings)])
    items, lines, error = _piece_items(task)
    size = settings.chunk_size
    chunks = [_process(items[i : i + size], settings) for i in range(0, len(items), size)]
    if error is not None:
        chunks.append((None, [(type(error), error.problems, error.source)]))
    return _Done(chunks, (task.name, task.input), lines, error is not None)


Errors = list[tuple[type[InputError], tuple[Problem, ...], str | None]]
"""Errors as plain data (an exception does not keep its problems through pickling)."""


@dataclass(frozen=True)
class _Rows:
    """A chunk's rows as plain columns (:func:`_rows`' layout) with their positions in
    the chunk, and the rows of its panel files: what a worker sends back. The table is
    made from them where the rows are written (:meth:`frame`), so that a worker needs
    no pandas: the command forks its workers before it loads pandas (:func:`_in_workers`)."""

    data: dict[str, Any] | None
    at: list[int]
    panels: list[dict[str, Any]]

    @staticmethod
    def joined(parts: list[_Rows]) -> _Rows | None:
        """The rows of several parts of one chunk, in turn (``None``: no row)."""
        kept = [(part.data, part.at) for part in parts if part.data is not None]
        if not kept:
            return None
        data = {name: [v for c, _ in kept for v in _values(c[name])] for name in kept[0][0]}
        return _Rows(data, [i for _, at in kept for i in at], [])

    def frame(self, rubric: Rubric) -> pd.DataFrame | None:
        """The rows as a table (:func:`_chunk_frame`'s types), in input order."""
        frame = None if self.data is None else _chunk_frame(self.data, rubric, self.at)
        if self.panels:
            frame = _with_panels(frame, self.panels, rubric)
        return None if frame is None else frame.reset_index(drop=True)


def _values(column: Any) -> list[Any]:
    """A column of :func:`_rows` (a list or an array) as a list."""
    return column.tolist() if isinstance(column, np.ndarray) else list(column)


def _process(chunk: list[tuple[str, Payload]], settings: _Settings) -> tuple[_Rows | None, Errors]:
    """Read, validate, derive and score one chunk: its rows, and its errors in input order.

    The garbage collector is paused meanwhile: it would walk every object of the chunk
    again and again while the chunk is built, and the chunk's objects hold no cycles.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        found: list[tuple[int, InputError]] = []
        pending: list[tuple[int, str, Partnership]] = []
        panels: list[dict[str, Any]] = []  # rows of panel files, by their consensus
        for position, (name, payload) in enumerate(chunk):
            try:
                doc = _parse(name, payload)
                if is_panel_document(doc):
                    panels.append(_panel_row(doc, name, settings) | {_AT: position})
                    continue
                p = partnership_from_dict(doc, source=name)
                p.check_against(settings.rubric, source=name)
            except InputError as exc:
                found.append((position, exc))
                continue
            except Exception as exc:  # a bug must cost one input, never the batch
                found.append((position, _unexpected(exc, name)))
                continue
            pending.append((position, name, p))
        try:
            rows = _score(pending, settings, found) if pending else None
        except Exception:  # isolate the input that breaks the chunk: score one by one
            rows = _score_each(pending, settings, found)
        if panels:
            rows = _Rows(None, [], panels) if rows is None else replace(rows, panels=panels)
        found.sort(key=lambda pair: pair[0])
        return rows, [(type(e), e.problems, e.source) for _, e in found]
    finally:
        if paused:
            gc.enable()


_AT = "__position__"
"""The position of a row in its chunk while panel rows are put in their places."""


def _panel_row(doc: Any, name: str, settings: _Settings) -> dict[str, Any]:
    """The row of a panel file: its consensus assessment, as ``readiness assess`` scores it.

    The interval (``lower``, ``upper``) is the consensus one widened by the spread of the
    assessors, as in ``assess`` on the panel file.

    Raises:
        InputError: The panel is invalid or cannot be scored (named ``name``).
    """
    from readiness.panel import assess_panel, panel_from_dict

    panel = panel_from_dict(doc, source=name)
    try:
        result = assess_panel(
            panel,
            settings.rubric,
            rule=settings.consensus,
            unknown_policy=settings.options.unknown_policy,
            min_coverage=settings.options.min_coverage,
        )
    except InputError as exc:
        raise exc.with_source(name) from None
    return assessment_row(result.assessment, name)


def _with_panels(
    frame: pd.DataFrame | None, panels: list[dict[str, Any]], rubric: Rubric
) -> pd.DataFrame:
    """The chunk's rows with the panel rows in their input places (index: positions)."""
    import pandas as pd

    rows = pd.DataFrame(panels, columns=[*row_columns(rubric), _AT]).set_index(_AT)
    rows = _typed(rows, rubric)
    rows.index.name = None
    joined = rows if frame is None else pd.concat([frame, rows])
    return joined.sort_index(kind="stable")


def _unexpected(exc: BaseException, name: str) -> InputError:
    """An unexpected failure while reading or scoring one input, as that input's error."""
    detail = str(exc).splitlines()[0][:200] if str(exc) else ""
    return InputError(
        f"could not be processed ({type(exc).__name__}{': ' + detail if detail else ''}); "
        "this is a bug in readiness, please report it with the file",
        source=name,
    )


def _score_each(
    pending: list[tuple[int, str, Partnership]],
    settings: _Settings,
    found: list[tuple[int, InputError]],
) -> _Rows | None:
    """Score a chunk one input at a time, so that a failure costs only its input."""
    parts = []
    for item in pending:
        try:
            rows = _score([item], settings, found)
        except Exception as exc:
            found.append((item[0], _unexpected(exc, item[1])))
            continue
        if rows is not None:
            parts.append(rows)
    return _Rows.joined(parts)


_WORKER: _Settings | None = None

_SIGNALS = ("SIGTERM", "SIGINT")
"""Signals kept from a worker while it starts (it then sets its own handlers)."""


def _start_worker(settings: _Settings | None, parent: int | None = None) -> None:
    """Set up a worker process: its settings, BLAS on one thread, the inherited heap frozen.

    Forked workers inherit the settings (``None`` is passed) and every object of the
    parent: :func:`gc.freeze` keeps the collector from walking (and so copying) them.
    A worker dies with the process that started it (:func:`_die_with_parent`; ``parent``
    is its id when known), and leaves Ctrl-C to it.
    """
    global _WORKER
    _die_with_parent(parent)
    if settings is not None:
        _WORKER = settings
    gc.freeze()
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")  # the workers already fill the CPUs


def _die_with_parent(parent: int | None) -> None:
    """Make this worker end when its parent does, even by ``kill -9``.

    On Linux the kernel sends SIGKILL to the worker when its parent dies
    (``prctl(PR_SET_PDEATHSIG)``); a parent already gone (``parent`` is not the
    parent any more) ends the worker at once. Forked workers inherit the command's
    signal handlers: SIGTERM gets its default action back (end the process) and SIGINT
    is ignored, since the command handles Ctrl-C and shuts the workers down. The
    command starts its workers with both signals blocked (:class:`_Workers`); they are
    unblocked once the handlers are set, so a signal sent meanwhile is not lost.
    """
    import signal

    with contextlib.suppress(ValueError, OSError):  # not the main thread, or no signals
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    _unblock(_blocked_signals())
    if sys.platform != "linux":
        return
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # no prctl: the worker may outlive a killed parent
        return
    if parent is not None and os.getppid() != parent:
        os._exit(1)  # the parent died before the signal was asked for


_PR_SET_PDEATHSIG = 1
"""Linux ``prctl`` option: the signal a process gets when its parent dies."""


def _blocked_signals() -> set[Any]:
    import signal

    return {getattr(signal, name) for name in _SIGNALS if hasattr(signal, name)}


def _block() -> set[Any]:
    """Block SIGTERM and SIGINT in this thread (where the platform can); returns them."""
    import signal

    if not hasattr(signal, "pthread_sigmask"):
        return set()
    signals = _blocked_signals()
    try:
        signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    except (ValueError, OSError):
        return set()
    return signals


def _unblock(signals: set[Any]) -> None:
    import signal

    if signals and hasattr(signal, "pthread_sigmask"):
        with contextlib.suppress(ValueError, OSError):
            signal.pthread_sigmask(signal.SIG_UNBLOCK, signals)


def _work(task: Task) -> _Done:
    assert _WORKER is not None
    return _run(task, _WORKER)


def _serve(tasks: Any, results: Any, settings: _Settings | None, parent: int | None) -> None:
    """A worker's life: chunks in through ``tasks``, rows out through ``results``,
    until ``None`` (or the end of ``tasks``) comes."""
    _start_worker(settings, parent)
    while True:
        try:
            chunk = tasks.recv()
        except (EOFError, OSError):
            return
        if chunk is None:
            return
        try:
            answer: tuple[str, Any] = ("rows", _work(chunk))
        except Exception as exc:  # a bug of the worker: the command reports it
            answer = ("failed", f"{type(exc).__name__}: {exc}")
        try:
            results.send(answer)
        except (BrokenPipeError, OSError):
            return


def _start_method() -> str:
    """How worker processes start: ``fork`` where it is safe, else ``forkserver``.

    A forked worker starts at once, with the modules and the compiled rubric of this
    process; a fork-server worker imports them again (about 0.7 CPU seconds each).
    Fork is used on Linux when this process runs no other Python thread (a lock held
    by one would stay locked in the child) and no GNU OpenMP runtime is loaded (it
    does not survive a fork); OpenBLAS's own threads do (it stops them around fork).
    """
    import multiprocessing
    import threading

    methods = multiprocessing.get_all_start_methods()
    if sys.platform == "linux" and "fork" in methods and threading.active_count() == 1:
        from threadpoolctl import threadpool_info

        if not any(lib.get("prefix") == "libgomp" for lib in threadpool_info()):
            return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


class WorkerDiedError(RuntimeError):
    """A worker process ended (killed, out of memory) or failed while scoring a chunk."""


class _Workers:
    """Worker processes, each with a pipe for chunks and one for their rows.

    No thread and no shared queue: the command waits on the workers' pipes itself, so
    a worker that dies (even in the middle of sending its rows) ends its pipe and is
    seen at once, and stopping is killing and reaping the processes, which cannot
    block. (``concurrent.futures.ProcessPoolExecutor`` could hang for good when SIGTERM
    to the process group killed a worker halfway through sending a result: its
    manager thread waited for the rest of the message, and the command for the thread.)
    """

    def __init__(self, context: Any, count: int, settings: _Settings | None, parent: int | None):
        self.context, self.count = context, count
        self.settings, self.parent = settings, parent
        self.processes: list[Any] = []
        self.tasks: list[Any] = []
        self.results: list[Any] = []
        self.finished = False

    def start(self) -> None:
        """Start the workers with SIGTERM and SIGINT blocked (see :func:`_die_with_parent`)."""
        import warnings

        blocked = _block()
        try:
            for _ in range(self.count):
                task_out, task_in = self.context.Pipe(duplex=False)
                rows_out, rows_in = self.context.Pipe(duplex=False)
                process = self.context.Process(
                    target=_serve,
                    args=(task_out, rows_in, self.settings, self.parent),
                    daemon=True,
                )
                with warnings.catch_warnings():
                    # Python 3.12+ warns on fork when any thread runs (here OpenBLAS's)
                    warnings.filterwarnings("ignore", "This process .* is multi-threaded")
                    process.start()
                self.processes.append(process)
                task_out.close()  # the worker's ends: the pipes end when the worker does
                rows_in.close()
                self.tasks.append(task_in)
                self.results.append(rows_out)
        finally:
            _unblock(blocked)

    def run(self, chunks: Iterator[Task]) -> Iterator[_Done]:
        """What every task gives, in input order; at most one task per worker and one
        more are given out and not yet yielded, so memory stays flat."""
        from collections import deque
        from multiprocessing.connection import wait

        order: deque[int] = deque()  # chunks given out and not yet yielded, in order
        done: dict[int, _Done] = {}
        idle = list(range(self.count))[::-1]
        busy: dict[int, int] = {}  # worker -> chunk
        given = 0
        more = True
        while True:
            while more and idle and len(order) <= self.count:
                chunk = next(chunks, None)
                if chunk is None:
                    more = False
                    break
                worker = idle.pop()
                self._send(worker, chunk)
                busy[worker] = given
                order.append(given)
                given += 1
            if not order:
                break
            if order[0] in done:
                yield done.pop(order.popleft())
                continue
            for conn in wait([self.results[w] for w in busy]):
                worker = self.results.index(conn)
                done[busy.pop(worker)] = self._receive(worker)
                idle.append(worker)
        self.finished = True

    def _send(self, worker: int, chunk: Task) -> None:
        try:
            self.tasks[worker].send(chunk)
        except (BrokenPipeError, OSError):
            raise self._died(worker) from None

    def _receive(self, worker: int) -> _Done:
        try:
            kind, answer = self.results[worker].recv()
        except (EOFError, OSError):
            raise self._died(worker) from None
        if kind != "rows":
            raise WorkerDiedError(f"a worker failed while scoring: {answer}")
        result: _Done = answer
        return result

    def _died(self, worker: int) -> WorkerDiedError:
        process = self.processes[worker]
        process.join(timeout=1)
        return WorkerDiedError(
            f"a worker process ended while scoring (exit code {process.exitcode}); "
            "out of memory, or killed?"
        )

    def stop(self) -> None:
        """End every worker: asked to stop after a finished run, else killed at once
        (an interrupted run); then reaped, so no process is left behind."""
        if self.finished:
            for conn in self.tasks:
                with contextlib.suppress(OSError):
                    conn.send(None)
            for process in self.processes:
                process.join(timeout=5)
        for process in self.processes:
            if process.exitcode is None:
                with contextlib.suppress(OSError, ValueError):
                    process.kill()
        for process in self.processes:
            with contextlib.suppress(OSError, ValueError, AssertionError):
                process.join()
                process.close()
        for conn in (*self.tasks, *self.results):
            with contextlib.suppress(OSError):
                conn.close()


def _in_workers(chunks: Iterator[Task], settings: _Settings, workers: int) -> Iterator[_Done]:
    """Tasks scored in ``workers`` processes (:class:`_Workers`), results in input order.

    Workers receive file names, or pieces of JSON Lines (byte ranges of a file, which
    they read themselves, or the bytes of standard input, or byte ranges of the regular
    file that standard input is), and send back the rows of their task; see
    :func:`_start_method` for how they start. However the run ends (done, an error,
    Ctrl-C, SIGTERM), no worker outlives it.
    """
    import multiprocessing

    global _WORKER
    method = _start_method()
    context = multiprocessing.get_context(method)
    if method == "forkserver":  # import the package once, in the server, not per worker
        context.set_forkserver_preload(["__main__", __name__])  # with the default one
    forked = method == "fork"
    if forked:
        _preload()
    _WORKER = settings if forked else None
    pool = _Workers(context, workers, None if forked else settings, os.getpid() if forked else None)
    try:
        pool.start()
        yield from pool.run(chunks)
    finally:
        pool.stop()
        _WORKER = None


def _preload() -> None:
    """Load here, before the workers are forked, what each would load on its first task:
    the table of member codes (forked workers share it).

    Not pandas: the workers send their rows as plain columns (:class:`_Rows`) and need
    none, and this process loads it (about 0.3 s of CPU) when the first rows come back,
    while the workers score their next tasks, not before they start."""
    from readiness.countries import is_member_code

    is_member_code("USA")


def _score(
    chunk: list[tuple[int, str, Partnership]],
    settings: _Settings,
    found: list[tuple[int, InputError]],
) -> _Rows | None:
    """One chunk: resolve it in one call (facts derived, ratings laid over), score in one call.

    ``chunk`` holds (position, file, partnership); a partnership whose ratings override
    derived levels without a justification goes to ``found`` and is left out. The rows
    come with their positions.
    """

    rubric, model = settings.rubric, settings.model
    pending = [(name, p) for _, name, p in chunk]
    resolved = resolve([p for _, p in pending], rubric)
    keep = np.ones(len(pending), dtype=bool)
    for i, problems in enumerate(resolved.problems):
        if problems:
            keep[i] = False
            found.append((chunk[i][0], InputError(list(problems), source=pending[i][0])))
    good = [pending[i] for i in np.flatnonzero(keep)]
    if not good:
        return None
    if not keep.all():
        resolved = resolved.take(keep)
    levels, na, low = resolved.levels, resolved.not_applicable, resolved.low_confidence
    s = score_matrix(
        levels,
        model,
        not_applicable=na,
        low_confidence=low,
        unknown_policy=settings.options.unknown_policy,
        min_coverage=settings.options.min_coverage,
    )
    band_ids = np.array([*model.band_ids, None], dtype=object)  # band -1: no band
    no_raw = np.isnan(s.raw)
    figures = {name: getattr(s, name) for name in _BY_NAME} | {
        "gate_loss": np.where(no_raw, 0.0, s.gate_loss),
        "band": band_ids[s.band],
        "gates_failed": s.gate_failed.sum(axis=1, dtype=np.int64),
        "gates_unrated": s.gate_unrated.sum(axis=1, dtype=np.int64),
    }
    reasons: list[str | None] = [None] * len(good)
    for r in np.flatnonzero(np.isnan(s.overall)).tolist():
        raw = None if no_raw[r] else float(s.raw[r])
        reasons[r] = no_score_reason(None, raw, float(s.coverage[r]), na[r], settings.options)
    partnerships = [p for _, p in good]
    files = [name for name, _ in good]
    data = _rows(partnerships, files, rubric, figures, list(s.pillar.T), reasons)
    at = [chunk[i][0] for i in np.flatnonzero(keep).tolist()]
    return _Rows(data, at, [])


def _chunk_frame(data: Mapping[str, Any], rubric: Rubric, at: list[int]) -> pd.DataFrame:
    """A chunk's rows (columns from :func:`_rows`, indexed by ``at``) with the types of
    :func:`_typed`, each column made as an array of its type: a frame pandas infers and
    :func:`_typed` then converts costs 25 ms a chunk (half the rows' cost at 70 rows)."""
    import pandas as pd

    index = pd.Index(np.asarray(at, dtype=np.int64))
    numbers = set(_score_columns(rubric))
    columns = {}
    for name in row_columns(rubric):
        values = data[name]
        if name in numbers:
            array = np.asarray(values, dtype=np.float64)
        elif name in _COUNTS:
            array = np.asarray(values, dtype=np.int64)
        else:  # text, ``None`` when missing (an object array: pandas would infer str)
            array = np.empty(len(index), dtype=object)
            array[:] = values
        columns[name] = pd.Series(array, index=index, dtype=array.dtype, copy=False)
    return pd.DataFrame(columns, copy=False)
