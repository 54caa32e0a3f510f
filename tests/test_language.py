"""English word lists and patterns (``bot.language.english``) agree with each other.

Each list is written once; these tests hold the places where one list's meaning depends on
another's (a day must never speak, a title must keep a term, the date patterns must name exactly
the days and months the attribution knows).
"""

from __future__ import annotations

import re

from bot.attribution import REPORTING_VERB_STEMS
from bot.language import english
from bot.text import Analyzer, english_frequencies, stem

ENGLISH_WORDS = sorted(w for w in english_frequencies() if w.isalpha())


def test_every_wh_word_is_a_question_word() -> None:
    assert english.WH_WORDS <= english.QUESTION_WORDS


def test_a_question_is_no_small_talk() -> None:
    assert not english.SMALL_TALK.fullmatch("who is rubio")


def test_the_date_pattern_names_exactly_the_weekdays_and_relative_days() -> None:
    date = re.compile(english.DATE)

    named = {w for w in ENGLISH_WORDS if date.search(w)}

    assert named == set(english.WEEKDAYS) | set(english.RELATIVE_DAYS)
    assert all(date.search(f"on {month} 5") for month in english.MONTHS)


def test_the_month_pattern_names_exactly_the_months() -> None:
    month = re.compile(rf"\b{english.MONTH}\b")

    assert {w for w in ENGLISH_WORDS if month.search(w)} == set(english.MONTHS)


def test_days_months_and_titles_keep_a_term() -> None:
    # The attribution recognises them by their terms: a day or month that analysed to nothing
    # could speak ("Thursday's talks were described as…"), a title could be taken for a name.
    analyzer = Analyzer()

    assert all(analyzer.terms(word) for word in english.DATE_WORDS)
    assert all(analyzer.terms(word) for word in english.TITLES)


def test_only_a_title_that_stems_like_a_reporting_verb_never_stands_alone() -> None:
    # "Trump stated" is no "Secretary of State": the one title read as a reporting verb once
    # stemmed is left out of the titles that stand for a person.
    reads_as_reporting = {t for t in english.TITLES if stem(t) in REPORTING_VERB_STEMS}

    assert reads_as_reporting == english.TITLES - english.TITLE_REFERENCES == {"state"}


def test_a_pronoun_standing_for_a_speaker_is_never_a_name() -> None:
    assert english.SPEAKER_PRONOUNS <= english.STOPWORDS
