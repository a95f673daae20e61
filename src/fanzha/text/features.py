"""Features of report text for the fraud-type classifier (诈骗类型特征): hashed character n-grams and Latin words.

The features of a normalised text are its character 1- to 3-grams and its Latin words (ASCII lower-cased, every
digit read as ``0``), weighted by sublinear TF-IDF and scaled to unit length. The vocabulary is held as 64-bit
FNV-1a hashes (no strings), looked up in an open-addressing table by numba kernels, so a batch is featurised in a
few passes over its characters.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

import numba
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]

NGRAM_MAX = 3
"""Longest character n-gram used as a feature."""
MIN_DOCUMENT_FREQUENCY = 2
"""An n-gram becomes a feature when at least this many training reports hold it."""
_FNV_BASIS = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)
_FIBONACCI = np.uint64(0x9E3779B97F4A7C15)
_WORD_BASIS = np.uint64(0x84222325CBF29CE4)
_LONGEST_WORD = 40


# --- numba kernels ------------------------------------------------------------------------------------------------


@numba.njit(cache=True, nogil=True)
def is_letter(code: np.uint32) -> bool:
    return bool(0x61 <= code <= 0x7A)


@numba.njit(cache=True, nogil=True)
def _word_end(codes: npt.NDArray[np.uint32], start: int, begin: int, end: int) -> int:
    """The end of the Latin word of 2 to ``_LONGEST_WORD`` letters starting at ``start``, else -1."""
    if not is_letter(codes[start]) or (start > begin and is_letter(codes[start - 1])):
        return -1
    stop = start + 1
    while stop < end and is_letter(codes[stop]):
        stop += 1
    return stop if 2 <= stop - start <= _LONGEST_WORD else -1


@numba.njit(cache=True, nogil=True)
def _word_hash(codes: npt.NDArray[np.uint32], start: int, stop: int) -> np.uint64:
    h = _WORD_BASIS
    for position in range(start, stop):
        h = (h ^ np.uint64(codes[position])) * _FNV_PRIME
    return h if h != 0 else np.uint64(1)


@numba.njit(cache=True, nogil=True)
def _ngram_hashes(
    codes: npt.NDArray[np.uint32], bounds: IntArray, max_n: int
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int32]]:
    """Every n-gram (1 ≤ n ≤ max_n) and Latin word of every text as its FNV-1a hash, with the index of its text."""
    capacity = len(codes) * (max_n + 1)
    keys = np.empty(capacity, np.uint64)
    rows = np.empty(capacity, np.int32)
    k = 0
    for text in range(len(bounds) - 1):
        begin, end = bounds[text], bounds[text + 1]
        for start in range(begin, end):
            h = _FNV_BASIS
            for n in range(1, min(max_n, end - start) + 1):
                h = (h ^ np.uint64(codes[start + n - 1])) * _FNV_PRIME
                keys[k] = h if h != 0 else np.uint64(1)
                rows[k] = text
                k += 1
            stop = _word_end(codes, start, begin, end)
            if stop >= 0:
                keys[k] = _word_hash(codes, start, stop)
                rows[k] = text
                k += 1
    return keys[:k], rows[:k]


@numba.njit(cache=True, nogil=True)
def _slot(key: np.uint64, shift: int) -> np.int64:
    """Fibonacci hashing: the high bits of the product depend on every bit of the key (FNV's low bits do not)."""
    return np.int64((key * _FIBONACCI) >> np.uint64(shift))


@numba.njit(cache=True, nogil=True)
def _build_table(vocabulary: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """An open-addressing table of the vocabulary: slot → key (0 when empty); the column is found by position."""
    bits = 4
    while (1 << bits) < 2 * len(vocabulary):
        bits += 1
    size = 1 << bits
    mask = size - 1
    table = np.zeros(2 * size, np.uint64)
    for column in range(len(vocabulary)):
        key = vocabulary[column]
        slot = _slot(key, 64 - bits)
        while table[2 * slot] != 0:
            slot = (slot + 1) & mask
        table[2 * slot] = key
        table[2 * slot + 1] = np.uint64(column)
    return table


@numba.njit(cache=True, nogil=True)
def _lookup(table: npt.NDArray[np.uint64], key: np.uint64, shift: int) -> np.int64:
    """The column of ``key`` in the vocabulary table, or -1."""
    mask = len(table) // 2 - 1
    slot = _slot(key, shift)
    while table[2 * slot] != key and table[2 * slot] != 0:
        slot = (slot + 1) & mask
    return np.int64(table[2 * slot + 1]) if table[2 * slot] == key else np.int64(-1)


@numba.njit(cache=True, nogil=True)
def _table_shift(table: npt.NDArray[np.uint64]) -> int:
    shift = 64
    while (1 << (64 - shift)) < len(table) // 2:
        shift -= 1
    return shift


@numba.njit(cache=True, nogil=True)
def _count(
    column: int | np.int64,
    position: int,
    length: int,
    seen: IntArray,
    seen_slot: IntArray,
    entries: tuple[npt.NDArray[np.int32], FloatArray, npt.NDArray[np.int32], npt.NDArray[np.int8]],
    out: int,
) -> int:
    """Count one occurrence of ``column`` in the current report: a new entry at ``out``, or one more of its own."""
    indices, data, first, size = entries
    mask = len(seen) - 1
    slot = (column * 0x9E3779B1) & mask
    while seen[slot] >= 0 and indices[seen[slot]] != column:
        slot = (slot + 1) & mask
    if seen[slot] >= 0:
        data[seen[slot]] += 1.0
        return out
    seen[slot] = out
    seen_slot[out] = slot
    indices[out] = column
    data[out] = 1.0
    first[out] = position
    size[out] = length
    return out + 1


@numba.njit(cache=True, nogil=True)
def _featurize(
    codes: npt.NDArray[np.uint32],
    bounds: IntArray,
    max_n: int,
    table: npt.NDArray[np.uint64],
    idf: FloatArray,
) -> tuple[IntArray, npt.NDArray[np.int32], FloatArray, npt.NDArray[np.int32], npt.NDArray[np.int8]]:
    """Sublinear TF-IDF rows of unit length (CSR, columns in order of first use), with the first position and
    length of each row's n-grams.

    An n-gram is looked up only while its prefix is in the vocabulary: every report holding an n-gram holds its
    prefix, so a prefix's document frequency is never smaller and an unknown prefix has no known extension.
    Repeats within a report are counted in a small table emptied after each report (cost independent of the
    vocabulary's size).
    """
    texts = len(bounds) - 1
    shift = _table_shift(table)
    longest = 1
    for text in range(texts):
        longest = max(longest, bounds[text + 1] - bounds[text])
    capacity = len(codes) * (max_n + 1)
    indptr = np.zeros(texts + 1, np.int64)
    indices = np.empty(capacity, np.int32)
    data = np.empty(capacity, np.float32)
    first = np.empty(capacity, np.int32)
    size = np.empty(capacity, np.int8)
    seen_bits = 4
    while (1 << seen_bits) < 2 * longest * (max_n + 1):
        seen_bits += 1
    seen = np.full(1 << seen_bits, -1, np.int64)
    seen_slot = np.empty(capacity, np.int64)
    out = 0
    for text in range(texts):
        begin, end = bounds[text], bounds[text + 1]
        row_start = out
        for start in range(begin, end):
            h = _FNV_BASIS
            for n in range(1, min(max_n, end - start) + 1):
                h = (h ^ np.uint64(codes[start + n - 1])) * _FNV_PRIME
                column = _lookup(table, h if h != 0 else np.uint64(1), shift)
                if column < 0:
                    break
                out = _count(column, start - begin, n, seen, seen_slot, (indices, data, first, size), out)
            stop = _word_end(codes, start, begin, end)
            if stop >= 0:
                column = _lookup(table, _word_hash(codes, start, stop), shift)
                if column >= 0:
                    out = _count(
                        column,
                        start - begin,
                        stop - start,
                        seen,
                        seen_slot,
                        (indices, data, first, size),
                        out,
                    )
        norm = 0.0
        for e in range(row_start, out):
            seen[seen_slot[e]] = -1
            weight = (1.0 + math.log(data[e])) * idf[indices[e]]
            data[e] = weight
            norm += weight * weight
        scale = 1.0 / math.sqrt(norm) if norm > 0.0 else 1.0
        for e in range(row_start, out):
            data[e] *= scale
        indptr[text + 1] = out
    return indptr, indices[:out], data[:out], first[:out], size[:out]


@numba.njit(cache=True, nogil=True)
def _fold_codes(codes: npt.NDArray[np.uint32]) -> None:
    """ASCII lower-cased, digits as ``0``, ASCII whitespace as a space, in place."""
    for index in range(len(codes)):
        code = codes[index]
        if 0x41 <= code <= 0x5A:
            codes[index] = code + 0x20
        elif 0x30 <= code <= 0x39:
            codes[index] = 0x30
        elif 0x09 <= code <= 0x0D:
            codes[index] = 0x20


# --- features -----------------------------------------------------------------------------------------------------


def code_points(texts: Sequence[str]) -> tuple[npt.NDArray[np.uint32], IntArray]:
    """The texts' characters as the features read them (ASCII lower-cased, digits as ``0``, whitespace as a
    space; one code point per character, so positions stay those of the text) and each text's bounds."""
    joined = "".join(texts)
    codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).copy()
    _fold_codes(codes)
    bounds = np.fromiter(accumulate(map(len, texts), initial=0), np.int64, len(texts) + 1)
    return codes, bounds


@dataclass(frozen=True)
class Features:
    """CSR arrays of unit-length TF-IDF rows, with the first position and length of each entry's n-gram."""

    indptr: IntArray
    indices: npt.NDArray[np.int32]
    data: FloatArray
    first: npt.NDArray[np.int32]
    size: npt.NDArray[np.int8]
    columns: int

    @property
    def matrix(self) -> sp.csr_matrix:
        return sp.csr_matrix(
            (self.data, self.indices, self.indptr), shape=(len(self.indptr) - 1, self.columns)
        )


@dataclass(frozen=True)
class Vocabulary:
    """N-gram hashes (one per column), their inverse document frequencies and the lookup table."""

    keys: npt.NDArray[np.uint64]
    idf: FloatArray
    table: npt.NDArray[np.uint64]

    @classmethod
    def fit(cls, texts: Sequence[str]) -> Vocabulary:
        """The n-grams found in at least ``MIN_DOCUMENT_FREQUENCY`` texts, in hash order."""
        keys, rows = _ngram_hashes(*code_points(texts), NGRAM_MAX)
        order = np.lexsort((rows, keys))
        keys, rows = keys[order], rows[order]
        new_pair = np.ones(len(keys), bool)
        new_pair[1:] = (keys[1:] != keys[:-1]) | (rows[1:] != rows[:-1])
        vocabulary, document_frequency = np.unique(keys[new_pair], return_counts=True)
        kept = document_frequency >= MIN_DOCUMENT_FREQUENCY
        idf = np.log((1.0 + len(texts)) / (1.0 + document_frequency[kept])) + 1.0
        return cls.of(vocabulary[kept], idf.astype(np.float32))

    @classmethod
    def of(cls, keys: npt.NDArray[np.uint64], idf: FloatArray) -> Vocabulary:
        return cls(keys, idf, _build_table(keys))

    def features(self, texts: Sequence[str]) -> Features:
        return self.features_of(*code_points(texts))

    def features_of(self, codes: npt.NDArray[np.uint32], bounds: IntArray) -> Features:
        arrays = _featurize(codes, bounds, NGRAM_MAX, self.table, self.idf)
        return Features(*arrays, columns=len(self.keys))
