"""BERT's uncased WordPiece tokenizer in plain Python, read from the encoder package's `vocab.txt`.

The same ids as the `tokenizers` package's BertNormalizer + BertPreTokenizer + WordPiece for this model
(checked on every training and development message), without the Rust package and its hub client.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

UNKNOWN, CLS, SEP = "[UNK]", "[CLS]", "[SEP]"
CONTINUATION = "##"
MAX_WORD_CHARS = 100  # a longer "word" is one [UNK], as in the reference tokenizer
CACHE_WORDS = 100_000  # bounded: messages bring new words forever


def _is_whitespace(char: str) -> bool:
    return char in " \t\n\r" or unicodedata.category(char) == "Zs"


def _is_control(char: str) -> bool:
    return char not in "\t\n\r" and unicodedata.category(char).startswith("C")


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_cjk(code: int) -> bool:
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2A6DF
        or 0x2A700 <= code <= 0x2B73F
        or 0x2B740 <= code <= 0x2B81F
        or 0x2B820 <= code <= 0x2CEAF
        or 0xF900 <= code <= 0xFAFF
        or 0x2F800 <= code <= 0x2FA1F
    )


def normalize(text: str) -> str:
    """Control characters dropped, whitespace made spaces, CJK characters spaced, accents stripped, lowercase."""
    kept = []
    for char in text:
        code = ord(char)
        if code == 0 or code == 0xFFFD or _is_control(char):
            continue
        if _is_whitespace(char):
            kept.append(" ")
        elif _is_cjk(code):
            kept.append(f" {char} ")
        else:
            kept.append(char)
    stripped = "".join(c for c in unicodedata.normalize("NFD", "".join(kept)) if unicodedata.category(c) != "Mn")
    return stripped.lower()


def words(text: str) -> list[str]:
    """Split on whitespace, and every punctuation character on its own."""
    found: list[str] = []
    for chunk in text.split():
        start = 0
        for index, char in enumerate(chunk):
            if _is_punctuation(char):
                if index > start:
                    found.append(chunk[start:index])
                found.append(char)
                start = index + 1
        if start < len(chunk):
            found.append(chunk[start:])
    return found


class WordPiece:
    def __init__(self, vocab_file: Path) -> None:
        tokens = vocab_file.read_text(encoding="utf-8").split("\n")
        if tokens and tokens[-1] == "":
            tokens.pop()
        self.ids = {token: index for index, token in enumerate(tokens)}
        self.unknown, self.cls, self.sep = self.ids[UNKNOWN], self.ids[CLS], self.ids[SEP]
        self._cache: dict[str, tuple[int, ...]] = {}

    def _pieces(self, word: str) -> tuple[int, ...]:
        """Greedy longest match first; a word with an unmatched part is one [UNK]."""
        cached = self._cache.get(word)
        if cached is None:
            cached = self._match(word)
            if len(self._cache) < CACHE_WORDS:
                self._cache[word] = cached
        return cached

    def _match(self, word: str) -> tuple[int, ...]:
        if len(word) > MAX_WORD_CHARS:
            return (self.unknown,)
        pieces: list[int] = []
        start = 0
        while start < len(word):
            for end in range(len(word), start, -1):
                found = self.ids.get(word[start:end] if start == 0 else CONTINUATION + word[start:end])
                if found is not None:
                    pieces.append(found)
                    start = end
                    break
            else:
                return (self.unknown,)
        return tuple(pieces)

    def encode(self, text: str, max_length: int) -> list[int]:
        """[CLS] pieces [SEP], the pieces cut to fit `max_length`."""
        ids = [self.cls]
        for word in words(normalize(text)):
            ids.extend(self._pieces(word))
            if len(ids) >= max_length - 1:
                break
        return ids[: max_length - 1] + [self.sep]
