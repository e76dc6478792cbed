"""The one settings check: mistyped names and values of the wrong kind are one clear line."""

from __future__ import annotations

import pytest
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings

from crawler.checks import SettingsError, check_settings


def given(**values: object) -> Settings:
    settings = get_project_settings()
    settings.setdict(values, priority="cmdline")
    return settings


def test_the_project_settings_as_they_are_pass():
    check_settings(get_project_settings())


@pytest.mark.parametrize(("name", "suggestion"), [
    ("DEDUP_COPY_TRESHOLD", "DEDUP_COPY_THRESHOLD"),
    ("ARTICLE_MIN_BODY_CHAR", "ARTICLE_MIN_BODY_CHARS"),
    ("CONCURENT_REQUESTS", "CONCURRENT_REQUESTS"),
])
def test_a_near_miss_names_the_setting_meant(name, suggestion):
    with pytest.raises(SettingsError, match=f"unknown setting {name}: did you mean {suggestion}"):
        check_settings(given(**{name: "1"}))


def test_an_unknown_name_with_a_project_prefix_is_an_error():
    with pytest.raises(SettingsError, match="unknown setting EXTRACT_EVERYTHING"):
        check_settings(given(EXTRACT_EVERYTHING="1"))


def test_an_unknown_name_of_a_users_own_component_is_only_a_warning(caplog):
    check_settings(given(MY_PIPELINE_BUCKET="s3://b"))
    assert "MY_PIPELINE_BUCKET" in caplog.text


@pytest.mark.parametrize(("name", "value", "kind"), [
    ("DEDUP_COPY_THRESHOLD", "abc", "a number"),
    ("EXTRACT_PROCESSES", "two", "a whole number"),
    ("DEDUP_RESET", "maybe", "true or false"),
    ("DOWNLOAD_DELAY", "soon", "a number"),
])
def test_a_value_of_the_wrong_kind_says_what_it_must_be(name, value, kind):
    with pytest.raises(SettingsError, match=f"{name}='{value}' must be {kind}"):
        check_settings(given(**{name: value}))


def test_scrapy_numbers_take_fractions_and_dedup_thresholds_their_range():
    check_settings(given(DOWNLOAD_DELAY="0.25"))
    with pytest.raises(SettingsError, match="copy_threshold must be in"):
        check_settings(given(DEDUP_COPY_THRESHOLD="1.5"))


def test_settings_from_defaults_and_add_ons_are_not_the_users_to_check():
    settings = Settings()
    settings.set("DEDUP_COPY_TRESHOLD", "1", priority="addon")
    check_settings(settings)


def test_a_former_name_says_what_the_setting_is_called_now():
    with pytest.raises(SettingsError, match="DEDUP_CRAWL_INDEX is now called DEDUP_INDEX"):
        check_settings(given(DEDUP_CRAWL_INDEX="x.npz"))
