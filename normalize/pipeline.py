"""Document -> Declarations (being written: the core pipeline issue)."""

from extract.model import Document, ExtractError


class NotADeclaration(ExtractError):
    """The file was read, but holds no declaration form."""


def normalize_document(doc: Document) -> list:
    raise NotADeclaration("normalize is being written")
