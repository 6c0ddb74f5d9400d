"""The run summary's rows and dated rows per source come from the files' footers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from omskcrawl.manifest import file_entry
from omskcrawl.summary import _rows_by_source
from tests.test_storage import row, writer


def test_rows_and_dated_rows_per_source_from_footers_equal_a_full_read(tmp_path: Path) -> None:
    w = writer(tmp_path, batch=3)  # several row groups per file
    for n in range(11):
        w.write({**row(n), "published_at": None} if n % 4 == 0 else row(n))
    for n in range(100, 105):
        w.write(
            {**row(n, source="gorod55"), "published_at": None}
            if n == 101
            else row(n, source="gorod55")
        )
    files = [file_entry(tmp_path, f.path, f.rows) for f in w.close()]

    table = pd.read_parquet(tmp_path / "articles", columns=["source", "published_at"])
    expected = {
        str(source): (len(part), int(part["published_at"].notna().sum()))
        for source, part in table.groupby("source", observed=True)
    }
    assert expected == {"omskinform": (11, 8), "gorod55": (5, 4)}
    assert _rows_by_source(tmp_path, files) == expected
