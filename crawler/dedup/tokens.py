"""Vectorised tokenising and hashing of many texts at once.

Python's own `re.findall` plus a dict of token ids costs about 30 s per 100,000 articles here;
doing it on the UTF-8 bytes with numpy costs a few seconds. A token is a maximal run of ASCII
letters and digits and non-ASCII characters (so Indonesian and other Latin-script words work,
and accented letters stay inside words), except the common Unicode punctuation (curly quotes,
dashes, no-break space), which separates. Lower-casing is ASCII only, which is what Indonesian
and English news need.

A token's hash is computed from whole 8-byte words of its lower-cased bytes, gathered at the
token's start (and every 8 bytes after it for longer tokens), not byte by byte: a token is about
seven bytes, so this does a few operations per token instead of a few per byte. The hash depends
only on the token's bytes, never on the batch or the process.

Each token also gets a *stem* hash, of its first five characters, for the event features:
"Minister", "Ministers" and "Ministerin", "Trump" and "Trump's", "election" and "elections"
are one feature. Cutting words to a fixed prefix is the crudest stemmer there is, and in
several languages at once it does what a suffix stripper does for a fraction of its cost
(on the SemEval tuning pairs it matched the rated same-story pairs better than the whole words
did; `benchmarks/clusters.py quality`). A token whose first eight bytes are mostly
multi-byte characters (Hindi, Chinese, Arabic ...) keeps its whole-word hash: five bytes of it
would be a character or two.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

_U64 = np.uint64
_ONES = _U64(0xFFFFFFFFFFFFFFFF)
_LEN_MUL = _U64(0x9E3779B97F4A7C15)
_SHINGLE_MUL = _U64(0x9E3779B97F4A7C15)
_PAD = 8  # zero bytes after the text, so the last token's 8-byte word can be read
STEM_CHARS = 5
"""Characters of a token its stem hash is made of."""
_HIGH_BITS = _U64(0x8080808080808080)


def _tables() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Byte tables: word byte, ASCII lower-case, digit, sentence stop (`.!?:` and newline)."""
    word = np.zeros(256, dtype=bool)
    for lo, hi in ((ord("0"), ord("9")), (ord("A"), ord("Z")), (ord("a"), ord("z"))):
        word[lo : hi + 1] = True
    word[0x80:] = True
    lower = np.arange(256, dtype=np.uint8)
    lower[ord("A") : ord("Z") + 1] += 32
    digit = np.zeros(256, dtype=bool)
    digit[ord("0") : ord("9") + 1] = True
    stop = np.zeros(256, dtype=bool)
    stop[list(b".!?:\n")] = True
    return word, lower, digit, stop


