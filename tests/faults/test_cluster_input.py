"""Generated input for `scrapy cluster` (its work, `cluster_jsonl`): any mix of good records,
records with fields of the wrong kind, lone surrogates, a byte order mark, lines that are no
JSON. Every line is either clustered or listed as skipped with its number; no record is lost or
doubled; nothing else is raised."""

from __future__ import annotations

import codecs
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.dedup.jsonl import NoRecords, cluster_jsonl

WORDS = st.sampled_from(["banjir", "Jakarta", "presiden", "Trump", "Putin", "2025", "tarif",
                         "32", "persen", "\ud800", "\U0001f600", "\u202e", "<script>", "\x00"])
TEXT = st.lists(WORDS, min_size=0, max_size=30).map(" ".join)
GOOD = st.fixed_dictionaries(
    {"url": st.integers(0, 40).map(lambda n: f"https://contoh.example/{n}"), "body": TEXT},
    optional={"title": TEXT | st.lists(TEXT, max_size=2) | st.none(),
              "published": st.sampled_from(["2025-02-13T08:00:00+07:00", "kemarin", "", "2025"])
              | st.integers(), "site": TEXT, "source": TEXT})
BAD = st.one_of(
    # no url, or an empty one (an integer is a usable id)
    st.fixed_dictionaries({"url": st.none() | st.just(""), "body": TEXT}),
    st.fixed_dictionaries({"url": st.just("https://contoh.example/x"),
                           "body": st.none() | st.integers() | st.lists(TEXT, max_size=2)}),
    st.lists(TEXT, max_size=3), st.integers(), st.none(),
)
LINE = st.one_of(GOOD.map(lambda r: ("good", r)), BAD.map(lambda r: ("bad", r)),
                 st.sampled_from(['{"url": "https://contoh.example/cut", "bo', "not json",
                                  "\ufeff", "[1, 2", "{}"]).map(lambda t: ("raw", t)))


def encode(kind: str, value: object) -> str:
    # json.dumps escapes lone surrogates as \\ud800: valid JSON text, read back as text.
    return value if kind == "raw" else json.dumps(value)  # type: ignore[return-value]


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(LINE, max_size=25), bom=st.booleans(), blank=st.booleans())
def test_every_line_is_clustered_or_listed_as_skipped(lines, bom, blank):
    text = "\n".join(encode(kind, value) for kind, value in lines) + ("\n\n" if blank else "\n")
    with tempfile.TemporaryDirectory() as folder:
        src, dst = Path(folder) / "in.jsonl", Path(folder) / "out.jsonl"
        src.write_bytes((codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8", "surrogatepass"))
        try:
            report = cluster_jsonl(src, dst)
        except NoRecords as exc:
            assert not any(kind == "good" for kind, _ in lines)
            assert "holds no article records" in str(exc)
            assert not dst.exists()
            return
        written = [json.loads(line) for line in dst.read_text(encoding="utf-8").splitlines()]
    good = [n for n, (kind, _) in enumerate(lines, start=1) if kind == "good"]
    skipped = [number for number, _ in report.skipped]
    assert len(written) == report.records == len(good)
    assert set(skipped).isdisjoint(good)
    # every line but the blank ones (a byte order mark is only taken off the first line)
    nonblank = [n for n, (kind, value) in enumerate(lines, start=1)
                if not (kind == "raw" and not str(value).strip())
                and not (n == 1 and not bom and str(value) == "\ufeff")]
    assert sorted([*skipped, *good]) == nonblank
    assert all(row["copy_cluster"] and row["event_cluster"] for row in written)
    assert [row["url"] for row in written] == [lines[n - 1][1]["url"] for n in good]
