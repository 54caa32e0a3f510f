"""Plain-text and Telegram HTML replies: readable, escaped, and always within Telegram's limit."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import messages
from bot.answers import Answer, AnswerEngine, AnswerStatus, Citation, InputProblem
from bot.render import (
    TELEGRAM_MESSAGE_LIMIT,
    escape_within,
    quoted,
    render_paragraph_html,
    render_plain,
    render_telegram_html,
)

HOSTILE = "<b>&amp;</script> <a href='x'>&lt;tag&gt;</a> & && <i>"
ALLOWED_TAGS = {"b", "i", "blockquote"}


def citation(
    quote: str = "“It’s coming to a head right now,” Trump stated.",
    *,
    label: str = "News article",
    paragraph: int = 3,
    section: str | None = "Clock Ticking",
    is_caption: bool = False,
    fact_id: str = "f1",
) -> Citation:
    return Citation(
        quote=quote,
        source="peace-talks",
        source_label=label,
        paragraph=paragraph,
        section=section,
        is_caption=is_caption,
        fact_id=fact_id,
    )


def answered(answer: str = "Trump said talks are coming to a head.", *cites: Citation) -> Answer:
    return Answer(
        question="q",
        status=AnswerStatus.ANSWERED,
        confidence=87.4,
        answer=answer,
        citations=cites or (citation(),),
    )


def declined(*suggestions: str, status: AnswerStatus = AnswerStatus.DECLINED) -> Answer:
    return Answer(
        question="q",
        status=status,
        confidence=20.0,
        answer=None,
        suggestions=suggestions,
        did_you_mean=suggestions[0] if status is AnswerStatus.UNSURE and suggestions else None,
    )


class TelegramHtml(HTMLParser):
    """Collects what Telegram would parse: tags in order, text, and whether nesting is sound."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.open: list[str] = []
        self.text = ""
        self.balanced = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.balanced &= not attrs
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        self.balanced &= bool(self.open) and self.open.pop() == tag

    def handle_data(self, data: str) -> None:
        self.text += data


def parse_telegram_html(html: str) -> TelegramHtml:
    parser = TelegramHtml()
    parser.feed(html)
    parser.close()
    assert parser.balanced, html
    assert not parser.open, html
    assert set(parser.tags) <= ALLOWED_TAGS, parser.tags
    # Only the three entities escape() produces; a cut one ("&am") would be left as raw text.
    for chunk in html.split("&")[1:]:
        assert chunk.startswith(("amp;", "lt;", "gt;")), html
    return parser


# --- plain text ----------------------------------------------------------------------------------


def test_plain_answer_lists_numbered_quotes_then_where_each_is_from() -> None:
    answer = answered(
        "Trump hinted at pulling back.",
        citation("First quote.", paragraph=2, section=None),
        citation("Second quote.", paragraph=1, section=None, is_caption=True, label="Label B"),
    )

    text = render_plain(answer)

    assert text.splitlines() == [
        "Trump hinted at pulling back.",
        "",
        "  “First quote.” [1]",
        "  “Second quote.” [2]",
        "",
        "[1] News article, paragraph 2",
        "[2] Label B, paragraph 1 (photo caption)",
        "(confidence 87/100)",
    ]


def test_plain_answer_names_the_section_and_can_hide_confidence() -> None:
    text = render_plain(answered(), show_confidence=False)

    assert "[1] News article, paragraph 3, section “Clock Ticking”" in text
    assert "confidence" not in text


def test_plain_decline_offers_the_suggestions() -> None:
    text = render_plain(declined("What does the photo show?", "Who is Rubio?"))

    assert text.splitlines() == [
        messages.DECLINE,
        messages.DECLINE_SUGGESTIONS_INTRO,
        "  • What does the photo show?",
        "  • Who is Rubio?",
    ]


