"""shenbao (申报): archived budget declaration forms into a clean, queryable dataset."""

from shenbao.api import FileResult, extract_file, process_file
from dataset import open_dataset  # noqa: E402  (after shenbao.api: dataset uses it)

__all__ = ["FileResult", "extract_file", "open_dataset", "process_file"]
__version__ = "0.1.0"