def fmix64(x: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser, a bijection that spreads weak hashes; wraps by design."""
    x = x ^ (x >> _U64(33))
    x *= _U64(0xFF51AFD7ED558CCD)
    x ^= x >> _U64(33)
    x *= _U64(0xC4CEB9FE1A85EC53)
    x ^= x >> _U64(33)
    return x


@dataclass(frozen=True)
class TokenBatch:
    """Tokens of a batch of texts, flattened in text order.

    `doc` gives each token's text index; `start` its byte offset in the buffer of the texts
    joined by newlines; `length` its length in bytes; `hashes` the hash of its lower-cased form;
    `capital` whether it starts with an ASCII capital; `digit` whether it holds a digit;
    `sentence_start` whether it opens a sentence (first in the text, or after `.`, `!`, `?`, `:`
    or a newline); `text_start` the byte offset of each text in that buffer.
    """

    n_docs: int
    doc: np.ndarray
    start: np.ndarray
    length: np.ndarray
    hashes: np.ndarray
    capital: np.ndarray
    digit: np.ndarray
    sentence_start: np.ndarray
    text_start: np.ndarray
    stems: np.ndarray
    """Hash of each token's first `STEM_CHARS` characters (see the module docstring)."""

    def counts(self) -> np.ndarray:
        """Tokens per text."""
        return np.bincount(self.doc, minlength=self.n_docs)


def _word_mask(raw: np.ndarray, word_table: np.ndarray) -> np.ndarray:
    word = word_table[raw]
    n = len(raw)
    # U+2000-U+206F (E2 80 xx, E2 81 xx: quotes, dashes, ellipsis) and U+00A0/AB/BB separate.
    lead = np.flatnonzero((raw[: max(n - 2, 0)] | np.uint8(0x20)) == 0xE2)  # E2 or C2
    second = raw[lead + 1]
    e2 = lead[(raw[lead] == 0xE2) & ((second == 0x80) | (second == 0x81))]
    c2 = lead[(raw[lead] == 0xC2) & ((second == 0xA0) | (second == 0xAB) | (second == 0xBB))]
    for k in range(3):
        word[e2 + k] = False
    word[c2] = False
    word[c2 + 1] = False
    return word


def _words_at(low: np.ndarray) -> np.ndarray:
    """An unaligned uint64 view of `low`: element i is the 8 bytes starting at byte i."""
    return np.ndarray(shape=(len(low) - 7,), dtype="<u8", buffer=low, strides=(1,))


def token_hashes(low: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """64-bit hashes of the byte runs `low[starts[i]:ends[i]]` (`low` padded by 8 zero bytes)."""
    words = _words_at(low)
    length = (ends - starts).astype(np.uint64)
    with np.errstate(over="ignore"):
        # Mask off the bytes after a short token; a run of 8 or more keeps all 8.
        keep = np.minimum(length, _U64(8))
        acc = words[starts] & (_ONES >> (_U64(64) - _U64(8) * keep))
        acc ^= length * _LEN_MUL
        # Longer tokens fold in one more word per 8 bytes; few tokens are long, so each round
        # touches only those still going.
        longer = np.flatnonzero(length > 8)
        offset = 8
        while len(longer):
            rest = np.minimum(length[longer] - _U64(offset), _U64(8))
            part = words[starts[longer] + offset] & (_ONES >> (_U64(64) - _U64(8) * rest))
            acc[longer] = fmix64(acc[longer]) ^ part
            offset += 8
            longer = longer[length[longer] > offset]
        return fmix64(acc)


def stem_hashes(low: np.ndarray, starts: np.ndarray, ends: np.ndarray,
                hashes: np.ndarray) -> np.ndarray:
    """Hashes of the first `STEM_CHARS` characters of the byte runs `low[starts:ends]`, whose
    whole hashes are `hashes`: what `token_hashes` gives for the prefix, computed from the one
    8-byte word at the start. Continuation bytes of UTF-8 (10xxxxxx) in that word lengthen the
    prefix by one byte each (an "ü" is two bytes); with three or more the token is mostly
    multi-byte characters and keeps its whole hash."""
    length = (ends - starts).astype(np.uint64)
    # The bytes after a short token belong to the next one: masked off, as in `token_hashes`.
    word = _words_at(low)[starts] & (_ONES >> (_U64(64) - _U64(8) * np.minimum(length, _U64(8))))
    # A continuation byte has its top bit set and the next one clear.
    continuation = np.bitwise_count(word & ~(word << _U64(1)) & _HIGH_BITS).astype(np.uint64)
    keep = _U64(STEM_CHARS) + continuation
    cut = (continuation < 3) & (length > keep)
    with np.errstate(over="ignore"):
        k = keep[cut]
        acc = (word[cut] & (_ONES >> (_U64(64) - _U64(8) * k))) ^ (k * _LEN_MUL)
        stems = hashes.copy()
        stems[cut] = fmix64(acc)
    return stems


def encode_texts(texts: Sequence[str]) -> tuple[bytes, np.ndarray]:
    """`texts` as one UTF-8 buffer, each followed by a newline, and each text's start offset.
    A lone surrogate (a JSON escape of half a character) is encoded as its three bytes: a word
    byte like any other non-ASCII one, rather than an error that stops the whole run."""
    encoded = [t.encode("utf-8", "surrogatepass") for t in texts]
    lengths = np.fromiter((len(e) + 1 for e in encoded), dtype=np.int64, count=len(encoded))
    offsets = np.zeros(len(encoded), dtype=np.int64)
    np.cumsum(lengths[:-1], out=offsets[1:])
    return b"\n".join(encoded) + b"\n", offsets


def tokenize(texts: Sequence[str]) -> TokenBatch:
    """Tokenise and hash `texts` together; deterministic across processes and runs."""
    data, offsets = encode_texts(texts)
    return tokenize_buffer(data, offsets)


def tokenize_buffer(data: bytes | memoryview, text_start: np.ndarray) -> TokenBatch:
    """Tokenise the texts of `data` (as `encode_texts` makes it) that start at `text_start`."""
    word_table, lower_table, digit_table, stop_table = _tables()
    n_docs = len(text_start)
    raw = np.frombuffer(data, dtype=np.uint8)
    # A leading separator and trailing zero padding: every run has a start and an end, and the
    # 8-byte word at any token start can be read.
    padded = np.zeros(len(raw) + 1 + _PAD, dtype=np.uint8)
    padded[0] = ord("\n")
    padded[1 : len(raw) + 1] = raw
    word = _word_mask(padded, word_table)
    # Runs alternate start, end, start, ... since the padding is not word: one pass finds both.
    edges = np.flatnonzero(word[1:] != word[:-1])  # padded index - 1 = offset in `data`
    starts, ends = edges[0::2], edges[1::2]
    low = lower_table[padded]
    hashes = token_hashes(low, starts + 1, ends + 1)
    stems = stem_hashes(low, starts + 1, ends + 1, hashes)
    capital = (raw[starts] >= ord("A")) & (raw[starts] <= ord("Z"))
    # Digits and sentence stops are rare bytes: find them, then the token they belong to
    # (digits) or the token after them (stops), by binary search over sorted positions.
    digit = np.zeros(len(starts), dtype=bool)
    digit_pos = np.flatnonzero(digit_table[raw])
    digit[np.searchsorted(starts, digit_pos, side="right") - 1] = True
    sentence_start = np.zeros(len(starts) + 1, dtype=bool)
    sentence_start[np.searchsorted(starts, np.flatnonzero(stop_table[raw]))] = True
    first = np.searchsorted(starts, text_start)
    sentence_start[first] = True
    counts = np.diff(np.append(first, len(starts)))
    doc = np.repeat(np.arange(n_docs, dtype=np.int64), counts)
    return TokenBatch(
        n_docs=n_docs,
        doc=doc,
        start=starts,
        length=(ends - starts).astype(np.int32),
        hashes=hashes,
        capital=capital,
        digit=digit,
        sentence_start=sentence_start[:-1],
        text_start=np.asarray(text_start, dtype=np.int64),
        stems=stems,
    )


def shingle_hashes(
    hashes: np.ndarray, doc: np.ndarray, n_docs: int, size: int
) -> tuple[np.ndarray, np.ndarray]:
    """64-bit hashes of the word `size`-shingles of each text, and each shingle's text index,
    from token `hashes` grouped by sorted `doc`.

    A text with fewer than `size` tokens (but at least one) gives one shingle of all its tokens,
    as the extraction benchmark counts it; a text without tokens gives none.
    """
    if size < 1:
        raise ValueError("size must be at least 1")
    n = len(hashes)
    counts = np.bincount(doc, minlength=n_docs)
    m = max(n - size + 1, 0)
    with np.errstate(over="ignore"):
        acc = hashes[:m].copy()
        for j in range(1, size):
            acc *= _SHINGLE_MUL
            acc += hashes[j : j + m]
        full = fmix64(acc)
        keep = doc[:m] == doc[size - 1 : size - 1 + m] if m else np.zeros(0, dtype=bool)
        out_h, out_doc = full[keep], doc[:m][keep]
        short = np.flatnonzero((counts > 0) & (counts < size))
        if len(short):
            first = np.concatenate(([0], np.cumsum(counts)[:-1]))[short]
            acc_s = np.zeros(len(short), dtype=np.uint64)
            for j in range(size):
                part = np.where(j < counts[short], hashes[np.minimum(first + j, n - 1)], _U64(0))
                acc_s = acc_s * _SHINGLE_MUL + part
            # Merge the short texts' single shingles in at their place in text order.
            out_h = np.concatenate((out_h, fmix64(acc_s)))
            out_doc = np.concatenate((out_doc, short))
            order = np.argsort(out_doc, kind="stable")
            out_h, out_doc = out_h[order], out_doc[order]
    return out_h, out_doc
