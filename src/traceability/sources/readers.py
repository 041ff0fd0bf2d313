"""Read an agency extract into a frame of strings, whatever its container and encoding.

`read_table(path)` handles CSV (UTF-8, UTF-8 with BOM, UTF-16 with BOM, cp1252/latin-1, double-encoded
UTF-8 repaired), gzip-compressed files, a zip holding one file, XLSX (first sheet, via openpyxl; Excel
date cells become ISO strings, other numbers their shortest text) and JSON Lines. The result is a
`RawTable`: every column `str` (missing = ""), plus `_line`, the record's line number in the file with the
header as line 1 (for XLSX the sheet row; for JSON Lines the line). Records that cannot be rows (wrong
number of fields, a truncated last line, an unbalanced quote, a line that is not JSON) come back in
`bad_rows` with their raw text, for quarantine: nothing read is dropped.

Encoding: strict UTF-8 is tried first (a latin-1 file with accents is never valid UTF-8, so this does not
guess wrong on the real files); then cp1252 (a superset of latin-1's printable range), then latin-1.

Speed: a plainly well-formed UTF-8 CSV (one record per line, the header's number of fields everywhere) is
parsed by pyarrow's C++ reader; anything else falls back to the careful line-by-line reader, which is the
one that finds and reports the odd lines. Both give the same frame.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd

from ..errors import TraceabilityError
from .normalize import _MOJIBAKE, fix_mojibake

csv.field_size_limit(1 << 24)


class ReadError(TraceabilityError):
    """A file that cannot be read as a table at all (binary, empty, no header)."""


@dataclass
class BadRow:
    line: int
    reason: str
    raw: str


@dataclass
class RawTable:
    path: Path
    container: str                 # csv | gzip | zip | xlsx | jsonl
    encoding: str | None
    header: list[str]
    frame: pd.DataFrame
    bad_rows: list[BadRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return len(self.frame) + len(self.bad_rows)


# -- bytes ----------------------------------------------------------------------------------------

def _open_bytes(path: Path) -> tuple[bytes, str, str]:
    """(content, container, inner name) with gzip and zip unwrapped."""
    data = path.read_bytes()
    name = path.name.lower()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as e:
            raise ReadError(f"{path.name}: damaged gzip file ({e}); copy it again from the agency") from None
        inner = name[:-3] if name.endswith(".gz") else name
        return data, "gzip", inner
    if data[:4] == b"PK\x03\x04" and not name.endswith(".xlsx"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                members = [m for m in z.namelist() if not m.endswith("/") and not m.startswith("__MACOSX")]
                if len(members) != 1:
                    raise ReadError(f"{path.name}: a zip must hold exactly one file, it holds {len(members)}; "
                                    "unzip it into the folder instead")
                return z.read(members[0]), "zip", members[0].lower()
        except zipfile.BadZipFile:
            raise ReadError(f"{path.name}: damaged zip file; copy it again from the agency") from None
    return data, "file", name


def decode_text(data: bytes, name: str = "file") -> tuple[str, str]:
    """(text, encoding name). Strict UTF-8 first, then cp1252, then latin-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if b"\x00" in data[:4096]:
        raise ReadError(f"{name}: binary content (NUL bytes), not a text table; export it as CSV, XLSX "
                        "or JSON Lines")
    try:
        text = data.decode("utf-8", errors="strict")
        enc = "utf-8"
    except UnicodeDecodeError:
        try:
            text, enc = data.decode("cp1252", errors="strict"), "cp1252"
        except UnicodeDecodeError:
            text, enc = data.decode("latin-1"), "latin-1"
    return text, enc


# -- header -------------------------------------------------------------------------------------------

def clean_header(header: list[str]) -> list[str]:
    """Strip spaces and stray BOMs; name unnamed columns `_unnamed_<i>`; make duplicates unique."""
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, h in enumerate(header):
        h = (h or "").replace("\ufeff", "").strip()
        if h == "":
            h = f"_unnamed_{i}"
        if h.lower() in seen:
            seen[h.lower()] += 1
            h = f"{h}_{seen[h.lower()]}"
        else:
            seen[h.lower()] = 0
        out.append(h)
    return out


# -- CSV -------------------------------------------------------------------------------------------------

def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] > 0 else ","


