"""Pre-flight checks on an uploaded workbook's bytes, before openpyxl ever sees them.

openpyxl (whose sheet parser the importer uses for rich text, merged cells and hidden rows) will happily spend
minutes and gigabytes on a small hostile file: a zip bomb, a sheet of a million cells, one cell at XFD1048576.
Everything here works on the zip container and streams the sheet XML with a regex, so a rejection costs well
under a second and a few megabytes whatever the file claims. The measurements are in docs/spreadsheet-safety.md.

The tracker's own export carries record sheets beside the plan (Summary, Updates, RAG decisions, Reviews): one
row per update or decision, far more rows than a plan has actions. The importer never reads them as plans, so
they are never parsed (`WorkbookFacts.record_sheets`: the reader skips them by their part), and their size
does not count against the plan's caps. Only the Updates sheet is ever read, streamed row by row, when the plan
sheet's commentary points to it; it has caps of its own.
"""

import io
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeTree

MAX_FILE_BYTES = 20 * 1024 * 1024  # the same limit as the web upload (MAX_CONTENT_LENGTH)
MAX_PARTS = 500  # a plan workbook has 10-40 parts
# The tracker's own plan sheet, rich commentary written inline, unpacks to about 4.5 KB an action (90 MB at
# 20,000 actions); other programs' sheets (shared strings) to far less. Parts openpyxl parses in normal mode:
MAX_PART_BYTES = 128 * 1024 * 1024
MAX_TOTAL_BYTES = 160 * 1024 * 1024
# The Updates sheet, only ever streamed: about 800 bytes an update (160 MB for 20,000 actions of 10 updates).
MAX_STREAMED_PART_BYTES = 320 * 1024 * 1024
MAX_STRUCTURE_BYTES = 8 * 1024 * 1024  # [Content_Types].xml, relationships, workbook.xml: a few KB in a plan
MAX_RECORD_ROWS = 400_000  # updates on the Updates sheet
UPDATE_COLUMNS = 7  # strand or aim, ref, as at, author, RAG, restricted, text
MAX_DATA_ROWS = 20_000  # rows of actions a plan sheet can hold, not counting its title and header rows
TITLE_ROWS = 100  # room above and around the data for titles, headers, separators and notes
MAX_ROWS = MAX_DATA_ROWS + TITLE_ROWS
MAX_COLUMNS = 60
MAX_CELLS = 250_000  # per workbook; openpyxl takes about a second per 50,000 cells in normal mode
MAX_MERGED_CELLS = 250_000  # cells covered by merged ranges, per workbook: openpyxl makes an object for each

OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
ZIP_MAGIC = b"PK\x03\x04"
CHUNK = 1 << 20
LONGEST_TAG = 64 * 1024  # a tag longer than this is not a spreadsheet

MERGE_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell\s[^>]*?\bref=\"([^\"]{1,40})\"")
DIMENSION_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\s[^>]*?\bref=\"([^\"]{1,40})\"")
RANGE_RE = re.compile(r"^\$?([A-Z]{1,3})\$?([0-9]{1,7})(?::\$?([A-Z]{1,3})\$?([0-9]{1,7}))?$")
WORKSHEET_TYPES = ("worksheet+xml", "chartsheet+xml", "dialogsheet+xml", "macrosheet+xml")
WORKBOOK_TYPES = ("sheet.main+xml", "sheet.macroEnabled.main+xml", "template.main+xml", "addin.macroEnabled.main+xml")
OFFICE_DOCUMENT = "/officeDocument"
CELL_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")  # <c ...> and prefixed <x:c ...>
CELL_REF_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?\br=\"([A-Z]{1,3})([0-9]{1,7})\"")
FORMULA_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")
SHARED_STRING_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")
SHARED_STRINGS = "xl/sharedStrings.xml"
CORE_PROPERTIES = "docProps/core.xml"
# The export's author (exporting/excel.py APPLICATION) and its sheets beside the plan, which the importer never
# reads as plans. Summary and Updates are skipped in any workbook, as they always were; the other two only in
# a workbook the tracker wrote, where they cannot be somebody's plan.
TRACKER_APPLICATION = "Delivery Plan Tracker"
RECORD_SHEETS = ("summary", "updates")
TRACKER_RECORD_SHEETS = (*RECORD_SHEETS, "rag decisions", "reviews")
UPDATES_SHEET = "updates"

