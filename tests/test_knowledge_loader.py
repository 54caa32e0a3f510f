"""A curator's mistakes in knowledge/ are refused with a message naming file, fact and field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot import knowledge as knowledge_module
from bot.knowledge import KnowledgeError, Problem, load_knowledge
from tests.support import (
    KNOWLEDGE_DIR,
    dump_yaml,
    fact,
    harbor_facts,
    write_knowledge,
    write_source,
)

FACTS_FILE = "knowledge/sources/harbor/facts.yaml"
SOURCE_FILE = "knowledge/sources/harbor/source.yaml"
ARTICLE_FILE = "knowledge/sources/harbor/article.txt"


def problems_of(directory: Path) -> list[Problem]:
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(directory)
    # The exception text is what the CLI prints: every problem, one per line.
    assert str(info.value).splitlines() == [str(p) for p in info.value.problems]
    return info.value.problems


def only_problem(directory: Path) -> Problem:
    problems = problems_of(directory)
    assert len(problems) == 1, problems
    return problems[0]


def test_valid_knowledge_dir_loads_every_fact_with_its_quote_located(tmp_path: Path) -> None:
    knowledge = load_knowledge(write_knowledge(tmp_path))

    source = knowledge.sources["harbor"]
    assert [f.id for f in knowledge.facts] == [f["id"] for f in harbor_facts()]
    reopens = knowledge.fact("lighthouse-reopens")
    assert reopens is not None
    (span,) = reopens.spans
    assert source.article.text[span.start : span.end] == span.text
    assert span.paragraph.number == 2
    assert span.paragraph.section == "Lighthouse Work Finished"


def test_shipped_knowledge_base_is_valid(knowledge: knowledge_module.KnowledgeBase) -> None:
    assert list(knowledge.sources) == ["peace-talks"]
    assert len(knowledge.facts) >= 30
    assert knowledge.directory == KNOWLEDGE_DIR.resolve()


# --- quotes ------------------------------------------------------------------------------------


def test_misquoted_fact_names_file_fact_field_and_shows_the_closest_article_text(
    tmp_path: Path,
) -> None:
    facts = harbor_facts()
    facts[0]["quotes"] = ["The Gull Point lighthouse will reopen to tourists on Saturday."]

    problem = only_problem(write_knowledge(tmp_path, facts=facts))

    assert (problem.file, problem.fact_id, problem.field) == (
        FACTS_FILE,
        "lighthouse-reopens",
        "quotes[0]",
    )
    assert "not in the article" in problem.message
    assert "«The Gull Point lighthouse will reopen to visitors on Saturday.»" in problem.message
    assert "curly" not in problem.message
    assert str(problem).startswith(f"{FACTS_FILE}, fact 'lighthouse-reopens', field 'quotes[0]'")


def test_quote_typed_with_straight_quotes_gets_a_curly_quotes_hint(tmp_path: Path) -> None:
    facts = harbor_facts()
    facts[2]["quotes"] = ['"It\'s a beacon again," said the town\'s mayor, Ada Brook.']

    problem = only_problem(write_knowledge(tmp_path, facts=facts))

    assert (problem.fact_id, problem.field) == ("mayor-beacon", "quotes[0]")
    assert "«“It’s a beacon again,” said the town’s mayor, Ada Brook.»" in problem.message
    assert "curly quotes" in problem.message


def test_quoted_section_heading_is_cited_at_the_first_paragraph_of_its_section(
    tmp_path: Path,
) -> None:
    facts = harbor_facts()
    facts[1]["quotes"] = ["Lighthouse Work Finished"]

    loaded = load_knowledge(write_knowledge(tmp_path, facts=facts))

    (span,) = loaded.fact("lighthouse-repairs").spans  # type: ignore[union-attr]
    assert span.text == "Lighthouse Work Finished"
    assert span.paragraph.number == 2
    assert span.paragraph.section == "Lighthouse Work Finished"


def test_quote_spanning_two_paragraphs_is_refused(tmp_path: Path) -> None:
    facts = harbor_facts()
    facts[1]["quotes"] = [
        "replaced the lantern room.\n“It’s a beacon again,”",
        "Repairs took three years and replaced the lantern room.",
    ]

    problem = only_problem(write_knowledge(tmp_path, facts=facts))

    assert (problem.fact_id, problem.field) == ("lighthouse-repairs", "quotes[0]")
    assert "inside one paragraph" in problem.message


def test_every_problem_in_a_file_is_reported_at_once(tmp_path: Path) -> None:
    facts = harbor_facts()
    facts[0]["quotes"] = ["Not in the article at all, not even close."]
    facts[3]["quotes"] = ["The cottage is painted red."]

    problems = problems_of(write_knowledge(tmp_path, facts=facts))

    assert [(p.fact_id, p.field) for p in problems] == [
        ("lighthouse-reopens", "quotes[0]"),
        ("keeper-cottage-photo", "quotes[0]"),
    ]


# --- ids -----------------------------------------------------------------------------------------


def test_duplicate_fact_id_in_one_file_is_refused(tmp_path: Path) -> None:
    facts = harbor_facts()
    facts[1]["id"] = "lighthouse-reopens"

    problem = only_problem(write_knowledge(tmp_path, facts=facts))

    assert (problem.file, problem.fact_id, problem.field) == (
        FACTS_FILE,
        "lighthouse-reopens",
        "id",
    )
    assert "duplicate fact id" in problem.message


def test_duplicate_fact_id_across_two_sources_names_the_other_source(tmp_path: Path) -> None:
    knowledge = write_knowledge(tmp_path)
    write_source(knowledge, "harbor-again", facts=[harbor_facts()[0]])

    problem = only_problem(knowledge)

    assert (problem.file, problem.fact_id, problem.field) == (
        "knowledge/sources/harbor-again/facts.yaml",
        "lighthouse-reopens",
        "id",
    )
    assert "also in source 'harbor'" in problem.message


def test_two_sources_declaring_the_same_source_id_are_refused(tmp_path: Path) -> None:
    knowledge = write_knowledge(tmp_path)
    write_source(
        knowledge,
        "harbor-copy",
        meta={"id": "harbor"},
        facts=[fact("other-fact", "Repairs took three years and replaced the lantern room.",
                    ["How long were the repairs?"])],
    )

    problem = only_problem(knowledge)

    assert (problem.file, problem.field) == ("knowledge/sources/harbor-copy/source.yaml", "id")
    assert "'harbor' is already used" in problem.message


def test_fact_without_id_is_named_by_its_position(tmp_path: Path) -> None:
    facts = harbor_facts()
    del facts[1]["id"]

    problem = only_problem(write_knowledge(tmp_path, facts=facts))

    assert (problem.fact_id, problem.field, problem.message) == ("#2", "id", "required but missing")


@pytest.mark.parametrize("bad_id", ["Lighthouse Reopens", "-starts-with-dash", "x" * 65])
def test_fact_id_that_is_not_kebab_case_is_refused(tmp_path: Path, bad_id: str) -> None:
    facts = harbor_facts()
    facts[0]["id"] = bad_id

    problem = only_problem(write_knowledge(tmp_path, facts=facts))

    assert (problem.fact_id, problem.field) == (bad_id, "id")


# --- YAML shape and content ----------------------------------------------------------------------


def test_duplicate_yaml_key_is_refused_with_its_line(tmp_path: Path) -> None:
    text = dump_yaml({"facts": harbor_facts()})
    said = "  answer: Mayor Ada Brook said the lighthouse is a beacon again.\n"
    text = text.replace(said, said + "  answer: said twice\n", 1)
    line = text.splitlines().index("  answer: said twice") + 1

    problem = only_problem(write_knowledge(tmp_path, facts_text=text))

    assert problem.file == FACTS_FILE
    assert f"line {line}, column 3" in problem.message
    assert "duplicate key 'answer'" in problem.message


def test_a_fact_without_curated_questions_loads(tmp_path: Path) -> None:
    # Alternate questions are optional: a fact with quotes only is found by its quotes.
    facts = harbor_facts()
    facts[0]["questions"] = []
    del facts[1]["questions"]

    knowledge = load_knowledge(write_knowledge(tmp_path, facts=facts))

    assert knowledge.facts[0].fact.questions == []
    assert knowledge.facts[1].fact.questions == []


def test_blank_answer_and_blank_question_are_refused_with_their_fields(tmp_path: Path) -> None:
    facts = harbor_facts()
    facts[1]["answer"] = "   "
    facts[2]["questions"] = ["What did the mayor say?", ""]

    problems = problems_of(write_knowledge(tmp_path, facts=facts))

    assert [(p.fact_id, p.field) for p in problems] == [
        ("lighthouse-repairs", "answer"),
        ("mayor-beacon", "questions[1]"),
    ]
    assert all("at least 1 character" in p.message for p in problems)


def test_same_question_listed_twice_for_a_fact_is_refused(tmp_path: Path) -> None:
    facts = harbor_facts()
    facts[0]["questions"] = ["When will the lighthouse reopen?", "when will the LIGHTHOUSE reopen?"]

    problem = only_problem(write_knowledge(tmp_path, facts=facts))

    assert (problem.fact_id, problem.field) == ("lighthouse-reopens", "questions[1]")
    assert "duplicate entry" in problem.message


def test_misspelt_field_name_is_reported_as_unknown_key_and_the_real_one_as_missing(
    tmp_path: Path,
) -> None:
    facts = harbor_facts()
    facts[0]["qoutes"] = facts[0].pop("quotes")

    problems = problems_of(write_knowledge(tmp_path, facts=facts))

    assert {(p.fact_id, p.field, p.message) for p in problems} == {
        ("lighthouse-reopens", "qoutes", "unknown key (check the spelling)"),
        ("lighthouse-reopens", "quotes", "required but missing"),
    }


def test_misspelt_key_in_source_yaml_is_reported(tmp_path: Path) -> None:
    problem = only_problem(write_knowledge(tmp_path, meta={"lable": "Harbor news"}))

    assert (problem.file, problem.field) == (SOURCE_FILE, "lable")
    assert "unknown key" in problem.message


def test_malformed_yaml_reports_line_and_column(tmp_path: Path) -> None:
    text = "facts:\n  - id: lighthouse-reopens\n    topic: The lighthouse: reopening\n"

    problem = only_problem(write_knowledge(tmp_path, facts_text=text))

    assert problem.file == FACTS_FILE
    assert "invalid YAML at line 3, column 26" in problem.message


def test_values_of_the_wrong_type_are_refused_per_field(tmp_path: Path) -> None:
    facts = harbor_facts()
    facts[0]["quotes"] = "The Gull Point lighthouse will reopen to visitors on Saturday."
    facts[1]["questions"] = 5
    facts[2]["keywords"] = {"mayor": "Ada Brook"}

    problems = problems_of(write_knowledge(tmp_path, facts=facts))

    assert [(p.fact_id, p.field, p.message) for p in problems] == [
        ("lighthouse-reopens", "quotes", "Input should be a valid list"),
        ("lighthouse-repairs", "questions", "Input should be a valid list"),
        ("mayor-beacon", "keywords", "Input should be a valid list"),
    ]


def test_caption_paragraph_that_is_not_a_number_is_refused(tmp_path: Path) -> None:
    problem = only_problem(write_knowledge(tmp_path, meta={"caption_paragraphs": ["first"]}))

    assert (problem.file, problem.field) == (SOURCE_FILE, "caption_paragraphs[0]")


def test_truncated_facts_file_reports_where_it_ends(tmp_path: Path) -> None:
    shipped = (KNOWLEDGE_DIR / "sources" / "peace-talks" / "facts.yaml").read_text("utf-8")
    # Cut inside the first double-quoted quote, as an interrupted copy would.
    truncated = shipped[: shipped.index("walks through the rubble")]
    last_line = truncated.count("\n") + 1

    problem = only_problem(write_knowledge(tmp_path, facts_text=truncated))

    assert problem.file == FACTS_FILE
    assert f"invalid YAML at line {last_line}," in problem.message


@pytest.mark.parametrize("text", ["", "- just\n- a list\n"])
def test_facts_file_without_a_facts_mapping_is_refused(tmp_path: Path, text: str) -> None:
    problem = only_problem(write_knowledge(tmp_path, facts_text=text))

    assert (problem.file, problem.field) == (FACTS_FILE, "(top level)")


def test_facts_file_with_no_facts_is_refused(tmp_path: Path) -> None:
    problem = only_problem(write_knowledge(tmp_path, facts=[]))

    assert (problem.file, problem.field) == (FACTS_FILE, "facts")


# --- files ---------------------------------------------------------------------------------------


def test_article_that_is_not_utf8_names_byte_and_line(tmp_path: Path) -> None:
    knowledge = write_knowledge(tmp_path)
    (knowledge / "sources/harbor/article.txt").write_bytes(b"First line.\nCaf\xe9 opens.\n")

    problem = only_problem(knowledge)

    assert problem.file == ARTICLE_FILE
    assert "not valid UTF-8 (byte 15, line 2)" in problem.message


def test_facts_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    knowledge = write_knowledge(tmp_path)
    (knowledge / "sources/harbor/facts.yaml").write_bytes(b"facts:\n  - id: caf\xe9\n")

    problem = only_problem(knowledge)

    assert problem.file == FACTS_FILE
    assert "not valid UTF-8" in problem.message


def test_utf8_files_with_a_byte_order_mark_load(tmp_path: Path) -> None:
    knowledge = write_knowledge(tmp_path)
    for name in ("facts.yaml", "article.txt", "source.yaml"):
        path = knowledge / "sources/harbor" / name
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())

    loaded = load_knowledge(knowledge)

    assert loaded.sources["harbor"].article.paragraphs[0].text.startswith("A keeper’s cottage")


def test_binary_article_with_nul_bytes_is_refused(tmp_path: Path) -> None:
    knowledge = write_knowledge(tmp_path)
    (knowledge / "sources/harbor/article.txt").write_bytes(b"PK\x03\x04\x00\x00binary")

    problem = only_problem(knowledge)

    assert (problem.file, problem.message) == (
        ARTICLE_FILE,
        "contains NUL bytes; is this a binary file?",
    )


def test_file_over_the_size_limit_is_refused_without_reading_it(tmp_path: Path) -> None:
    knowledge = write_knowledge(tmp_path)
    article = knowledge / "sources/harbor/article.txt"
    with article.open("wb") as handle:  # sparse: no 5 MB actually written
        handle.truncate(knowledge_module.MAX_FILE_BYTES + 1)

    problem = only_problem(knowledge)

    assert problem.file == ARTICLE_FILE
    assert f"{knowledge_module.MAX_FILE_BYTES + 1:,} bytes" in problem.message


def test_missing_knowledge_directory_is_reported(tmp_path: Path) -> None:
    problem = only_problem(tmp_path / "no-such-dir")

    assert problem.file == str(tmp_path / "no-such-dir")
    assert problem.message == "knowledge directory not found"


def test_knowledge_directory_without_sources_is_reported(tmp_path: Path) -> None:
    (tmp_path / "knowledge").mkdir()

    problem = only_problem(tmp_path / "knowledge")

    assert "no sources found" in problem.message


@pytest.mark.parametrize(
    ("name", "display"), [("article.txt", ARTICLE_FILE), ("facts.yaml", FACTS_FILE)]
)
def test_missing_source_file_is_reported(tmp_path: Path, name: str, display: str) -> None:
    knowledge = write_knowledge(tmp_path)
    (knowledge / "sources/harbor" / name).unlink()

    problem = only_problem(knowledge)

    assert (problem.file, problem.message) == (display, "file not found")


def test_article_with_no_text_is_refused(tmp_path: Path) -> None:
    problem = only_problem(write_knowledge(tmp_path, article="\n  \n\n"))

    assert (problem.file, problem.message) == (ARTICLE_FILE, "the article has no paragraphs")


# --- source.yaml and aliases.yaml ----------------------------------------------------------------


def test_caption_paragraph_beyond_the_article_is_refused(tmp_path: Path) -> None:
    problem = only_problem(write_knowledge(tmp_path, meta={"caption_paragraphs": [1, 9]}))

    assert (problem.file, problem.field) == (SOURCE_FILE, "caption_paragraphs")
    assert problem.message == "paragraph 9 does not exist (the article has 3)"


def test_caption_paragraph_zero_is_refused(tmp_path: Path) -> None:
    problem = only_problem(write_knowledge(tmp_path, meta={"caption_paragraphs": [0]}))

    assert (problem.file, problem.field) == (SOURCE_FILE, "caption_paragraphs[0]")


def test_alias_listed_in_two_groups_is_refused(tmp_path: Path) -> None:
    aliases = {"groups": [["kharkiv", "kharkov"], ["kyiv", "kiev", "Kharkov "]]}

    problem = only_problem(write_knowledge(tmp_path, aliases=aliases))

    assert (problem.file, problem.field) == ("knowledge/aliases.yaml", "groups[1][2]")
    assert "'Kharkov' is also in group 1" in problem.message


def test_alias_in_two_groups_is_refused_even_when_spelt_with_different_punctuation(
    tmp_path: Path,
) -> None:
    aliases = {"groups": [["united states", "U.S."], ["us", "ourselves"]]}

    problem = only_problem(write_knowledge(tmp_path, aliases=aliases))

    assert problem.field == "groups[1][0]"


def test_alias_group_with_a_single_entry_is_refused(tmp_path: Path) -> None:
    problem = only_problem(write_knowledge(tmp_path, aliases={"groups": [["lonely"]]}))

    assert (problem.file, problem.field) == ("knowledge/aliases.yaml", "groups[0]")


def test_broken_aliases_file_is_reported_together_with_source_problems(tmp_path: Path) -> None:
    facts = harbor_facts()
    facts[0]["quotes"] = ["Nowhere in the article."]
    knowledge = write_knowledge(tmp_path, facts=facts)
    (knowledge / "aliases.yaml").write_text("groups: [[a, b]\n", encoding="utf-8")

    problems = problems_of(knowledge)

    assert [p.file for p in problems] == ["knowledge/aliases.yaml", FACTS_FILE]
    assert re.search(r"invalid YAML at line \d+, column \d+", problems[0].message)


def test_article_path_outside_the_source_directory_is_refused(tmp_path: Path) -> None:
    knowledge = write_knowledge(tmp_path, meta={"article": "../../../../etc/hostname"})

    problem = only_problem(knowledge)

    assert problem.file == "knowledge/sources/harbor/source.yaml"
    assert problem.field == "article"


def test_article_that_is_a_device_is_refused_without_reading_it(tmp_path: Path) -> None:
    knowledge = write_knowledge(tmp_path)
    article = knowledge / "sources/harbor/article.txt"
    article.unlink()
    article.symlink_to("/dev/zero")  # reading it would never end

    problem = only_problem(knowledge)

    assert (problem.file, problem.message) == (ARTICLE_FILE, "not a regular file")


def test_yaml_key_that_is_a_list_is_a_clear_error(tmp_path: Path) -> None:
    knowledge = write_knowledge(tmp_path, facts_text="facts:\n  - ? [a, b]\n    : 1\n")

    problem = only_problem(knowledge)

    assert problem.file == "knowledge/sources/harbor/facts.yaml"
    assert "a key must be a plain value" in problem.message
    assert "line 2" in problem.message


def test_example_question_must_be_one_of_the_facts_questions(tmp_path: Path) -> None:
    knowledge = write_knowledge(tmp_path, meta={"examples": ["Is the lighthouse haunted?"]})

    problem = only_problem(knowledge)

    assert (problem.file, problem.field) == ("knowledge/sources/harbor/source.yaml", "examples[0]")
    assert "not one of the facts' questions" in problem.message
