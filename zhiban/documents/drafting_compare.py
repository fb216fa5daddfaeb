"""Compare two versions of a draft side by side, paragraph by paragraph.

Paragraphs are aligned first; within a changed paragraph the characters that
changed are marked one by one, which suits Chinese text written without spaces.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

RowKind = Literal["same", "changed", "added", "removed"]

# Within a block of replaced paragraphs, a pair this similar is kept together
# even when it means showing the paragraphs around it as added or removed.
_SIMILAR = 0.5
# Past this many candidate pairs the block is paired in order, without scoring.
_MAX_SCORED_PAIRS = 2500


@dataclass(frozen=True)
class Segment:
    """A run of text in one version; changed when it is not in the other."""

    text: str
    changed: bool


@dataclass(frozen=True)
class Row:
    """One line of the side-by-side view: a paragraph of each version, or of one.

    Numbers are the paragraphs' positions in their versions, from 1; a side that
    has no paragraph has no segments and no number.
    """

    kind: RowKind
    left: tuple[Segment, ...]
    right: tuple[Segment, ...]
    left_number: int | None
    right_number: int | None


def compare_versions(old: str, new: str) -> list[Row]:
    """Return the rows that show how the new version differs from the old."""
    old_paragraphs = _paragraphs(old)
    new_paragraphs = _paragraphs(new)
    matcher = SequenceMatcher(None, old_paragraphs, new_paragraphs, autojunk=False)
    rows: list[Row] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows.extend(
                Row(
                    kind="same",
                    left=_whole(old_paragraphs[i], changed=False),
                    right=_whole(new_paragraphs[j], changed=False),
                    left_number=i + 1,
                    right_number=j + 1,
                )
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
            )
        else:
            rows.extend(_replace(old_paragraphs, new_paragraphs, i1, i2, j1, j2))
    return rows


def compare_summary(rows: Iterable[Row]) -> dict[str, int]:
    """Return how many paragraphs were changed, added and removed."""
    summary = {"changed": 0, "added": 0, "removed": 0}
    for row in rows:
        if row.kind in summary:
            summary[row.kind] += 1
    return summary


def _paragraphs(text: str) -> list[str]:
    # An empty text has no paragraphs, not one empty paragraph.
    return text.split("\n") if text else []


def _whole(text: str, *, changed: bool) -> tuple[Segment, ...]:
    return (Segment(text, changed),) if text else ()


def _replace(
    old: list[str], new: list[str], i1: int, i2: int, j1: int, j2: int
) -> Iterator[Row]:
    """Yield the rows of a block of old paragraphs replaced by new ones."""
    anchors = [(i1 + a, j1 + b) for a, b in _anchors(old[i1:i2], new[j1:j2])]
    i, j = i1, j1
    for anchor_i, anchor_j in [*anchors, (i2, j2)]:
        yield from _in_order(old, new, range(i, anchor_i), range(j, anchor_j))
        if anchor_i < i2:
            yield _changed(old, new, anchor_i, anchor_j)
        i, j = anchor_i + 1, anchor_j + 1


def _in_order(
    old: list[str], new: list[str], old_range: range, new_range: range
) -> Iterator[Row]:
    """Pair paragraphs one to one in order; the surplus is removed or added."""
    for i, j in zip(old_range, new_range, strict=False):
        yield _changed(old, new, i, j)
    for i in old_range[len(new_range) :]:
        yield Row("removed", _whole(old[i], changed=True), (), i + 1, None)
    for j in new_range[len(old_range) :]:
        yield Row("added", (), _whole(new[j], changed=True), None, j + 1)


def _anchors(old: list[str], new: list[str]) -> list[tuple[int, int]]:
    """Return the similar pairs, in order, that match the most text in total."""
    candidates = len(old) * len(new)
    # A single pair is paired anyway; too many would cost too much to score.
    if candidates <= 1 or candidates > _MAX_SCORED_PAIRS:
        return []
    scores = [[_similarity(a, b) for b in new] for a in old]
    # best[a][b]: the highest total score pairing old[a:] with new[b:].
    best = [[0.0] * (len(new) + 1) for _ in range(len(old) + 1)]
    for a in range(len(old) - 1, -1, -1):
        for b in range(len(new) - 1, -1, -1):
            best[a][b] = max(
                best[a + 1][b], best[a][b + 1], scores[a][b] + best[a + 1][b + 1]
            )
    pairs: list[tuple[int, int]] = []
    a = b = 0
    while a < len(old) and b < len(new):
        if scores[a][b] and best[a][b] == scores[a][b] + best[a + 1][b + 1]:
            pairs.append((a, b))
            a, b = a + 1, b + 1
        elif best[a][b] == best[a + 1][b]:
            a += 1
        else:
            b += 1
    return pairs


def _similarity(old: str, new: str) -> float:
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    if matcher.real_quick_ratio() < _SIMILAR or matcher.quick_ratio() < _SIMILAR:
        return 0.0
    ratio = matcher.ratio()
    return ratio if ratio >= _SIMILAR else 0.0


def _changed(old: list[str], new: list[str], i: int, j: int) -> Row:
    left, right = _mark(old[i], new[j])
    return Row("changed", left, right, i + 1, j + 1)


def _mark(old: str, new: str) -> tuple[tuple[Segment, ...], tuple[Segment, ...]]:
    """Split two versions of a paragraph into unchanged and changed segments."""
    left: list[Segment] = []
    right: list[Segment] = []
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        changed = tag != "equal"
        _append(left, old[i1:i2], changed=changed)
        _append(right, new[j1:j2], changed=changed)
    return tuple(left), tuple(right)


def _append(segments: list[Segment], text: str, *, changed: bool) -> None:
    if not text:
        return
    if segments and segments[-1].changed == changed:
        segments[-1] = Segment(segments[-1].text + text, changed)
    else:
        segments.append(Segment(text, changed))
