"""HTML fragments inside exported cells (`<p>`, `<br>`, entities, checkbox inputs) to plain
text in the Document's conventions: paragraphs joined by a newline, checkboxes as ☑ / □."""

from __future__ import annotations

import html

import regex

from extract.model import CHECKED, UNCHECKED

_INPUT = regex.compile(r"<input\b[^>]*>", regex.I)
_CHECKED_ATTR = regex.compile(r"\bchecked\b", regex.I)
_BREAK = regex.compile(r"\s*(?:<br\s*/?>|</p>\s*<p\b[^>]*>|</?(?:p|div|li|tr)\b[^>]*>)\s*", regex.I)
_TAG = regex.compile(r"<[^>]*>")
_NEWLINES = regex.compile(r"\s*\n\s*")


def _checkbox(match: regex.Match) -> str:
    tag = match.group(0)
    if "checkbox" not in tag.lower() and "radio" not in tag.lower():
        return ""
    return CHECKED if _CHECKED_ATTR.search(tag) else UNCHECKED


def fragment_text(text: str) -> str:
    """Plain text of a cell that may hold HTML. Text without '<' or '&' is returned trimmed."""
    if "<" not in text and "&" not in text:
        return text.strip()
    text = _INPUT.sub(_checkbox, text)
    text = _BREAK.sub("\n", text)
    text = html.unescape(_TAG.sub("", text)).replace("\xa0", " ")
    return _NEWLINES.sub("\n", text).strip()
