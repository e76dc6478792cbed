"""Options for near-duplicate clustering: one frozen dataclass, checked at construction."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Protocol


class SettingsLike(Protocol):
    """What `DedupOptions.from_settings` needs of Scrapy's `Settings` (no Scrapy import here)."""

    def __contains__(self, name: object) -> bool: ...
    def getint(self, name: str, default: int = 0) -> int: ...
    def getfloat(self, name: str, default: float = 0.0) -> float: ...
    def get(self, name: str, default: object = None) -> object: ...

DEFAULT_DROP_LINE_PATTERN = (
    r"^\s*(?:baca\s+juga|lihat\s+juga|simak\s+juga|read\s+more|also\s+read|tag\s*:|tags\s*:"
    r"|sumber\s*:|editor\s*:|penulis\s*:|!\[)"
)
"""Lines matching this (case-insensitive) are aggregator furniture, not article text; they are
left out of the copy shingles so that a republication with links and icons added still matches."""


@dataclass(frozen=True)
class DedupOptions:
    """Thresholds and feature choices for both clustering levels.

    The defaults were tuned on the tuning parts of `benchmarks/clusters.py quality` (ECB+ odd
    topics, the SemEval tuning pairs, the fixture corpus) and checked on the held-out ones; the
    Scrapy settings `DEDUP_*` map one to one onto these fields.
    """

    seed: int = 1
    """Seed of the MinHash permutations (datasketch's `seed`); fixed so ids are stable."""

    copy_num_perm: int = 128
    """Permutations of the copy-level MinHash (uint32 each: 512 bytes per article). With 64 the
    estimates scatter by +-0.06, and about 1 in 12 copies with a cut ending and 3% of words
    edited were missed at the containment rule."""

    shingle_size: int = 5
    """Words per shingle at the copy level."""

    copy_lsh_threshold: float = 0.3
    """Jaccard threshold datasketch's LSH parameter optimiser tunes the copy bands for."""

    copy_threshold: float = 0.6
    """Estimated shingle Jaccard at or above which two articles are copies."""

    copy_containment: float = 0.7
    """Estimated containment of the shorter article in the longer at or above which they are
    copies (a shortened ending), provided the Jaccard is at least `copy_min_jaccard`."""

    copy_min_jaccard: float = 0.3
    """Floor on the Jaccard for the containment rule, so a short text is not a copy of every
    long text that happens to quote it."""

    drop_line_pattern: str = DEFAULT_DROP_LINE_PATTERN
    """Regular expression (multiline, case-insensitive) for lines left out of copy shingles."""

    event_num_perm: int = 64
    """Permutations of the event-level MinHash over each article's salient features."""

    event_salient: int = 24
    """How many of an article's highest-weighted features go into its event MinHash."""

    event_bands: int = 64
    """LSH bands over the event MinHash. With one row per band two articles are candidates when
    any permutation picks the same salient feature for both, which is the recall this level
    needs (same-event articles share only a few of their salient features; datasketch's
    optimiser, asked for Jaccard 0.1, would use 15 of 64 permutations)."""

    event_rows: int = 1
    """Rows per event LSH band."""

    event_min_bands: int = 1
    """Bands two articles must share to be event candidates: 2 or more drops the pairs that
    have just one salient feature in common, which on a large corpus are mostly chance."""

    event_candidates: int = 32
    """Event candidates kept per article (those sharing the most LSH bands with it): bounds the
    similarity work on a large corpus, where rare words are shared by chance."""

    event_similarity_features: int = 64
    """Heaviest features per article that enter the exact similarity; the tail of rarely shared
    words costs time and barely moves a cosine."""

    event_tf_power: float = 0.5
    """Term frequency enters the feature weight as tf ** this (dampens repeated words)."""

    event_idf_power: float = 1.0
    """Inverse document frequency enters the weight as idf ** this (favours rare features)."""

    event_name_weight: float = 2.0
    """Weight multiplier of name-like tokens (capitalised, not sentence-initial)."""

    event_number_weight: float = 3.0
    """Weight multiplier of tokens with digits (years, counts, dates)."""

    event_min_df: int = 2
    """Features in fewer documents than this are ignored: they cannot link two articles."""

    event_max_features: int = 128
    """Features kept per article in the index (names and numbers first, then frequent words),
    which bounds the index at about 800 bytes of features per article (ECB+ B-cubed F1 is the
    same at 128 as at 200; every stored feature costs time in each clustering)."""

    event_lead_tokens: int = 60
    """Tokens at the start of an article (its title, then its body) that count twice in its
    event features: the lead says what the story is, the end of a page gathers the outlet's
    furniture. 0 counts every token once."""

    event_neighbours: int = 8
    """Neighbours whose mean similarity scales a document's similarities (local scaling)."""

    event_scale_floor: float = 0.5
    """Lower bound on that mean, so an article with only weak neighbours is not pulled in."""

    event_min_similarity: float = 0.0
    """Raw similarity below which a pair counts as absent, however high its scaled similarity:
    two articles that have nothing closer are not for that alike."""

    event_lead_weight: float = 0.35
    """Share of the lead's cosine in a pair's raw similarity, `(1 - w) * full cosine + w * lead
    cosine` (`rules.raw_similarity`). The lead vector holds the features of the article's
    first `event_lead_tokens` tokens alone, their rarity counted among the leads. Two articles
    of one event say it in their leads, while two stories of one actor share the actor all
    through: on the tuning parts (with `event_threshold` 0.475) ECB+ odd topics 0.927 ->
    0.936, SemEval monolingual 0.824 -> 0.823, German-English and the fixtures unchanged.
    0 compares the full vectors alone (and skips the lead vectors' work)."""

    event_threshold: float = 0.475
    """Average-link stopping point on scaled similarity: clusters merge while the mean scaled
    similarity between them is at least this. 0.475 with the lead mixed in (0.5 without it):
    the middle of the range 0.45-0.4875 where the tuning parts stay within ECB+ odd
    0.935-0.938 and SemEval monolingual 0.823-0.824; at 0.45 the same-day story of other
    officials joins the seed event (`tests/dedup/test_events.py`)."""

    event_window_days: float = 3.0
    """Two articles whose publication dates are both known and further apart than this never
    share an event. 0 disables the window."""

    max_bucket: int = 64
    """LSH buckets with more members than this are linked as a star (first member to each)
    rather than all pairs, which bounds the work on boilerplate-heavy buckets."""

    event_max_bucket: int = 16
    """`max_bucket` for the event LSH, smaller: a salient feature shared by many articles is
    linked as a star, which keeps the candidate count linear in the corpus."""

    workers: int = 2
    """Processes for the signature step of a bulk add (1: in process)."""

    def __post_init__(self) -> None:
        for name in ("copy_lsh_threshold", "copy_threshold", "copy_containment",
                     "copy_min_jaccard", "event_threshold", "event_min_similarity",
                     "event_scale_floor", "event_lead_weight"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {value!r}")
        for name in ("copy_num_perm", "event_num_perm"):
            if getattr(self, name) < 2:
                raise ValueError(f"{name} must be at least 2")
        if self.event_bands * self.event_rows > self.event_num_perm:
            raise ValueError("event_bands * event_rows must not exceed event_num_perm")
        if self.event_min_bands > self.event_bands:
            raise ValueError("event_min_bands must not exceed event_bands")
        for name in ("event_bands", "event_rows", "event_min_bands", "event_candidates",
                     "event_similarity_features", "event_max_bucket", "shingle_size",
                     "event_salient", "event_neighbours", "event_max_features", "event_min_df",
                     "max_bucket", "workers"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.event_lead_tokens < 0:
            raise ValueError("event_lead_tokens must not be negative")
        if self.event_lead_weight > 0 and self.event_lead_tokens == 0:
            raise ValueError("event_lead_weight needs a lead: set event_lead_tokens above 0 "
                             "or event_lead_weight to 0")
        if self.event_window_days < 0:
            raise ValueError("event_window_days must not be negative")

    @classmethod
    def from_settings(cls, settings: SettingsLike) -> DedupOptions:
        """Options from the `DEDUP_<FIELD>` settings (for example `DEDUP_EVENT_THRESHOLD`),
        each defaulting to the field's default; read once, by a command or pipeline."""
        values: dict[str, object] = {}
        for f in fields(cls):
            name = f"DEDUP_{f.name.upper()}"
            if name not in settings or settings.get(name) is None:
                continue
            if f.type in ("int", int):
                values[f.name] = settings.getint(name)
            elif f.type in ("float", float):
                values[f.name] = settings.getfloat(name)
            else:
                values[f.name] = str(settings.get(name))
        return cls(**values)  # type: ignore[arg-type]

    def signature_params(self) -> tuple[int, int, int]:
        """What a stored signature depends on; an index saved under other values is refused."""
        return (self.seed, self.copy_num_perm, self.shingle_size)
