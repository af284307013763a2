"""Stage 4: the queryable dataset. Filings, their parts and findings in one SQLite file
(`schema.sql`), loaded by `ingest`, read back as DataFrames by `open_dataset`,
exported as Parquet or CSV, browsed with Datasette (`dataset.serve`)."""

from dataset.db import DEFAULT_DB, DatasetError
# frames before pipeline: pipeline imports shenbao, whose __init__ imports open_dataset from here
from dataset.frames import Dataset, export, open_dataset
from dataset.pipeline import IngestReport, ingest

__all__ = ["DEFAULT_DB", "Dataset", "DatasetError", "IngestReport", "export", "ingest", "open_dataset"]