def test_plain_unsure_asks_did_you_mean_and_does_not_repeat_it() -> None:
    text = render_plain(
        declined("Who is Rubio?", "Who is Lavrov?", status=AnswerStatus.UNSURE)
    )

    assert text.splitlines() == [
        messages.UNSURE,
        messages.DID_YOU_MEAN.format(question="Who is Rubio?"),
        messages.OTHER_SUGGESTIONS_INTRO,
        "  • Who is Lavrov?",
    ]


@pytest.mark.parametrize(
    ("problem", "expected"),
    [
        (InputProblem.EMPTY, messages.EMPTY_QUESTION),
        (InputProblem.NO_WORDS, messages.NO_WORDS),
        (InputProblem.TOO_LONG, messages.TOO_LONG.format(limit=500)),
    ],
)
def test_invalid_input_gets_its_notice(problem: InputProblem, expected: str) -> None:
    answer = Answer(
        question="",
        status=AnswerStatus.INVALID,
        confidence=0.0,
        answer=None,
        input_problem=problem,
    )

    assert render_plain(answer, max_question_chars=500) == expected
    assert render_telegram_html(answer, max_question_chars=500) == expected


def test_plain_rendering_of_a_real_answer_quotes_the_article(engine: AnswerEngine) -> None:
    answer = engine.answer("What did Trump say about taking a pass?")

    text = render_plain(answer)

    assert f"“{answer.citations[0].quote}” [1]" in text
    assert "[1] News article on US-mediated Russia–Ukraine peace efforts, paragraph 2" in text


# --- Telegram HTML -------------------------------------------------------------------------------


def test_telegram_answer_is_bold_with_each_quote_in_a_blockquote() -> None:
    html = render_telegram_html(answered())

    assert html == (
        "<b>Trump said talks are coming to a head.</b>\n\n"
        "<blockquote>“It’s coming to a head right now,” Trump stated.</blockquote>\n"
        "<i>[1] News article, paragraph 3, section “Clock Ticking”</i>"
    )


def test_html_looking_text_is_shown_literally_not_interpreted() -> None:
    answer = answered(HOSTILE, citation(HOSTILE, label=HOSTILE, section=HOSTILE))

    html = render_telegram_html(answer)

    parsed = parse_telegram_html(html)
    assert parsed.tags == ["b", "blockquote", "i"]
    assert parsed.text.count(HOSTILE) == 4  # answer, quote, label and section, each verbatim
    assert "&amp;amp;" in html


def test_html_in_suggestions_is_escaped() -> None:
    html = render_telegram_html(declined(HOSTILE, "Why <3 & not?", status=AnswerStatus.UNSURE))

    parsed = parse_telegram_html(html)
    assert parsed.tags == ["b"]
    assert HOSTILE in parsed.text
    assert "Why <3 & not?" in parsed.text


def test_invalid_notice_is_escaped_plain_text() -> None:
    answer = Answer(
        question="<b>",
        status=AnswerStatus.INVALID,
        confidence=0.0,
        answer=None,
        input_problem=InputProblem.NO_WORDS,
    )

    assert parse_telegram_html(render_telegram_html(answer)).tags == []


def test_absurdly_long_answer_still_fits_one_message_and_keeps_the_first_quote() -> None:
    answer = answered(
        "&" * 10_000,
        citation("<" * 5_000, fact_id="a"),
        citation("quote two " * 500, fact_id="b"),
        citation("quote three " * 500, fact_id="c"),
    )

    html = render_telegram_html(answer)

    assert len(html) <= TELEGRAM_MESSAGE_LIMIT
    parsed = parse_telegram_html(html)
    assert parsed.tags[:3] == ["b", "blockquote", "i"]


def test_quotes_that_do_not_fit_are_dropped_whole() -> None:
    quotes = [citation(f"Quote number {n}. " + "x" * 990, fact_id=f"f{n}") for n in range(1, 6)]

    html = render_telegram_html(answered("Short answer.", *quotes))

    assert len(html) <= TELEGRAM_MESSAGE_LIMIT
    kept = parse_telegram_html(html).tags.count("blockquote")
    assert 1 <= kept < 5
    assert all(f"Quote number {n}." in html for n in range(1, kept + 1))
    assert f"[{kept}]" in html
    assert f"[{kept + 1}]" not in html


