"""The dataset in a browser: Datasette on 127.0.0.1, with the metadata in
`metadata.json` (titles, facets, canned queries, full-text search on filings), each
column described by its comment in `schema.sql`, and each filing beside its source at
`/-/filing/ID` (the plugin in `filing_view.py`)."""

from __future__ import annotations

import copy
import json
import socket
from pathlib import Path

from dataset.db import DatasetError, connect_readonly, schema_docs

HOST = "127.0.0.1"  # never another address: the dataset is not meant to be published by this
METADATA_FILE = Path(__file__).with_name("metadata.json")
# No facet suggestions: trying every column of the wide filings table costs about 2 s of
# CPU per page on 10,000 filings; the facets that matter are set in metadata.json.
SETTINGS = {"sql_time_limit_ms": 5000, "facet_time_limit_ms": 500, "suggest_facets": False}


def database_name(db_path: str | Path) -> str:
    """The name Datasette gives the database (its URL path)."""
    return Path(db_path).stem


def metadata(db_path: str | Path) -> dict:
    """Datasette metadata for the dataset at `db_path`: `metadata.json` under the
    database's name, each table and view described from schema.sql."""
    meta = json.loads(METADATA_FILE.read_text(encoding="utf-8"))
    database = meta["databases"].pop("DATABASE")
    for name, doc in schema_docs().items():
        table = database["tables"].setdefault(name, {})
        table.setdefault("description", doc["description"])
        if doc["columns"]:
            table["columns"] = copy.deepcopy(doc["columns"])
    meta["databases"][database_name(db_path)] = database
    return meta


def app(db_path: str | Path):
    """The Datasette instance serving the dataset (read-only, seeing new ingests live)."""
    from datasette.app import Datasette
    from datasette.plugins import pm

    from dataset import filing_view

    connect_readonly(db_path).close()  # a clear error now rather than a blank page later
    if not pm.is_registered(filing_view):  # in-process: nothing to install, no entry point
        pm.register(filing_view, name="shenbao-filing-view")
    return Datasette([str(db_path)], metadata=metadata(db_path), settings=SETTINGS)


def serve(db_path: str | Path, port: int, on_ready=print) -> None:
    """Run until interrupted. `on_ready` gets the URL to open."""
    import asyncio

    import uvicorn
    from datasette.utils import tilde_encode

    datasette = app(db_path)
    with socket.socket() as probe:
        try:
            probe.bind((HOST, port))
        except OSError:
            raise DatasetError(f"port {port} is in use on {HOST}; choose another with --port") from None
    asyncio.new_event_loop().run_until_complete(datasette.invoke_startup())
    on_ready(f"http://{HOST}:{port}/{tilde_encode(database_name(db_path))}")
    uvicorn.run(datasette.app(), host=HOST, port=port, log_level="warning", lifespan="on")
