"""Whole-file writes: the old file or the new one, with the permissions a user expects."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from crawler.files import read_jsonl, replace_atomically, write_json_atomically


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_an_exception_while_writing_leaves_the_old_file_and_no_temporary(tmp_path: Path):
    target = tmp_path / "out.jsonl"
    target.write_text('{"a": 1}\n', encoding="utf-8")
    with pytest.raises(RuntimeError), replace_atomically(target) as out:
        out.write(b'{"half":')
        raise RuntimeError("disk full")
    assert target.read_text(encoding="utf-8") == '{"a": 1}\n'
    assert list(tmp_path.iterdir()) == [target]


def test_a_new_file_gets_the_umask_and_a_replaced_one_keeps_its_mode(tmp_path: Path):
    old = os.umask(0o022)
    try:
        fresh = tmp_path / "fresh.json"
        write_json_atomically(fresh, {"x": 1})
        assert mode(fresh) == 0o644  # not mkstemp's 0600
        kept = tmp_path / "kept.json"
        kept.write_text("{}", encoding="utf-8")
        kept.chmod(0o664)
        write_json_atomically(kept, {"x": 2})
        assert mode(kept) == 0o664
    finally:
        os.umask(old)


def test_json_lines_are_read_and_blank_lines_skipped(tmp_path: Path):
    lines = tmp_path / "a.jsonl"
    lines.write_text('{"x": 1}\n\n{"x": 2}\n', encoding="utf-8")
    assert list(read_jsonl(lines)) == [{"x": 1}, {"x": 2}]