DAMAGED = "The file is damaged: open it in Excel, save it again as an Excel Workbook (.xlsx) and try again"
NOT_XLSX = "The file is not an Excel workbook (.xlsx): open it in Excel and save it as an Excel Workbook"
OLD_OR_LOCKED = (
    "This is an old .xls file or a password-protected workbook: save it as .xlsx without a password and try again"
)


class WorkbookRejected(Exception):
    """A file that cannot be imported. The message is one line that tells the person what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class WorkbookFacts:
    """What the checks learnt about an accepted file that the reader needs to report."""

    has_macros: bool = False
    external_links: int = 0
    # sheet name -> coordinates of formula cells saved without a value (openpyxl's data_only gives None for them)
    formulas_without_value: dict[str, set[str]] = field(default_factory=dict)
    # part path -> sheet name of the record sheets that are never parsed (workbook._find_sheet skips them)
    record_sheets: dict[str, str] = field(default_factory=dict)
    updates_sheet: str | None = None  # the Updates sheet's part, checked for streaming


@dataclass
class _SheetScan:
    cells: int = 0
    max_row: int = 0
    max_column: int = 0
    last_ref: str = ""
    has_formulas: bool = False
    merged_cells: int = 0


def check_workbook(data: bytes) -> WorkbookFacts:
    """Refuse anything that is not a small, well-formed .xlsx, before it is parsed. Raises WorkbookRejected."""
    if not data:
        raise WorkbookRejected("The file is empty: choose the plan workbook (.xlsx) and try again")
    if len(data) > MAX_FILE_BYTES:
        raise WorkbookRejected(f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB: split the plan")
    if data[:8] == OLE_MAGIC:
        raise WorkbookRejected(OLD_OR_LOCKED)
    if data[:4] != ZIP_MAGIC:
        raise WorkbookRejected(NOT_XLSX)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as error:
        raise WorkbookRejected(DAMAGED) from error
    _check_part_count(parts)
    names = {part.filename for part in parts}
    _check_package_kind(archive, names)
    sheets = _sheet_names(archive, names)
    facts = WorkbookFacts(
        has_macros=any(name.lower().endswith("vbaproject.bin") for name in names),
        external_links=sum(1 for name in names if name.startswith("xl/externalLinks/") and name.endswith(".xml")),
    )
    record_names = TRACKER_RECORD_SHEETS if _written_by_the_tracker(archive, names) else RECORD_SHEETS
    facts.record_sheets = {path: name for path, name in sheets.items() if name.strip().lower() in record_names}
    facts.updates_sheet = next(
        (path for path, name in facts.record_sheets.items() if name.strip().lower() == UPDATES_SHEET), None
    )
    _check_part_sizes(parts, facts)
    sheets = {path: name for path, name in sheets.items() if path not in facts.record_sheets}
    total_cells = merged_cells = 0
    try:
        for path, sheet_name in sheets.items():
            scan = _scan_sheet(archive, path, MAX_CELLS - total_cells)
            total_cells += scan.cells
            merged_cells += scan.merged_cells
            _check_sheet_size(sheet_name, scan, total_cells)
            if merged_cells > MAX_MERGED_CELLS:
                raise WorkbookRejected(
                    f"Sheet '{sheet_name}' merges more than {MAX_MERGED_CELLS:,} cells, far more than a plan needs: "
                    "unmerge the cells below and beside the plan and try again"
                )
            if scan.has_formulas and (missing := _formulas_without_value(archive, path)):
                facts.formulas_without_value[sheet_name] = missing
        if facts.updates_sheet:
            _check_updates_sheet(archive, facts.updates_sheet, facts.record_sheets[facts.updates_sheet])
        if SHARED_STRINGS in names and _count(archive, SHARED_STRINGS, SHARED_STRING_RE, MAX_CELLS) > MAX_CELLS:
            # openpyxl keeps every shared string in memory; a plan cannot use more of them than it has cells
            raise WorkbookRejected(f"The workbook holds more than {MAX_CELLS:,} pieces of text: split the plan")
    # zipfile raises NotImplementedError for a compression method it cannot read, RuntimeError for an
    # encrypted member: both mean a file we cannot read, not unfinished code.
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error, NotImplementedError, RuntimeError) as error:
        raise WorkbookRejected(DAMAGED) from error
    return facts


def _check_part_count(parts: list[zipfile.ZipInfo]) -> None:
    if len(parts) > MAX_PARTS:
        raise WorkbookRejected(
            f"The workbook has {len(parts):,} parts, far more than a plan needs: copy the plan into a new workbook"
        )
    if any(part.flag_bits & 0x1 for part in parts):
        raise WorkbookRejected(OLD_OR_LOCKED)


def _check_part_sizes(parts: list[zipfile.ZipInfo], facts: WorkbookFacts) -> None:
    """What will be unpacked: every part but the record sheets (never unpacked), the Updates sheet (streamed)
    under its own cap. zipfile refuses to unpack more than a part's declared size, so the sizes hold."""
    parsed = [part for part in parts if part.filename not in facts.record_sheets]
    largest = max(parsed, key=lambda part: part.file_size, default=None)
    if largest is not None and largest.file_size > MAX_PART_BYTES:
        raise WorkbookRejected(
            f"Part of the workbook unpacks to more than {MAX_PART_BYTES // (1024 * 1024)} MB: "
            "remove pictures or stray data and try again"
        )
    if sum(part.file_size for part in parsed) > MAX_TOTAL_BYTES:
        raise WorkbookRejected(
            f"The workbook unpacks to more than {MAX_TOTAL_BYTES // (1024 * 1024)} MB: split the plan and try again"
        )
    streamed = next((part for part in parts if part.filename == facts.updates_sheet), None)
    if streamed is not None and streamed.file_size > MAX_STREAMED_PART_BYTES:
        raise WorkbookRejected(
            f"The Updates sheet unpacks to more than {MAX_STREAMED_PART_BYTES // (1024 * 1024)} MB: "
            "split the plan and try again"
        )