def _parse_csv(text: str, name: str) -> tuple[list[str], list[list[str]], list[int], list[BadRow]]:
    # io splits on \n, \r\n and \r only (not on \u2028 or form feeds inside values) and keeps the ends,
    # so quoted values spanning lines keep their newline
    lines = io.StringIO(text, newline="").readlines()
    # skip leading blank lines before the header
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start >= len(lines):
        raise ReadError(f"{name}: empty file, no header")
    delim = _sniff_delimiter(lines[start])
    header_row = next(csv.reader([lines[start]], delimiter=delim))
    strip = str.rstrip
    header = clean_header(header_row)
    ncol = len(header)
    rows: list[list[str]] = []
    line_no: list[int] = []
    bad: list[BadRow] = []

    def run(first: int, last: int) -> None:
        """Parse physical lines [first, last) (0-based indexes into `lines`); record 0-based indexes."""
        reader = csv.reader(iter(lines[first:last]), delimiter=delim)
        consumed = 0
        while True:
            before = consumed
            try:
                rec = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                consumed = reader.line_num
                bad.append(BadRow(first + before, f"unreadable CSV record: {e}",
                                  "".join(lines[first + before:first + consumed]).rstrip("\r\n")))
                continue
            consumed = reader.line_num
            if not rec or (len(rec) == 1 and rec[0].strip() == "" and ncol > 1):
                continue  # a blank line is not a record
            if len(rec) == ncol:
                rows.append(rec)
                line_no.append(first + before)
                continue
            if consumed - before > 1:
                # an unbalanced quote swallowed the following lines: quarantine its first line alone,
                # read the swallowed lines again as records of their own, then go on after them
                bad.append(BadRow(first + before, f"unbalanced quote: expected {ncol} fields",
                                  strip(lines[first + before], "\r\n")))
                run(first + before + 1, first + consumed)
                run(first + consumed, last)
                return
            reason = (f"wrong number of fields: expected {ncol}, found {len(rec)}"
                      + (" (truncated line)" if len(rec) < ncol else ""))
            bad.append(BadRow(first + before, reason, strip(lines[first + before], "\r\n")))

    run(start + 1, len(lines))
    # 0-based physical index -> line number with the header as line 1
    line_no = [i - start + 1 for i in line_no]
    for b in bad:
        b.line = b.line - start + 1
    return header, rows, line_no, bad


def _frame(header: list[str], rows: list[list[str]], lines: list[int]) -> pd.DataFrame:
    if rows:
        cols = list(zip(*rows, strict=True))
        frame = pd.DataFrame({h: pd.Series(c, dtype=object) for h, c in zip(header, cols, strict=True)})
    else:
        frame = pd.DataFrame({h: pd.Series([], dtype=object) for h in header})
    frame["_line"] = pd.Series(lines, dtype="int64")
    return frame


# -- CSV, fast path -------------------------------------------------------------------------------------

