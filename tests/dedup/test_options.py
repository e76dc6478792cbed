import pytest

from crawler.dedup import DedupOptions, Document, parse_published


@pytest.mark.parametrize(
    "bad",
    [{"copy_threshold": 1.5}, {"event_threshold": -0.1}, {"copy_num_perm": 1},
     {"event_bands": 65}, {"workers": 0}, {"event_window_days": -1}],
)
def test_options_reject_bad_values(bad):
    with pytest.raises(ValueError):
        DedupOptions(**bad)


def test_options_from_settings():
    settings = {"DEDUP_EVENT_THRESHOLD": "0.5", "DEDUP_COPY_NUM_PERM": "32", "OTHER": 1}

    class Settings:
        def __contains__(self, name: object) -> bool:
            return name in settings

        def get(self, name: str, default: object = None) -> object:
            return settings.get(name, default)

        def getint(self, name: str, default: int = 0) -> int:
            return int(str(settings.get(name, default)))

        def getfloat(self, name: str, default: float = 0.0) -> float:
            return float(str(settings.get(name, default)))

    options = DedupOptions.from_settings(Settings())
    assert options.event_threshold == 0.5
    assert options.copy_num_perm == 32
    assert options.copy_threshold == DedupOptions().copy_threshold


def test_document_from_record():
    doc = Document.from_record({"url": "u", "title": None, "body": "b",
                                "published": "2025-02-13T05:47:00+07:00",
                                "site": "jakarta365.net", "source": "tribunnews.com"})
    assert (doc.key, doc.title, doc.original) == ("u", "", False)
    assert doc.published == parse_published("2025-02-12T22:47:00Z")
    assert parse_published("2025-02-12T22:47:00") == doc.published  # naive means UTC
    assert parse_published("yesterday") is None
    with pytest.raises(ValueError):
        Document.from_record({"url": "u"})
    with pytest.raises(ValueError):
        Document.from_record({"body": "b"})
