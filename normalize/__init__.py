"""Stage 2: Document -> Declaration records."""

from normalize.pipeline import NotADeclaration, normalize_document

__all__ = ["NotADeclaration", "normalize_document"]