def _fast_csv(data: bytes, name: str) -> tuple[list[str], pd.DataFrame] | None:
    """A well-formed CSV (given as UTF-8 bytes without BOM) read by pyarrow (C++, ~10x the csv module):
    (header, frame).

    None whenever the file is not plainly well formed, so that the careful reader (`_parse_csv`) handles it
    and reports every odd line: blank lines, a bare CR line end, a record spanning lines (a quoted newline
    or an unbalanced quote), a wrong number of fields. The result is the same frame the careful reader
    gives (every column `str`, `_line` = physical line with the header as line 1)."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    if not data or data[:1] in (b"\r", b"\n") or b"\x00" in data[:4096]:
        return None
    if data.count(b"\r") != data.count(b"\r\n"):
        return None  # bare CR line ends: the careful reader splits those
    if b"\n\n" in data or b"\n\r\n" in data:
        return None  # blank lines: not records, but they count in the line numbers
    end = data.find(b"\n")
    if end < 0:
        return None
    try:
        first = data[:end].decode("utf-8").rstrip("\r")
    except UnicodeDecodeError:
        return None
    delim = _sniff_delimiter(first)
    header = clean_header(next(csv.reader([first], delimiter=delim)))
    physical = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    names = [f"c{i}" for i in range(len(header))]
    try:
        table = pcsv.read_csv(
            pa.py_buffer(data),
            read_options=pcsv.ReadOptions(column_names=names, skip_rows=1, use_threads=False,
                                          block_size=1 << 24),
            parse_options=pcsv.ParseOptions(delimiter=delim, newlines_in_values=False, ignore_empty_lines=False),
            convert_options=pcsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                strings_can_be_null=False, quoted_strings_can_be_null=False,
                                                check_utf8=True))
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeDecodeError):
        return None
    if table.num_rows != physical - 1:
        return None
    frame = table.rename_columns(header).to_pandas()
    for h in header:
        if frame[h].dtype != object:
            frame[h] = frame[h].astype(object)
    frame["_line"] = pd.Series(range(2, len(frame) + 2), dtype="int64")
    return header, frame


# -- XLSX ------------------------------------------------------------------------------------------------

def _cell_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S") if (v.hour or v.minute or v.second) else v.strftime("%Y-%m-%d")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, time):
        return v.strftime("%H:%M:%S")
    if isinstance(v, bool):
        return "SI" if v else "NO"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    return str(v).strip()


def _read_xlsx(data: bytes, name: str) -> tuple[list[str], list[list[str]], list[int], list[BadRow]]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many kinds
        raise ReadError(f"{name}: not a readable XLSX workbook ({type(e).__name__}); save it again as .xlsx "
                        "or CSV") from None
    ws = wb.worksheets[0]
    header: list[str] | None = None
    rows, lines, bad = [], [], []
    for i, row in enumerate(ws.iter_rows(values_only=True), start=1):
        vals = [_cell_text(v) for v in row]
        if header is None:
            if any(vals):
                while vals and vals[-1] == "":
                    vals.pop()
                header = clean_header(vals)
                hdr_line = i
            continue
        if not any(vals):
            continue
        n = len(header)
        extra = [v for v in vals[n:] if v != ""]
        vals = (vals + [""] * n)[:n]
        if extra:
            bad.append(BadRow(i - hdr_line + 1, f"wrong number of fields: expected {n}, found {n + len(extra)}",
                              json.dumps(vals + extra, ensure_ascii=False)))
            continue
        rows.append(vals)
        lines.append(i - hdr_line + 1)
    wb.close()
    if header is None:
        raise ReadError(f"{name}: empty workbook, no header")
    return header, rows, lines, bad


# -- JSON Lines --------------------------------------------------------------------------------------

def _json_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "SI" if v else "NO"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, dict | list):
        return json.dumps(v, ensure_ascii=False)
    return str(v).strip()


def _read_jsonl(text: str, name: str) -> tuple[list[str], list[list[str]], list[int], list[BadRow]]:
    records, lines, bad = [], [], []
    keys: dict[str, None] = {}
    stripped = text.lstrip()
    if stripped.startswith("["):  # a JSON array of objects is accepted too
        try:
            arr = json.loads(text)
        except json.JSONDecodeError as e:
            raise ReadError(f"{name}: not valid JSON ({e.msg} at line {e.lineno})") from None
        items = list(enumerate(arr, start=1))
    else:
        items = []
        for i, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                items.append((i, json.loads(line)))
            except json.JSONDecodeError as e:
                bad.append(BadRow(i, f"not a JSON object: {e.msg}", line))
    for i, obj in items:
        if not isinstance(obj, dict):
            bad.append(BadRow(i, "not a JSON object", json.dumps(obj, ensure_ascii=False)))
            continue
        for k in obj:
            keys.setdefault(str(k), None)
        records.append(obj)
        lines.append(i)
    if not records and not bad:
        raise ReadError(f"{name}: empty JSON Lines file")
    raw_keys = list(keys)
    header = clean_header(raw_keys)
    rows = [[_json_text(r.get(k)) for k in raw_keys] for r in records]
    return header, rows, lines, bad


# -- entry point -----------------------------------------------------------------------------------------

def read_table(path: str | Path) -> RawTable:
    """Read one extract (see the module docstring). Raises `ReadError` when it is not a table at all."""
    path = Path(path)
    try:
        data, container, inner = _open_bytes(path)
    except OSError as e:
        raise ReadError(f"{path.name}: cannot read ({e.strerror})") from None
    if not data.strip():
        raise ReadError(f"{path.name}: empty file")
    notes: list[str] = []
    fast = None
    bad: list[BadRow] = []
    if data[:4] == b"PK\x03\x04" or inner.endswith((".xlsx", ".xlsm")):
        header, rows, lines, bad = _read_xlsx(data, path.name)
        encoding, kind = None, "xlsx"
    else:
        text, encoding = decode_text(data, path.name)
        if inner.endswith((".jsonl", ".ndjson", ".json")) or text.lstrip()[:1] in ("{", "["):
            header, rows, lines, bad = _read_jsonl(text, path.name)
            kind = "jsonl"
        else:
            kind = "csv"
            utf8 = (data if encoding == "utf-8" else data[3:] if encoding == "utf-8-sig"
                    else text.encode("utf-8"))
            fast = _fast_csv(utf8, path.name)
            if fast is not None:
                header, frame = fast
            else:
                header, rows, lines, bad = _parse_csv(text, path.name)
    if fast is None:
        frame = _frame(header, rows, lines)
    if kind != "xlsx":
        # double-encoded UTF-8 (UTF-8 bytes read as latin-1 and saved again as UTF-8): repair per column,
        # looking at each column's distinct values only
        fixed = 0
        for c in header:
            col = frame[c]
            uniq = pd.unique(col)
            try:
                joined = "\n".join(uniq)
            except TypeError:
                joined = "\n".join(u for u in uniq if isinstance(u, str))
            if _MOJIBAKE.search(joined):
                frame[c] = fix_mojibake(col)
                fixed += 1
        if fixed:
            notes.append(f"double-encoded UTF-8 repaired in {fixed} column(s)")
            encoding = f"{encoding}+repaired"
    if container != "file":
        kind = f"{container}/{kind}"
    return RawTable(path=path, container=kind, encoding=encoding, header=header, frame=frame, bad_rows=bad,
                    notes=notes)


DATA_SUFFIXES = (".csv", ".txt", ".tsv", ".gz", ".zip", ".xlsx", ".xlsm", ".jsonl", ".ndjson", ".json")


def is_data_file(path: Path) -> bool:
    n = path.name.lower()
    return (not n.startswith((".", "~$")) and not n.endswith((".part", ".partial", ".tmp", ".crdownload"))
            and n.endswith(DATA_SUFFIXES))

