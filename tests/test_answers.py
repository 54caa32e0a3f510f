"""What a user gets back for a question: cited answers, declines, and notices for non-questions."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.answers import Answer, AnswerEngine, AnswerPolicy, AnswerStatus, InputProblem
from bot.knowledge import KnowledgeBase

IN_SCOPE_QUESTIONS = [
    "What does the photo show?",
    "Where were the strikes?",
    "What did Trump say about taking a pass?",
    "Is Trump abandoning the peace talks?",
    "What did Rubio say in Paris?",
    "What deal does Trump expect to finalize next week?",
    "What happened to the deal in February?",
    "How did Zelenskyy's office describe the talks?",
    "Who did Rubio speak with after the Paris meeting?",
    "Can the security guarantee issue be fixed?",
    "When did Trump say the war would end?",
    "Who is the vice president?",
    "Is the outcome of the peace efforts clear?",
]


def curated_questions(knowledge: KnowledgeBase) -> set[str]:
    return {q for f in knowledge.facts for q in f.fact.questions}


@pytest.mark.parametrize("question", IN_SCOPE_QUESTIONS)
def test_every_citation_is_verbatim_from_the_cited_paragraph(
    engine: AnswerEngine, knowledge: KnowledgeBase, question: str
) -> None:
    answer = engine.answer(question)

    assert answer.status is AnswerStatus.ANSWERED, (question, answer.confidence)
    assert answer.answer
    assert 1 <= len(answer.citations) <= engine.policy.max_quotes
    for citation in answer.citations:
        source = knowledge.sources[citation.source]
        paragraph = source.article.paragraphs[citation.paragraph - 1]
        assert citation.quote in paragraph.text
        assert citation.section == paragraph.section
        assert citation.is_caption == paragraph.is_caption
        assert citation.source_label == source.meta.label
        fact = knowledge.fact(citation.fact_id)
        assert fact is not None
        assert citation.quote in fact.fact.quotes


@pytest.mark.parametrize(
    ("question", "paragraph", "section", "phrase"),
    [
        ("What does the photo show?", 1, None, "survival blanket"),
        ("What did Trump say about taking a pass?", 2, None, "“take a pass”"),
        (
            "What did Rubio say in Paris?",
            4,
            "Clock Ticking on Peace Efforts",
            "would not keep trying indefinitely",
        ),
        (
            "How did Zelenskyy's office describe the talks?",
            8,
            "High-Level Meetings in Paris Offer Hope",
            "“constructive and positive.”",
        ),
        (
            "Who did Rubio speak with after the Paris meeting?",
            9,
            "Russian Diplomacy Still in the Picture",
            "Sergei Lavrov",
        ),
        (
            "When did Trump say the war would end?",
            11,
            "Peace in Sight or a Fading Promise?",
            "within 24 hours of taking office",
        ),
    ],
)
def test_first_citation_says_where_the_quote_is(
    engine: AnswerEngine, question: str, paragraph: int, section: str | None, phrase: str
) -> None:
    first = engine.answer(question).citations[0]

    assert (first.paragraph, first.section) == (paragraph, section)
    assert phrase in first.quote


def test_photo_question_is_cited_as_the_caption(engine: AnswerEngine) -> None:
    first = engine.answer("What does the photo show?").citations[0]

    assert first.is_caption
    assert first.quote.endswith("(Getty Images)")


def test_answer_never_repeats_the_same_quote(engine: AnswerEngine) -> None:
    for question in IN_SCOPE_QUESTIONS:
        quotes = [(c.source, c.quote) for c in engine.answer(question).citations]
        assert len(quotes) == len(set(quotes)), question


@pytest.mark.parametrize(
    "question",
    [
        "What is the recipe for banana bread?",
        "How tall is Mount Everest?",
        "Who won the 1998 World Cup?",
        "Explain quantum entanglement to a child",
    ],
)
def test_far_out_of_scope_question_is_declined_with_at_most_three_suggestions(
    engine: AnswerEngine, knowledge: KnowledgeBase, question: str
) -> None:
    answer = engine.answer(question)

    assert answer.status is AnswerStatus.DECLINED
    assert not answer.answered
    assert answer.answer is None
    assert answer.citations == ()
    assert 1 <= len(answer.suggestions) <= 3
    assert len(set(answer.suggestions)) == len(answer.suggestions)
    assert set(answer.suggestions) <= curated_questions(knowledge)


def test_unsure_answer_asserts_nothing_and_offers_the_closest_question(
    knowledge: KnowledgeBase,
) -> None:
    # With the answer bar above any score, every related question lands in the unsure band.
    cautious = AnswerEngine(knowledge, AnswerPolicy(answer_threshold=100.1, suggest_threshold=1))

    answer = cautious.answer("What did Trump say about taking a pass?")

    assert answer.status is AnswerStatus.UNSURE
    assert (answer.answer, answer.citations) == (None, ())
    assert answer.did_you_mean in curated_questions(knowledge)
    assert answer.suggestions[0] == answer.did_you_mean
    assert "pass" in answer.did_you_mean.lower()


@pytest.mark.parametrize("question", ["", " ", "\n\t \r\n", "\u3000"])
def test_empty_or_blank_message_is_invalid_empty(engine: AnswerEngine, question: str) -> None:
    answer = engine.answer(question)

    assert answer.status is AnswerStatus.INVALID
    assert answer.input_problem is InputProblem.EMPTY
    assert not answer.answered


def test_100kb_message_is_invalid_too_long_and_not_echoed_whole(engine: AnswerEngine) -> None:
    question = "What did Trump say? " * 5_000

    answer = engine.answer(question)

    assert answer.status is AnswerStatus.INVALID
    assert answer.input_problem is InputProblem.TOO_LONG
    assert len(answer.question) <= 200


def test_message_at_the_length_limit_is_still_answered(engine: AnswerEngine) -> None:
    question = "What did Trump say about taking a pass?"
    padded = question + " " * (engine.policy.max_question_chars - len(question))

    assert engine.answer(padded).answered
    assert engine.answer(padded + "?").input_problem is InputProblem.TOO_LONG


@pytest.mark.parametrize(
    "question",
    [
        "?!?!... ---",
        "\x00\x01\x02\x03\x1b\x7f",
        "\ufffd\ufffd\ufffd",
        "🤔🤔🤔",
        "\u200b\u200c\u200d\u2060",
        "<>&;:/\\|[]{}",
    ],
)
def test_message_without_words_is_invalid_no_words(engine: AnswerEngine, question: str) -> None:
    answer = engine.answer(question)

    assert answer.status is AnswerStatus.INVALID
    assert answer.input_problem is InputProblem.NO_WORDS


def test_invalid_input_offers_example_questions(
    engine: AnswerEngine, knowledge: KnowledgeBase
) -> None:
    answer = engine.answer("   ")

    assert answer.suggestions
    assert set(answer.suggestions) <= curated_questions(knowledge)


@pytest.mark.parametrize(
    "question",
    [
        "Who is Rubio?\u200b",
        "Who\u200d is\u2060 Rubio?",
        "\u202eWho is Rubio?\u202c",
        "\u05de\u05d9 \u05d6\u05d4 Rubio?",  # Hebrew (RTL) words around a name
        "🤔 Who is Rubio? 🚀🇺🇦",
        "W\u0308h\u0301o\u0327 is Rubio",  # combining marks
        "𝕎𝕙𝕠 𝕚𝕤 ℝ𝕦𝕓𝕚𝕠",  # mathematical double-struck (astral plane)
        "\U0001f600" * 300,
        "\ud800 lone surrogate",
    ],
)
def test_odd_unicode_never_raises(engine: AnswerEngine, question: str) -> None:
    answer = engine.answer(question)

    assert isinstance(answer.status, AnswerStatus)


@pytest.mark.parametrize(
    "question", ["Who is Rubio?\u200b", "Who\u200d is\u2060 Rubio?", "𝕎𝕙𝕠 𝕚𝕤 ℝ𝕦𝕓𝕚𝕠"]
)
def test_invisible_characters_and_fancy_letters_do_not_change_the_answer(
    engine: AnswerEngine, question: str
) -> None:
    assert engine.answer(question).fact_ids == engine.answer("Who is Rubio?").fact_ids


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=1200))
def test_answer_never_raises_on_any_text(engine: AnswerEngine, text: str) -> None:
    answer = engine.answer(text)

    assert 0.0 <= answer.confidence <= 100.0
    assert answer.answered == bool(answer.citations)
    assert len(answer.suggestions) <= engine.policy.max_suggestions


def test_public_dict_is_the_json_contract(engine: AnswerEngine) -> None:
    answer = engine.answer("What did Trump say about taking a pass?")

    public = answer.to_public_dict()

    assert list(public) == [
        "question",
        "answered",
        "status",
        "confidence",
        "answer",
        "citations",
        "suggestions",
    ]
    assert public["answered"] is True
    assert public["status"] == "answered"
    assert [list(c) for c in public["citations"]] == [
        ["quote", "source", "paragraph", "section", "fact_id"]
    ] * len(answer.citations)
    assert public["citations"][0]["source"] == "peace-talks"


def test_fact_ids_follow_citation_order_without_repeats() -> None:
    def citation(fact_id: str, quote: str) -> dict[str, object]:
        return {
            "quote": quote,
            "source": "s",
            "source_label": "S",
            "paragraph": 1,
            "section": None,
            "is_caption": False,
            "fact_id": fact_id,
        }

    answer = Answer.model_validate(
        {
            "question": "q",
            "status": "answered",
            "confidence": 80.0,
            "answer": "a",
            "citations": [citation("b", "1"), citation("a", "2"), citation("b", "3")],
        }
    )

    assert answer.fact_ids == ("b", "a")


def test_topics_and_featured_questions_come_from_the_curated_facts(
    engine: AnswerEngine, knowledge: KnowledgeBase
) -> None:
    topics = engine.topics()

    assert set(topics) == {f.fact.topic for f in knowledge.facts}
    examples = [q for source in knowledge.sources.values() for q in source.meta.examples]
    assert engine.featured_questions() == examples[:3]
    assert all(engine.answer(question).answered for question in examples)


def test_paragraph_lookup_by_number(engine: AnswerEngine) -> None:
    paragraph = engine.paragraph("peace-talks", 1)

    assert paragraph is not None
    assert paragraph.is_caption
    assert engine.paragraph("peace-talks", 0) is None
    assert engine.paragraph("peace-talks", 14) is None
    assert engine.paragraph("no-such-source", 1) is None


def test_chatter_before_the_question_does_not_drown_it(engine: AnswerEngine) -> None:
    # Whole, the landlord and the rent outweigh the question (it lands in the unsure band).
    answer = engine.answer(
        "my landlord raised the rent again, unbelievable 😤 "
        "@citebot who took part in the Paris talks"
    )

    assert answer.status is AnswerStatus.ANSWERED
    assert "European leaders" in answer.citations[0].quote


def test_a_thin_last_part_does_not_replace_the_whole_message(engine: AnswerEngine) -> None:
    # Alone, "is it gonna work" is one content word that several facts share.
    whole = engine.answer("the ending of the article, tl;dr? is it gonna work")

    assert whole.answered
    assert "unclear whether diplomatic efforts will succeed" in whole.citations[0].quote


def test_the_quote_that_holds_the_answer_comes_first_not_the_one_sharing_its_verb(
    engine: AnswerEngine,
) -> None:
    # "suggested" is only how Trump put it; the answer to "as easy as…?" is the other quote.
    answer = engine.answer("Did ending the war prove as easy as Trump suggested?")

    assert answer.citations[0].quote == "But the reality has proven far more complex."