def _check_updates_sheet(archive: zipfile.ZipFile, path: str, name: str) -> None:
    """The Updates sheet is streamed one row at a time, never held whole: its rows and columns are bounded."""
    scan = _scan_sheet(archive, path, MAX_RECORD_ROWS * UPDATE_COLUMNS, max_rows=MAX_RECORD_ROWS + TITLE_ROWS)
    if scan.max_row > MAX_RECORD_ROWS + TITLE_ROWS or scan.max_column > MAX_COLUMNS:
        raise WorkbookRejected(
            f"Sheet '{name}' has a cell at {scan.last_ref}, beyond the {MAX_RECORD_ROWS:,} updates and "
            f"{MAX_COLUMNS} columns it can hold: delete the stray cells and try again"
        )
    if scan.cells > MAX_RECORD_ROWS * UPDATE_COLUMNS:
        raise WorkbookRejected(
            f"Sheet '{name}' has more than {MAX_RECORD_ROWS * UPDATE_COLUMNS:,} cells: split the plan"
        )


def _written_by_the_tracker(archive: zipfile.ZipFile, names: set[str]) -> bool:
    """The package says the tracker's export wrote it (its author). A file that lies only has sheets skipped."""
    if CORE_PROPERTIES not in names or archive.getinfo(CORE_PROPERTIES).file_size > 64 * 1024:
        return False
    return any(
        _local(element.tag) == "creator" and (element.text or "").strip() == TRACKER_APPLICATION
        for element in _xml(archive, CORE_PROPERTIES).iter()
    )


