"""Builds a force-sized plan workbook in the seed's shape: title rows, the local-plan header, four strands
merged down the first column, long multi-line cells, rich-text commentary with red later updates, three links."""

import random
from io import BytesIO

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


def build(actions: int = 5000, seed: int = 4) -> bytes:
    rng = random.Random(seed)
    wb = Workbook()
    ws = wb.active
    ws.title = "Local Delivery Plan"
    ws.append(["Force-wide Public Protection Delivery Plan 2015-16"])  # not the seed's title: both are imported
    ws.append(["Priority: Modern Day Slavery"])
    ws.append(["Lead: Detective Superintendent Walton"])
    ws.append(["Local Delivery Plan – 2015-16 (Bench)"])
    ws.append([])
    ws.append(HEADER)
    per_strand = actions // len(STRANDS)
    row = 7
    for s, strand in enumerate(STRANDS):
        first = row
        count = per_strand if s < len(STRANDS) - 1 else actions - per_strand * (len(STRANDS) - 1)
        for n in range(1, count + 1):
            how = "\n".join(f"• {sentence(rng, 8)} (NS)" for _ in range(3))
            commentary = CellRichText(
                "\n".join(f"• {sentence(rng, 30)}" for _ in range(3)) + "\n• ",
                TextBlock(RED, sentence(rng, 25)),
            )
            ws.append(
                [
                    strand if n == 1 else None,
                    n,
                    sentence(rng, 25),
                    how,
                    "MDS Lead DSupt Walton & Intel Esther Martin",
                    commentary,
                    f"National Strategy (NS)\nSentinel (S)\nPCC {pcc_code(rng)}",
                ]
            )
            row += 1
        ws.merge_cells(start_row=first, start_column=1, end_row=row - 1, end_column=1)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


if __name__ == "__main__":
    import sys

    path = sys.argv[1] if len(sys.argv) > 1 else "bench/plan-5000.xlsx"
    with open(path, "wb") as f:
        f.write(build())
    print(path)
