"""The reference for the importer's sheet reader: every sheet of a workbook read the way the importer read it
before, with openpyxl's normal mode (the whole workbook loaded, a cell object for every position).

app/services/importing/sheet_cells.py reads in read-only mode and one pass a sheet; tests/test_import_read_only.py
checks that both give the same cells, merges, hidden rows and columns, filters and conditional formats.
"""

from io import BytesIO

from openpyxl import load_workbook
from openpyxl.cell.rich_text import CellRichText
from openpyxl.utils import column_index_from_string

from app.services.importing.sheet_cells import Cell, SheetCells, _hidden_by_filter, _runs, unescape


def normal_mode_sheets(data: bytes) -> dict[str, SheetCells]:
    workbook = load_workbook(BytesIO(data), rich_text=True, data_only=True, keep_links=False, keep_vba=False)
    return {worksheet.title: _read(worksheet) for worksheet in workbook.worksheets}


def _read(worksheet) -> SheetCells:
    sheet = SheetCells(worksheet.title, worksheet.sheet_state)
    for row in worksheet.iter_rows():
        for cell in row:
            value = cell.value
            if value is None:
                if not cell.has_style or cell.fill.fill_type != "solid":
                    continue
            elif isinstance(value, str):
                value = unescape(value)
            elif isinstance(value, CellRichText):
                value = _runs(value)
            sheet.cells[(cell.row, cell.column)] = Cell(value, cell.data_type, _style(cell.font), _style(cell.fill))
    for position in sheet.cells:
        sheet.max_row, sheet.max_column = max(sheet.max_row, position[0]), max(sheet.max_column, position[1])
    sheet.merged = list(worksheet.merged_cells.ranges)
    for merged in sheet.merged:
        sheet.max_row, sheet.max_column = max(sheet.max_row, merged.max_row), max(sheet.max_column, merged.max_col)
    hidden = {number for number, dimension in worksheet.row_dimensions.items() if dimension.hidden}
    if worksheet.auto_filter.ref and hidden:
        sheet.filtered_rows = _hidden_by_filter(sheet, worksheet.auto_filter, hidden)
    sheet.hidden_rows = hidden - sheet.filtered_rows
    for letter, dimension in worksheet.column_dimensions.items():
        if dimension.hidden:
            first = column_index_from_string(letter)
            low, high = dimension.min or first, dimension.max or first
            sheet.hidden_columns.update(range(low, min(high, 16384) + 1))
    sheet.conditional = [formatting.sqref for formatting in worksheet.conditional_formatting]
    return sheet


def _style(proxy):
    """The font or fill a normal-mode cell's StyleProxy stands for (the workbook's own object)."""
    return getattr(proxy, "_StyleProxy__target", proxy)


def differences(expected: SheetCells, found: SheetCells) -> list[str]:
    """What differs between two readings of a sheet, cell by cell (value, type, font, fill) and in every part."""
    out = []
    for name in ("title", "state", "max_row", "max_column", "hidden_rows", "hidden_columns", "filtered_rows"):
        if getattr(expected, name) != getattr(found, name):
            out.append(f"{name}: {getattr(expected, name)!r} != {getattr(found, name)!r}")
    if [range.coord for range in expected.merged] != [range.coord for range in found.merged]:
        out.append(f"merged: {[r.coord for r in expected.merged]} != {[r.coord for r in found.merged]}")
    if [str(sqref) for sqref in expected.conditional] != [str(sqref) for sqref in found.conditional]:
        out.append(f"conditional: {expected.conditional} != {found.conditional}")
    for position in sorted(expected.cells.keys() | found.cells.keys()):
        one, other = expected.cells.get(position), found.cells.get(position)
        if one is None or other is None:
            out.append(f"{position}: {one!r} != {other!r}")
            continue
        for part in ("value", "data_type", "font", "fill"):
            a, b = getattr(one, part), getattr(other, part)
            if a != b or type(a) is not type(b):
                out.append(f"{position} {part}: {a!r} != {b!r}".replace("\n", " "))
    return out
