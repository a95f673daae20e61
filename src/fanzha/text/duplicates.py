"""Near-duplicate texts between two sets (近似重复检测): character 4-gram Jaccard similarity.

Used to keep an evaluation set apart from training data: a message whose 4-gram set overlaps a training message's
by a Jaccard index of 0.3 or more counts as a duplicate, not just identical text. Texts are compared after the
same normalisation the extractor uses (full-width folded, traditional characters to simplified, lower case).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import NamedTuple

from fanzha.text.normalize import normalize

DUPLICATE_JACCARD = 0.3
GRAM = 4


class NearDuplicate(NamedTuple):
    """Text ``first`` of the first set and ``second`` of the second share 4-grams with Jaccard ``similarity``."""

    first: int
    second: int
    similarity: float


def grams(text: str, size: int = GRAM) -> frozenset[str]:
    """The character ``size``-grams of the normalised, lower-cased, space-collapsed text."""
    folded = " ".join(normalize(text).text.lower().split())
    return frozenset(folded[i : i + size] for i in range(max(1, len(folded) - size + 1)))


def near_duplicates(
    first: Sequence[str], second: Sequence[str], threshold: float = DUPLICATE_JACCARD
) -> list[NearDuplicate]:
    """Every pair (one text of each set) whose 4-gram Jaccard similarity is at least ``threshold``.

    An inverted index over the second set's grams counts shared grams per candidate, so only texts sharing at
    least one gram are compared. Cost: O(total grams + shared-gram postings).
    """
    second_grams = [grams(text) for text in second]
    index: dict[str, list[int]] = defaultdict(list)
    for position, found in enumerate(second_grams):
        for gram in found:
            index[gram].append(position)
    pairs = []
    for position, text in enumerate(first):
        mine = grams(text)
        shared: dict[int, int] = defaultdict(int)
        for gram in mine:
            for other in index.get(gram, ()):
                shared[other] += 1
        for other, count in shared.items():
            similarity = count / (len(mine) + len(second_grams[other]) - count)
            if similarity >= threshold:
                pairs.append(NearDuplicate(position, other, similarity))
    return pairs
