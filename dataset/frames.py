"""The dataset for analysis tools: pandas DataFrames (`open_dataset`) and files other
tools read (`export`: Parquet, one dataset per table, `filings` partitioned by year; or
CSV). Column types come from the schema, so money in fen stays integer even when a
column is empty or has gaps."""

from __future__ import annotations

import csv
import shutil
import sqlite3
from pathlib import Path
from typing import Iterator

from dataset.db import DEFAULT_DB, TABLES, VIEWS, connect_readonly, query_error

BATCH_ROWS = 50_000


def _arrow_type(declared: str):
    import pyarrow as pa

    declared = declared.upper()
    if "INT" in declared:
        return pa.int64()
    if declared in ("REAL", "FLOAT", "DOUBLE"):
        return pa.float64()
    if "TEXT" in declared or "CHAR" in declared:
        return pa.string()
    return None  # a view's computed column: inferred from its values


def _declared_types(conn: sqlite3.Connection, name: str) -> dict:
    return {row[1]: _arrow_type(row[2]) for row in conn.execute(f'PRAGMA table_info("{name}")')}


def _batches(conn: sqlite3.Connection, sql: str, types: dict, params=(), batch_rows: int | None = BATCH_ROWS
             ) -> Iterator:
    """Record batches of a query's rows (all in one when `batch_rows` is None), typed by
    `types` (column -> arrow type, or None to infer it)."""
    import pyarrow as pa

    try:
        cursor = conn.execute(sql, params)
    except (sqlite3.Error, sqlite3.Warning, ValueError) as exc:
        raise query_error(exc) from None
    names = [d[0] for d in cursor.description or ()]
    while True:
        rows = cursor.fetchmany(batch_rows) if batch_rows else cursor.fetchall()
        arrays = [_array([r[i] for r in rows], types.get(name)) for i, name in enumerate(names)]
        yield pa.RecordBatch.from_arrays(arrays, names=names)
        if not batch_rows or len(rows) < batch_rows:
            return


def _array(values: list, type_):
    """One column as arrow; a column SQLite filled with mixed types becomes text."""
    import pyarrow as pa

    try:
        return pa.array(values, type=type_)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array([None if v is None else str(v) for v in values], type=pa.string())


def _table_schema(conn: sqlite3.Connection, name: str):
    import pyarrow as pa

    return pa.schema([(column, t) for column, t in _declared_types(conn, name).items()])


class Dataset:
    """A dataset opened read-only, giving pandas DataFrames: a table or view by attribute
    (`ds.filings`, `ds.project_history`) or by key (`ds["indicators"]`), any query with
    `ds.sql("SELECT …")`. Each access reads afresh, so a dataset still being ingested is
    seen as it is now. Integer columns (money in fen) are pandas' nullable Int64."""

    def __init__(self, path: str | Path = DEFAULT_DB):
        self.path = str(path)
        self._conn = connect_readonly(path)

    @property
    def names(self) -> tuple[str, ...]:
        """The tables and views that can be read."""
        return TABLES + VIEWS

    def __getitem__(self, name: str):
        if name not in self.names:
            raise KeyError(f"no table or view {name!r}; there are: {', '.join(self.names)}")
        return self._frame(f'SELECT * FROM "{name}"', _declared_types(self._conn, name))

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError as exc:
            raise AttributeError(str(exc)) from None

    def sql(self, sql: str, params: tuple | dict = ()):
        """The result of a read-only query as a DataFrame."""
        return self._frame(sql, {}, params)

    def _frame(self, sql: str, types: dict, params=()):
        import pandas as pd
        import pyarrow as pa

        # one batch: column types inferred from all the rows at once
        table = pa.Table.from_batches(list(_batches(self._conn, sql, types, params, batch_rows=None)))
        return table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> "Dataset":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_dataset(path: str | Path = DEFAULT_DB) -> Dataset:
    """The dataset at `path` (default ./shenbao.db), read-only, as DataFrames."""
    return Dataset(path)


def export(db_path: str | Path, out_dir: str | Path, fmt: str) -> dict[str, int]:
    """Write every table to `out_dir` as `parquet` (a dataset directory per table,
    `filings/year=YYYY/…`) or `csv` (`TABLE.csv`, UTF-8 with BOM so Excel reads it).
    Returns rows written per table. Existing exports of the same tables are replaced."""
    conn = connect_readonly(db_path, check_same_thread=False)  # pyarrow pulls the rows from its own thread
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    try:
        return {name: (_write_parquet if fmt == "parquet" else _write_csv)(conn, name, out) for name in TABLES}
    finally:
        conn.close()


def _write_parquet(conn: sqlite3.Connection, name: str, out: Path) -> int:
    import pyarrow.dataset as pads
    import pyarrow.parquet as pq

    shutil.rmtree(out / name, ignore_errors=True)  # no stale year partitions from an earlier export
    schema = _table_schema(conn, name)
    counted = 0

    def counting():
        nonlocal counted
        for batch in _batches(conn, f'SELECT * FROM "{name}"', dict(zip(schema.names, schema.types))):
            counted += batch.num_rows
            yield batch

    partitioning = {"partitioning": ["year"], "partitioning_flavor": "hive"} if name == "filings" else {}
    pads.write_dataset(counting(), out / name, schema=schema, format="parquet", **partitioning)
    if not counted:  # pyarrow writes no file for no rows; readers still want the columns
        (out / name).mkdir(parents=True, exist_ok=True)
        pq.write_table(schema.empty_table(), out / name / "part-0.parquet")
    return counted


def _write_csv(conn: sqlite3.Connection, name: str, out: Path) -> int:
    cursor = conn.execute(f'SELECT * FROM "{name}"')
    counted = 0
    with open(out / f"{name}.csv", "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(d[0] for d in cursor.description)
        while rows := cursor.fetchmany(BATCH_ROWS):
            writer.writerows(rows)
            counted += len(rows)
    return counted
