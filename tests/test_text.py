"""The normaliser: questions and curated text reduce to the same comparable terms."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.answers import AnswerEngine
from bot.text import (
    ENGLISH_CORRECTIONS_PER_QUESTION,
    Analyzer,
    clean,
    english_correction,
    question_parts,
    stem,
    tokens,
)

PROPERTIES = settings(max_examples=200, deadline=None)


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("Trump’s WARNING!", "trump warning"),
        ("What did the U.S. say?", "what did the us say"),
        ("Zel\u200benskyy\u200d", "zelenskyy"),
        ("\u202eKharkiv\u202c", "kharkiv"),
        ("ＴＲＵＭＰ", "trump"),
        ("@citebot hey https://example.com/x?y=1 what", "hey what"),
        ("www.example.org Rubio", "rubio"),
        ("lmaooo sooo 1000 deals", "lmao so 1000 deals"),  # elongation, never digits
        ("line one\nline\ttwo\u2028three", "line one line two three"),
        ("cafe\u0301", "café"),
        ("“quoted” — dashed…", "quoted dashed"),
        ("", ""),
    ],
)
def test_clean_examples(raw: str, cleaned: str) -> None:
    assert clean(raw) == cleaned


def test_tokens_split_on_underscores_and_keep_digits() -> None:
    assert tokens("snake_case 24 hours, 3.5%") == ["snake", "case", "24", "hours", "3", "5"]


@PROPERTIES
@given(st.text())
def test_clean_never_raises_and_is_idempotent(text: str) -> None:
    once = clean(text)

    assert clean(once) == once


@PROPERTIES
@given(st.text())
def test_cleaned_text_is_casefolded_words_separated_by_single_spaces(text: str) -> None:
    cleaned = clean(text)

    assert cleaned == cleaned.casefold()
    assert cleaned == " ".join(cleaned.split())
    # "_" survives clean() because it is a regex word character; tokens() splits on it.
    assert all(ch.isalnum() or ch in " _" for ch in cleaned), ascii(cleaned)
    assert not any(unicodedata.category(ch) == "Cf" for ch in cleaned)


@PROPERTIES
@given(st.text())
def test_tokens_are_letters_and_digits_only(text: str) -> None:
    for token in tokens(text):
        assert token
        assert all(ch.isalnum() for ch in token), ascii(token)


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    analyzer = Analyzer(
        alias_groups=[["kharkiv", "kharkov", "charkiv"], ["united states", "U.S.", "america"]],
        noise=["lol", "quick q"],
        extra_stopwords=["apparently"],
    )
    analyzer.set_vocabulary(["trump", "rubio", "mediation", "positive", "happened", "kharkiv"])
    return analyzer


def test_aliases_map_to_the_first_entry_of_their_group(analyzer: Analyzer) -> None:
    assert analyzer.terms("strikes in Kharkov") == analyzer.terms("strikes in Kharkiv")
    assert analyzer.terms("America") == analyzer.terms("the U.S.") == ["unit_state"]


def test_raw_terms_keep_the_askers_own_words(analyzer: Analyzer) -> None:
    terms, raw_terms = analyzer.analyse("Kharkov")

    assert (terms, raw_terms) == (["kharkiv"], ["kharkov"])


def test_chat_noise_and_stopwords_are_dropped(analyzer: Analyzer) -> None:
    assert analyzer.terms("lol quick q: what did Rubio apparently say?") == [stem("rubio")]


def test_how_many_and_how_much_ask_a_question_word_not_a_term(analyzer: Analyzer) -> None:
    # "many" would otherwise weigh as a rare word that only curated questions use
    assert analyzer.terms("how many days is rubio giving them") == analyzer.terms(
        "days is rubio giving them"
    )
    assert analyzer.terms("How much time is left?") == analyzer.terms("time is left")


def test_even_only_stresses(analyzer: Analyzer) -> None:
    # "who was even at the meeting" must not lean towards "if this is even doable"
    assert analyzer.terms("who was even at the Paris meeting") == analyzer.terms(
        "who was at the Paris meeting"
    )


def test_typos_are_corrected_towards_knowledge_words_only_when_asked(analyzer: Analyzer) -> None:
    assert analyzer.terms("trmp mediaton", correct_typos=True) == analyzer.terms(
        "trump mediation"
    )
    assert analyzer.terms("trmp") == ["trmp"]


def test_real_english_words_are_not_corrected_into_article_words(analyzer: Analyzer) -> None:
    # "positively" is two edits from the article word "positive", but it is English, not a typo.
    assert analyzer.terms("positively", correct_typos=True) == [stem("positively")]


def test_misspelt_english_words_are_corrected_to_english(analyzer: Analyzer) -> None:
    # Not within reach of a knowledge word, but "happened" is; its stem is what the facts hold.
    assert english_correction("happnd") == "happened"
    assert analyzer.terms("happnd", correct_typos=True) == [stem("happened")]


def test_a_word_cut_short_is_completed_rather_than_changed() -> None:
    analyzer = Analyzer()
    analyzer.set_vocabulary(["when", "where", "trump"])

    # "wher" is one edit from both; a typo that stops short is the likelier one.
    assert analyzer.terms("wher", correct_typos=True) == ["where"]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        # two letters swapped are one slip, not two edits
        ("lavrvo", "lavrov"),
        ("phoot", "photo"),
        # a letter left out rather than one too many
        ("movment", "movement"),
        ("selved", "shelved"),
        # the first letter is rarely the wrong one
        ("vence", "vance"),
    ],
)
def test_typos_are_corrected_as_typing_slips(typed: str, meant: str) -> None:
    analyzer = Analyzer()
    analyzer.set_vocabulary(
        ["lavrov", "photo", "moment", "movement", "solved", "shelved", "fence", "vance"]
    )

    assert analyzer.terms(typed, correct_typos=True) == [stem(meant)]


def test_english_typos_are_corrected_as_typing_slips() -> None:
    assert english_correction("gvien") == "given"


def test_a_stopword_with_two_letters_swapped_is_the_stopword() -> None:
    analyzer = Analyzer()
    analyzer.set_vocabulary(["photo", "taken"])

    assert analyzer.terms("where was teh photo taken", correct_typos=True) == analyzer.terms(
        "where was the photo taken"
    )
    # an English word stays itself: "won" is no "own"
    assert analyzer.terms("who won the vote", correct_typos=True) == ["who", "won", "vote"]


def test_a_three_letter_chat_contraction_is_expanded_only_when_unambiguous() -> None:
    analyzer = Analyzer()
    analyzer.set_vocabulary(["talk", "tale", "deal", "dial"])

    assert analyzer.terms("tlk", correct_typos=True) == ["talk"]  # only "talk" is one letter more
    assert analyzer.terms("dal", correct_typos=True) == ["dal"]  # "deal" or "dial"? neither
    assert analyzer.terms("tea", correct_typos=True) == ["tea"]  # an English word stays


def test_contractions_are_stopwords_not_typos(analyzer: Analyzer) -> None:
    # "didn’t" is cleaned to "didnt", which must not be "corrected" into a rare word ("didst").
    assert analyzer.terms("Didn’t they? Isn't it? Can't he?", correct_typos=True) == []


def test_names_english_knows_are_not_corrected() -> None:
    assert english_correction("putin") is None


def test_only_a_few_words_of_a_question_are_tried_against_english(analyzer: Analyzer) -> None:
    typos = ["supossed", "negotiatons", "agreemnt", "happnd", "positve"]

    corrected = analyzer.analyse(" ".join(typos), correct_typos=True)[1]

    # "positve" is a knowledge typo (corrected always); of the others only the first few are.
    assert corrected[:ENGLISH_CORRECTIONS_PER_QUESTION] == [
        stem(w) for w in ("supposed", "negotiations", "agreement")
    ]
    assert corrected[ENGLISH_CORRECTIONS_PER_QUESTION:] == [stem("happnd"), stem("positive")]


def test_engine_analyzer_corrects_chat_typos_to_article_words(engine: AnswerEngine) -> None:
    analyzer = engine.retriever.analyzer

    assert analyzer.terms("wat did trmp say abt taking a pass", correct_typos=True) == (
        analyzer.terms("what did trump say about taking a pass")
    )


@PROPERTIES
@given(st.text(max_size=300))
def test_engine_analyzer_never_raises_and_drops_single_characters(
    engine: AnswerEngine, text: str
) -> None:
    analyzer = engine.retriever.analyzer

    for terms in analyzer.analyse(text, correct_typos=True):
        assert all(len(term) > 1 for term in terms)


@pytest.mark.parametrize(
    ("message", "questions"),
    [
        ("it was a turning point 👀 @citebot who was actually there", ["who was actually there"]),
        ("guys guys. focus. what did they tell lavrov", ["what did they tell lavrov"]),
        ("that photo 😔 — where was it taken?", ["where was it taken"]),
        (
            "Sarah: what did Rubio and Lavrov discuss? Tom: probably nothing useful. Bot?",
            ["what did Rubio and Lavrov discuss"],
        ),
        ("haha wild. seriously tho, how did ukraine react?", ["how did ukraine react"]),
        ("What did the U.S. say?", []),  # one part: the dots of "U.S." end no sentence
        ("my uncle says yes. so what", []),  # no part is a question of two words or more
        ("Who met in Paris?", []),
    ],
)
def test_the_questions_inside_a_chat_message(message: str, questions: list[str]) -> None:
    assert question_parts(message) == questions


@pytest.mark.parametrize(
    ("message", "questions"),
    [
        # a filler lead-in before a comma: the question starts after it…
        ("Anna: no way. Bot, is Trump quitting the talks?", ["is Trump quitting the talks"]),
        # …a subject before the comma is part of the question
        ("ok. Zelenskyy, did he attend the meeting?", []),
        ("ok. Zelenskyy, who did he meet?", ["who did he meet"]),
        # …and so is a longer clause
        (
            "lol. Which minerals, like lithium, are covered?",
            ["Which minerals like lithium are covered"],
        ),
    ],
)
def test_a_filler_lead_in_before_a_comma_is_no_part_of_the_question(
    message: str, questions: list[str]
) -> None:
    assert question_parts(message, is_filler=lambda text: text.lower() == "bot") == questions


def test_a_long_run_of_dots_ends_no_question() -> None:
    assert question_parts("." * 4095 + "x") == []


def test_a_long_word_as_a_lead_in_is_read_once() -> None:
    # one pass over the word, not one per way of cutting it into three (that never ends)
    assert question_parts("x. " + "a" * 100_000 + ", is it?", is_filler=bool) == ["is it"]
    assert question_parts("x. " + "a" * 100_000 + " is it?") == []
