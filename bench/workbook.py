"""Builds a force-sized plan workbook in the seed's shape: title rows, the local-plan header, four strands
merged down the first column, long multi-line cells, rich-text commentary with red later updates, three links.

`writer="openpyxl"` stores every string inline (as openpyxl writes text); `writer="xlsxwriter"` stores them as
shared strings, the rich ones with their runs, as Excel and LibreOffice write them. Both hold the same cells."""

import random
from io import BytesIO

import xlsxwriter
from openpyxl import Workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

HEADER = [
    "Strand",
    "No",
    "What are we going to do?",
    "How are we going to do it?",
    "Responsibility",
    "Commentary",
    "Strategic Link",
]
STRANDS = ["PREPARE", "PREVENT", "PROTECT", "PURSUE"]
WORDS = (
    "partnership intelligence victims reporting safeguarding training awareness operational group regional "
    "network referrals tasking Sentinel problem profile disruption offenders community outreach NRM"
).split()
RED = InlineFont(color="FFFF0000")


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def pcc_code(rng: random.Random) -> str:
    return f"{rng.randint(1, 3)}.{rng.randint(1, 7)}.{rng.randint(1, 9)}"


def rows(actions: int, seed: int = 4) -> list[tuple[str, list]]:
    """(strand, the row's cells) for every action; the commentary as (plain text, red text)."""
    rng = random.Random(seed)
    per_strand = actions // len(STRANDS)
    out = []
    for s, strand in enumerate(STRANDS):
        count = per_strand if s < len(STRANDS) - 1 else actions - per_strand * (len(STRANDS) - 1)
        for n in range(1, count + 1):
            how = "\n".join(f"• {sentence(rng, 8)} (NS)" for _ in range(3))
            commentary = ("\n".join(f"• {sentence(rng, 30)}" for _ in range(3)) + "\n• ", sentence(rng, 25))
            out.append(
                (
                    strand,
                    [
                        strand if n == 1 else None,
                        n,
                        sentence(rng, 25),
                        how,
                        "MDS Lead DSupt Walton & Intel Esther Martin",
                        commentary,
                        f"National Strategy (NS)\nSentinel (S)\nPCC {pcc_code(rng)}",
                    ],
                )
            )
    return out


TITLE_ROWS = [
    "Force-wide Public Protection Delivery Plan 2015-16",  # not the seed's title: both are imported
    "Priority: Modern Day Slavery",
    "Lead: Detective Superintendent Walton",
    "Local Delivery Plan – 2015-16 (Bench)",
]


def build(actions: int = 5000, seed: int = 4, writer: str = "openpyxl") -> bytes:
    if writer == "xlsxwriter":
        return _build_with_xlsxwriter(rows(actions, seed))
    wb = Workbook()
    ws = wb.active
    ws.title = "Local Delivery Plan"
    for line in TITLE_ROWS:
        ws.append([line])
    ws.append([])
    ws.append(HEADER)
    first = row = 7
    strand_rows = rows(actions, seed)
    for index, (strand, cells) in enumerate(strand_rows):
        plain, red = cells[5]
        cells[5] = CellRichText(plain, TextBlock(RED, red))
        ws.append(cells)
        row += 1
        if index + 1 == len(strand_rows) or strand_rows[index + 1][0] != strand:
            ws.merge_cells(start_row=first, start_column=1, end_row=row - 1, end_column=1)
            first = row
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _build_with_xlsxwriter(strand_rows: list[tuple[str, list]]) -> bytes:
    """The same cells through XlsxWriter in its normal mode: shared strings, rich runs in the string table."""
    out = BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = book.add_worksheet("Local Delivery Plan")
    red = book.add_format({"font_color": "#FF0000"})
    for number, line in enumerate(TITLE_ROWS):
        ws.write_string(number, 0, line)
    ws.write_row(5, 0, HEADER)
    first = 6
    for index, (strand, cells) in enumerate(strand_rows):
        row = 6 + index
        for column, value in enumerate(cells):
            if column == 5:
                ws.write_rich_string(row, column, value[0], red, value[1])
            elif isinstance(value, str) and column:
                ws.write_string(row, column, value)
            elif value is not None and column:
                ws.write_number(row, column, value)
        if index + 1 == len(strand_rows) or strand_rows[index + 1][0] != strand:
            ws.merge_range(first, 0, row, 0, strand)
            first = row + 1
    book.close()
    return out.getvalue()


if __name__ == "__main__":
    import sys

    path = sys.argv[1] if len(sys.argv) > 1 else "bench/plan-5000.xlsx"
    with open(path, "wb") as f:
        f.write(build())
    print(path)