def _check_package_kind(archive: zipfile.ZipFile, names: set[str]) -> None:
    if "mimetype" in names and b"opendocument" in archive.open("mimetype").read(100):
        raise WorkbookRejected("This is an OpenDocument spreadsheet (.ods): save it as an Excel Workbook (.xlsx)")
    if "[Content_Types].xml" in names and any(name.startswith("word/") for name in names):
        raise WorkbookRejected("This is a Word document, not an Excel workbook (.xlsx)")
    if "[Content_Types].xml" not in names:
        raise WorkbookRejected(NOT_XLSX)


def _xml(archive: zipfile.ZipFile, name: str):
    """A small part (content types, relationships, the workbook, its properties), parsed with defusedxml."""
    try:
        if archive.getinfo(name).file_size > MAX_STRUCTURE_BYTES:
            raise WorkbookRejected(
                f"Part of the workbook unpacks to more than {MAX_STRUCTURE_BYTES // (1024 * 1024)} MB "
                f"({name}): copy the plan into a new workbook and try again"
            )
        return SafeTree.fromstring(archive.read(name))
    except KeyError as error:
        raise WorkbookRejected(NOT_XLSX) from error
    except (DefusedXmlException, SafeTree.ParseError, zipfile.BadZipFile, zlib.error, OSError) as error:
        raise WorkbookRejected(DAMAGED) from error


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _resolve(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def _workbook_part(archive: zipfile.ZipFile, names: set[str], types) -> str:
    """The workbook part, as openpyxl finds it: by its content type, else the package's officeDocument relation."""
    for element in types:
        if _local(element.tag) == "Override" and (element.get("ContentType") or "").endswith(WORKBOOK_TYPES):
            path = (element.get("PartName") or "").lstrip("/")
            if path in names:
                return path
    if "_rels/.rels" in names:
        for rel in _xml(archive, "_rels/.rels"):
            if (rel.get("Type") or "").endswith(OFFICE_DOCUMENT) and (path := _resolve("", rel.get("Target", ""))):
                if path in names:
                    return path
    raise WorkbookRejected(NOT_XLSX)


def _sheet_names(archive: zipfile.ZipFile, names: set[str]) -> dict[str, str]:
    """Worksheet part path -> sheet name, read with defusedxml from the workbook and its relationships.

    Every part the content types call a worksheet is scanned too, named or not, wherever it sits: whatever
    openpyxl might parse passes the size checks first.
    """
    types = _xml(archive, "[Content_Types].xml")
    workbook_path = _workbook_part(archive, names, types)
    workbook = _xml(archive, workbook_path)
    rels_path = posixpath.join(posixpath.dirname(workbook_path), "_rels", posixpath.basename(workbook_path) + ".rels")
    targets = {}
    if rels_path in names:
        for rel in _xml(archive, rels_path):
            targets[rel.get("Id")] = _resolve(workbook_path, rel.get("Target", ""))
    sheets = {}
    for element in workbook.iter():
        if _local(element.tag) != "sheet":
            continue
        rel_id = next((value for key, value in element.attrib.items() if _local(key) == "id"), None)
        path = targets.get(rel_id)
        if path in names:
            sheets[path] = element.get("name", path)
    for element in types:
        if _local(element.tag) == "Override" and (element.get("ContentType") or "").endswith(WORKSHEET_TYPES):
            path = (element.get("PartName") or "").lstrip("/")
            if path in names:
                sheets.setdefault(path, path)
    for name in names:
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            sheets.setdefault(name, name)
    return sheets


def _scan_sheet(archive: zipfile.ZipFile, path: str, cells_left: int, max_rows: int = MAX_ROWS) -> _SheetScan:
    """Count cells and find the furthest cell by streaming the XML, stopping as soon as a limit is passed."""
    scan = _SheetScan()
    tail = b""
    with archive.open(path) as stream:
        while True:
            chunk = stream.read(CHUNK)
            block = tail + chunk
            if not chunk:
                cut = len(block)
            else:
                cut = block.rfind(b"<")  # never split a tag between two blocks
                if cut <= 0 and len(block) > LONGEST_TAG:
                    cut = len(block)
                cut = max(cut, 0)
            _scan_block(scan, block[:cut])
            tail = block[cut:]
            if not chunk or scan.cells > cells_left or scan.max_row > max_rows or scan.max_column > MAX_COLUMNS:
                return scan


def _count(archive: zipfile.ZipFile, path: str, pattern: re.Pattern, cap: int) -> int:
    """How many times the pattern occurs in a part, streamed, stopping once past the cap."""
    count, tail = 0, b""
    with archive.open(path) as stream:
        while chunk := stream.read(CHUNK):
            block = tail + chunk
            count += len(pattern.findall(block[:-16]))
            tail = block[-16:]
            if count > cap:
                return count
    return count + len(pattern.findall(tail))


def _scan_block(scan: _SheetScan, block: bytes) -> None:
    scan.cells += len(CELL_RE.findall(block))
    for ref in MERGE_RE.findall(block):
        _scan_range(scan, ref, merge=True)
    for ref in DIMENSION_RE.findall(block):
        _scan_range(scan, ref, merge=False)
    for letters, digits in CELL_REF_RE.findall(block):
        row, column = int(digits), _column_number(letters)
        if row > scan.max_row or column > scan.max_column:
            scan.last_ref = (letters + digits).decode()
        scan.max_row, scan.max_column = max(scan.max_row, row), max(scan.max_column, column)
    if not scan.has_formulas and FORMULA_RE.search(block):
        scan.has_formulas = True


def _scan_range(scan: _SheetScan, ref: bytes, merge: bool) -> None:
    """A merge's or the dimension's far corner counts as a cell there; a merge's area counts as merged cells."""
    match = RANGE_RE.match(ref.decode("ascii", "replace").upper())
    if match is None:
        return
    first_column, first_row = _column_number(match.group(1).encode()), int(match.group(2))
    last_column = _column_number(match.group(3).encode()) if match.group(3) else first_column
    last_row = int(match.group(4)) if match.group(4) else first_row
    if last_row > scan.max_row or last_column > scan.max_column:
        scan.last_ref = ref.decode("ascii", "replace").split(":")[-1].replace("$", "")
    scan.max_row, scan.max_column = max(scan.max_row, last_row), max(scan.max_column, last_column)
    if merge:
        scan.merged_cells += max(0, last_row - first_row + 1) * max(0, last_column - first_column + 1)


def _check_sheet_size(sheet_name: str, scan: _SheetScan, total_cells: int) -> None:
    if scan.max_row > MAX_ROWS or scan.max_column > MAX_COLUMNS:
        raise WorkbookRejected(
            f"Sheet '{sheet_name}' has a cell at {scan.last_ref}, beyond the {MAX_DATA_ROWS:,} rows and {MAX_COLUMNS} "
            "columns a plan can use: delete the stray cells and try again"
        )
    if total_cells > MAX_CELLS:
        raise WorkbookRejected(
            f"The workbook has more than {MAX_CELLS:,} cells (sheet '{sheet_name}' passes the limit): "
            "delete unused rows and columns or split the plan"
        )


def _formulas_without_value(archive: zipfile.ZipFile, path: str) -> set[str]:
    """Coordinates of formula cells saved with no cached value (files written by tools other than Excel)."""
    missing = set()
    try:
        with archive.open(path) as stream:
            for _, element in SafeTree.iterparse(stream, events=("end",)):
                if element.tag.rsplit("}", 1)[-1] != "c":
                    continue
                children = {child.tag.rsplit("}", 1)[-1]: child for child in element}
                value = children.get("v")
                if "f" in children and (value is None or not (value.text or "").strip()):
                    missing.add(element.get("r", "?"))
                element.clear()
    except (DefusedXmlException, SafeTree.ParseError) as error:
        raise WorkbookRejected(DAMAGED) from error
    return missing


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + (letter - 64)
    return number
