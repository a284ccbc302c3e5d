"""Matching students and positions (issue 4).

``engine`` is pure numpy/scipy; the Django side turns records into its input arrays.
"""

from .engine import (
    BIG,
    COMPONENTS,
    FORMAT,
    MAJOR_LEVELS,
    NO_POSITION,
    Catalog,
    Explanation,
    MatchIndex,
    PositionArrays,
    Ragged,
    SnapshotError,
    StudentArrays,
    Weights,
    set_matrix,
)

__all__ = [
    "BIG",
    "COMPONENTS",
    "FORMAT",
    "MAJOR_LEVELS",
    "NO_POSITION",
    "Catalog",
    "Explanation",
    "MatchIndex",
    "PositionArrays",
    "Ragged",
    "SnapshotError",
    "StudentArrays",
    "Weights",
    "set_matrix",
]