def test_cutting_escaped_text_never_splits_an_entity() -> None:
    for limit in range(5, 60):
        cut = escape_within("a&b<c>d" * 20, limit)
        assert len(cut) <= limit
        parse_telegram_html(cut)


def test_quote_cut_to_fit_telegram_is_marked_as_cut() -> None:
    long_quote = "Rubio said the sides must show they are close enough to make progress. " * 30

    html = render_telegram_html(answered("Short answer.", citation(long_quote)))

    quote_shown = html.split("<blockquote>")[1].split("</blockquote>")[0]
    assert quote_shown.endswith(messages.TRUNCATED)


def test_decline_with_many_suggestions_fits_one_message() -> None:
    answer = declined(*(f"Suggested question number {n} about the talks?" for n in range(150)))

    assert len(render_telegram_html(answer)) <= TELEGRAM_MESSAGE_LIMIT


def test_paragraph_view_is_escaped_and_fits(engine: AnswerEngine) -> None:
    html = render_paragraph_html(HOSTILE * 1000, heading=HOSTILE)

    assert len(html) <= TELEGRAM_MESSAGE_LIMIT
    assert parse_telegram_html(html).tags == ["b", "blockquote"]


texts = st.text(min_size=0, max_size=6000)
long_texts = st.one_of(texts, st.sampled_from(["&" * 5000, "<>" * 3000, HOSTILE * 200]))
citations = st.builds(
    citation,
    long_texts,
    label=long_texts,
    paragraph=st.integers(min_value=1, max_value=10**6),
    section=st.none() | long_texts,
    is_caption=st.booleans(),
)


@settings(max_examples=150, deadline=None)
@given(answer=long_texts, cites=st.lists(citations, min_size=1, max_size=4))
def test_any_answer_renders_within_the_limit_as_well_formed_html(
    answer: str, cites: list[Citation]
) -> None:
    html = render_telegram_html(answered(answer, *cites))

    assert len(html) <= TELEGRAM_MESSAGE_LIMIT
    parse_telegram_html(html)


@settings(max_examples=150, deadline=None)
@given(
    suggestions=st.lists(long_texts, max_size=3),
    status=st.sampled_from([AnswerStatus.DECLINED, AnswerStatus.UNSURE]),
)
def test_any_decline_renders_within_the_limit_as_well_formed_html(
    suggestions: list[str], status: AnswerStatus
) -> None:
    html = render_telegram_html(declined(*suggestions, status=status))

    assert len(html) <= TELEGRAM_MESSAGE_LIMIT
    parse_telegram_html(html)


def test_a_quoted_heading_is_cited_as_a_heading_not_as_paragraph_text(
    engine: AnswerEngine,
) -> None:
    answer = engine.answer("What is the heading of the last section?")

    citation = answer.citations[0]
    assert citation.is_heading
    assert citation.quote == "Peace in Sight or a Fading Promise?"
    assert "heading of the section “Peace in Sight or a Fading Promise?”" in render_plain(answer)
    assert "heading of the section" in render_telegram_html(answer)


@pytest.mark.parametrize(
    ("quote", "shown"),
    [
        ("Rubio emphasized the urgency.", "“Rubio emphasized the urgency.”"),
        ("“He’s put a lot of time and energy into this,” Rubio said.",
         "“He’s put a lot of time and energy into this,” Rubio said."),
        ("Rubio said it is “coming to a head”", "Rubio said it is “coming to a head”"),
    ],
)
def test_quotes_are_marked_once_even_when_they_open_with_the_articles_marks(
    quote: str, shown: str
) -> None:
    assert quoted(quote) == shown
