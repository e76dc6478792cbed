"""What a copy changed of its original, as a reviewer reads it: lines added (an aggregator's
"Baca juga" and tag lines, marked when the copy level leaves them out of its comparison),
lines removed (a cut ending), and lines edited word by word; the lines both share are counted,
not repeated. Plain difflib over lines, then over the words of each edited line.
"""

from __future__ import annotations

from collections.abc import Callable
from difflib import SequenceMatcher
from typing import Any

EDITED_LINE_RATIO = 0.5
"""Two lines at the same place are one edited line when at least this much of them is the same
(difflib's ratio); less alike, they are a line removed and a line added."""



def copy_diff(original: str, copy: str, left_out: Callable[[str], bool],
              titles: tuple[str, str] = ("", "")) -> dict[str, Any]:
    """The differences of `copy` from `original` (bodies, lines joined by newlines).

    `changes`, in text order: `{"op": "same", "lines": n}`, `{"op": "added", "text": line,
    "left_out": bool}`, `{"op": "removed", "text": line, "ending": bool}` (`ending`: from the
    original's end on, a cut ending), `{"op": "edited", "words": [[op, text], ...]}` with op `=`,
    `-`, `+`. `summary` counts them; `title` holds both titles when they differ."""
    old, new = _lines(original), _lines(copy)
    changes: list[dict[str, Any]] = []
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            changes.append({"op": "same", "lines": a1 - a0})
            continue
        # Removed lines that run to the original's end, with nothing but furniture in their
        # place, are a cut ending.
        ending = a1 == len(old) and all(left_out(line) for line in new[b0:b1])
        changes += _block(old[a0:a1], new[b0:b1], left_out, ending)
    result: dict[str, Any] = {"changes": changes, "summary": _summary(changes)}
    if titles[0] != titles[1] and all(titles):
        result["title"] = list(titles)
    return result


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _added(line: str, left_out: Callable[[str], bool]) -> dict[str, Any]:
    return {"op": "added", "text": line, "left_out": left_out(line)}


def _block(old: list[str], new: list[str], left_out: Callable[[str], bool], ending: bool
           ) -> list[dict[str, Any]]:
    """The changes of one differing block: each old line edited into the first new line still
    unmatched that is like it (new lines passed over are added), else removed."""
    changes: list[dict[str, Any]] = []
    at = 0
    for line in old:
        for j in range(at, len(new)):
            words = _word_diff(line, new[j])
            if words is not None:
                changes += [_added(added, left_out) for added in new[at:j]]
                changes.append({"op": "edited", "words": words})
                at = j + 1
                break
        else:
            changes.append({"op": "removed", "text": line, "ending": ending})
    return changes + [_added(added, left_out) for added in new[at:]]


def _word_diff(old: str, new: str) -> list[list[str]] | None:
    """Runs `[op, text]` turning `old` into `new`, or None when they are too unlike. Words are
    compared, spaces between them kept as single spaces."""
    a, b = old.split(), new.split()
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    # The quick upper bounds first: most pairs of a block are unlike lines.
    if (matcher.real_quick_ratio() < EDITED_LINE_RATIO
            or matcher.quick_ratio() < EDITED_LINE_RATIO or matcher.ratio() < EDITED_LINE_RATIO):
        return None
    runs: list[list[str]] = []
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            runs.append(["=", " ".join(a[a0:a1])])
            continue
        if a1 > a0:
            runs.append(["-", " ".join(a[a0:a1])])
        if b1 > b0:
            runs.append(["+", " ".join(b[b0:b1])])
    return _spaced(runs)


def _spaced(runs: list[list[str]]) -> list[list[str]]:
    """The runs with one space at each boundary, on the unchanged side when there is one (so
    that a changed word is marked alone), else as a run of its own."""
    out: list[list[str]] = []
    for op, text in runs:
        if out:
            if out[-1][0] == "=":
                out[-1][1] += " "
            elif op == "=":
                text = " " + text
            else:
                out.append(["=", " "])
        out.append([op, text])
    return out


def _summary(changes: list[dict[str, Any]]) -> dict[str, int]:
    def count(op: str, flag: str | None = None) -> int:
        return sum(1 for c in changes if c["op"] == op and (flag is None or c[flag]))

    edited_words = sum(_words_changed(c["words"]) for c in changes if c["op"] == "edited")
    return {
        "same": sum(c["lines"] for c in changes if c["op"] == "same"),
        "added": count("added"),
        "left_out": count("added", "left_out"),
        "removed": count("removed"),
        "cut_ending": count("removed", "ending"),
        "edited": count("edited"),
        "edited_words": edited_words,
    }


def _words_changed(runs: list[list[str]]) -> int:
    """Words an edit touched: a replacement counts its longer side, a deletion or an insertion
    its words."""
    total, removed = 0, 0
    for op, text in runs:
        if op == "-":
            removed = len(text.split())
        elif op == "+":
            total += max(removed, len(text.split()))
            removed = 0
        elif text.strip():
            total, removed = total + removed, 0
    return total + removed


def summary_text(diff: dict[str, Any]) -> str:
    """One line: `12 lines the same; 2 added (2 left out of the comparison); ending cut (3
    lines); 1 line edited (2 words)`."""
    s = diff["summary"]
    parts = [f"{s['same']} {_lines_word(s['same'])} the same"]
    if s["added"]:
        left = f" ({s['left_out']} left out of the comparison)" if s["left_out"] else ""
        parts.append(f"{s['added']} added{left}")
    if s["removed"] - s["cut_ending"]:
        parts.append(f"{s['removed'] - s['cut_ending']} removed")
    if s["cut_ending"]:
        parts.append(f"ending cut ({s['cut_ending']} {_lines_word(s['cut_ending'])})")
    if s["edited"]:
        words = s["edited_words"]
        parts.append(f"{s['edited']} {_lines_word(s['edited'])} edited "
                     f"({words} word{'' if words == 1 else 's'})")
    if "title" in diff:
        parts.append("new title")
    return "; ".join(parts)


def _lines_word(n: int) -> str:
    return "line" if n == 1 else "lines"
