"""Shrinks a failing input while it still fails the same way: cheap delta debugging over lines,
then over characters of the remaining lines."""

from __future__ import annotations

import time
from typing import Callable, List

Predicate = Callable[[str], bool]


def minimize(text: str, fails: Predicate, seconds: float = 60.0) -> str:
    """A smaller text on which ``fails`` is still true (``fails(text)`` must be true)."""
    deadline = time.monotonic() + seconds
    lines = text.splitlines(keepends=True)
    lines = _ddmin(lines, lambda ls: fails("".join(ls)), deadline)
    # then strip what is left line by line: shorter tokens, fewer characters
    for index in range(len(lines)):
        if time.monotonic() > deadline:
            break
        line = lines[index]
        ending = line[len(line.rstrip("\r\n")) :]
        body = list(line[: len(line) - len(ending)])
        before, after = "".join(lines[:index]), ending + "".join(lines[index + 1 :])
        body = _ddmin(body, lambda cs, before=before, after=after: fails(before + "".join(cs) + after), deadline)
        lines[index] = "".join(body) + ending
    return "".join(lines)


def _ddmin(items: List[str], fails: Callable[[List[str]], bool], deadline: float) -> List[str]:
    """Zeller's ddmin, complements only (enough for source lines)."""
    chunks = 2
    while len(items) >= 2 and time.monotonic() < deadline:
        size = max(1, len(items) // chunks)
        reduced = False
        for start in range(0, len(items), size):
            candidate = items[:start] + items[start + size :]
            if candidate and fails(candidate):
                items = candidate
                chunks = max(chunks - 1, 2)
                reduced = True
                break
            if time.monotonic() > deadline:
                return items
        if not reduced:
            if size == 1:
                break
            chunks = min(len(items), chunks * 2)
    return items
