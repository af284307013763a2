"""Text for the full-text index, segmented so that short Chinese words are tokens.

SQLite's FTS5 tokenizers either keep a run of Chinese characters as one token
(unicode61) or cannot match fewer than three characters (trigram). So the text is
stored already segmented: jieba's search-mode words (业委会, 维修, 资金 …) plus every
pair of adjacent characters (业委, 委会 …), separated by spaces, for unicode61 to index.
Any two-character query then matches wherever those characters stand side by side,
and longer ones match the words jieba finds. Domain words jieba does not know are
listed in `search_words.txt`.
"""

from __future__ import annotations

import logging
from functools import cache, lru_cache
from pathlib import Path

import regex

USER_WORDS = Path(__file__).with_name("search_words.txt")
_HAN = regex.compile(r"(\p{Han}+)")


@cache
def _jieba():
    import jieba  # loads its dictionary (about a second): only when something is indexed

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    # Parsed here rather than by `initialize`, which would write its parse to a cache
    # file in the system temp dir (ingest writes nothing outside the dataset and its
    # own temp dir); reading that cache saves little over parsing the dictionary.
    tokenizer.FREQ, tokenizer.total = tokenizer.gen_pfdict(tokenizer.get_dict_file())
    tokenizer.initialized = True
    tokenizer.load_userdict(str(USER_WORDS))
    return tokenizer


# Filings repeat their clauses from year to year. An entry takes about 2 KB, so the
# cache stays under 20 MiB per process however many distinct clauses an archive holds.
@lru_cache(maxsize=10_000)
def _words(run: str) -> tuple[str, ...]:
    """Index tokens of one run of Han characters: jieba's words, then character pairs."""
    return (*_jieba().cut_for_search(run), *(run[j:j + 2] for j in range(len(run) - 1)))


def segment(text: str) -> str:
    """`text` as space-separated index tokens. Each Chinese word or character pair is
    kept once (the index answers "which filings", not "how often"); other text stays
    in place for unicode61 to split."""
    out: list[str] = []
    seen: set[str] = set()
    for i, piece in enumerate(_HAN.split(text)):
        if i % 2 == 0:  # between runs of Han characters
            if piece.strip():
                out.append(piece.strip())
            continue
        for word in _words(piece):
            if word not in seen:
                seen.add(word)
                out.append(word)
    return " ".join(out)
