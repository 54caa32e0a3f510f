"""The ``citebot`` command: chat, ask, check, eval, run (the Telegram bot) and the curator's
report, suggest and export."""

from __future__ import annotations

import argparse
import contextlib
import json
import sqlite3
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TextIO

from pydantic import ValidationError

from bot import __version__, messages
from bot.answers import Answer, AnswerEngine
from bot.calibration import CalibrationError
from bot.curation import export as exporting
from bot.curation.facts_file import add_questions
from bot.curation.report import (
    DEFAULT_SIMILARITY,
    LOW_CONFIDENCE_MARGIN,
    SinceError,
    build_report,
    engine_normaliser,
    parse_since,
)
from bot.curation.report import format_report as format_records_report
from bot.curation.suggest import additions, format_suggestions, suggestions_from_records
from bot.evaluation import BankError, evaluate, format_report, load_bank
from bot.knowledge import KnowledgeBase, KnowledgeError, load_knowledge
from bot.recording import Channel, Recorder
from bot.render import render_plain, render_trace
from bot.semantic import EmbeddingCache, default_encoder
from bot.settings import Settings, describe_settings_error
from bot.store import StoredRecord, StoreError, connect, migrate, read_records

EXIT_OK = 0
EXIT_BELOW_BAR = 1
EXIT_CONFIG = 2


class CliError(Exception):
    """A problem the user can fix; printed as one line, exit code 2."""


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, object] = {}
    if getattr(args, "knowledge", None):
        overrides["knowledge_dir"] = Path(args.knowledge)
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise CliError(f"configuration error: {describe_settings_error(exc)}") from None
    except UnicodeDecodeError:
        raise CliError("configuration error: .env is not valid UTF-8; save it as UTF-8") from None
    except OSError as exc:
        raise CliError(f"configuration error: cannot read .env: {exc.strerror}") from None


def _knowledge(settings: Settings) -> KnowledgeBase:
    try:
        return load_knowledge(settings.knowledge_dir)
    except KnowledgeError as exc:
        raise CliError(
            f"knowledge base '{settings.knowledge_dir}' is invalid:\n"
            + "\n".join(f"  {p}" for p in exc.problems)
        ) from None


def _engine(args: argparse.Namespace) -> tuple[AnswerEngine, Settings]:
    settings = _settings(args)
    try:
        return settings.build_engine(_knowledge(settings), progress=_progress), settings
    except CalibrationError as exc:
        raise CliError(f"calibration: {exc}") from None


def _progress(done: int, total: int) -> None:
    """Progress of a first start's sentence vectors, on standard error at a terminal."""
    if sys.stderr.isatty():
        end = "\n" if done == total else ""
        print(f"\rcitebot: indexing meaning {done}/{total}", end=end, file=sys.stderr)


@contextlib.contextmanager
def _recording(args: argparse.Namespace, settings: Settings) -> Iterator[Recorder | None]:
    """A recorder for ``--record`` (flushed and closed on the way out), else ``None``."""
    if not getattr(args, "record", False):
        yield None
        return
    if not settings.recording:
        raise CliError("--record: recording is turned off (CITEBOT_RECORDING=false)")
    recorder = Recorder.from_settings(settings)
    try:
        yield recorder
    finally:
        recorder.close()


def cmd_ask(args: argparse.Namespace, out: TextIO) -> int:
    engine, settings = _engine(args)
    with _recording(args, settings) as recorder:
        return _ask(args, out, engine, settings, recorder)


def _ask(
    args: argparse.Namespace,
    out: TextIO,
    engine: AnswerEngine,
    settings: Settings,
    recorder: Recorder | None,
) -> int:
    def answer(question: str) -> Answer:
        result = engine.answer(question, explain=args.explain)
        if recorder is not None:
            recorder.record(result, Channel.CLI, None)
        return result

    questions: list[str] = args.question
    if questions == ["-"]:
        if not args.json:
            raise CliError("reading questions from standard input needs --json")
        sys.stdin.reconfigure(errors="replace")  # type: ignore[union-attr]
        for line in sys.stdin:
            result = answer(line.rstrip("\r\n"))
            out.write(json.dumps(result.to_public_dict(), ensure_ascii=False) + "\n")
            out.flush()
        return EXIT_OK
    result = answer(" ".join(questions))
    if args.json:
        out.write(json.dumps(result.to_public_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(render_plain(result, settings.max_question_chars) + "\n")
        if result.trace is not None:
            out.write("\n" + render_trace(result.trace) + "\n")
    return EXIT_OK


def cmd_chat(args: argparse.Namespace, out: TextIO) -> int:
    engine, settings = _engine(args)
    with _recording(args, settings) as recorder:
        return _chat(out, engine, settings, recorder)


HISTORY_FILE = Path.home() / ".citebot_history"
HISTORY_LENGTH = 1000


@contextlib.contextmanager
def _line_history() -> Iterator[None]:
    """Line editing for ``input()``, with history kept across sessions when on a terminal."""
    try:
        import readline
    except ImportError:  # not available on every platform
        yield
        return
    interactive = sys.stdin.isatty()
    if interactive:
        readline.set_history_length(HISTORY_LENGTH)
        with contextlib.suppress(OSError):
            readline.read_history_file(HISTORY_FILE)
    try:
        yield
    finally:
        if interactive:
            with contextlib.suppress(OSError):
                readline.write_history_file(HISTORY_FILE)


def _chat(
    out: TextIO, engine: AnswerEngine, settings: Settings, recorder: Recorder | None
) -> int:
    with _line_history():
        return _chat_loop(out, engine, settings, recorder)


def _chat_loop(
    out: TextIO, engine: AnswerEngine, settings: Settings, recorder: Recorder | None
) -> int:
    labels = ", ".join(s.meta.label for s in engine.knowledge.sources.values())
    out.write(messages.CHAT_BANNER.format(version=__version__, labels=labels) + "\n")
    out.write(messages.CHAT_HELP + "\n")
    out.write(messages.CHAT_TRY.format(examples=" / ".join(engine.featured_questions())) + "\n")
    while True:
        try:
            line = input("\nyou> ")
        except (EOFError, KeyboardInterrupt):
            out.write("\n")
            return EXIT_OK
        command = line.strip().lower()
        if command in ("/quit", "/exit", "/q"):
            return EXIT_OK
        if command == "/help":
            out.write(messages.CHAT_HELP + "\n")
            continue
        if command == "/topics":
            for topic, questions in engine.topics().items():
                out.write(f"{topic}\n" + "".join(f"  • {q}\n" for q in questions[:3]))
            continue
        if not command:
            continue
        answer = engine.answer(line)
        if recorder is not None:
            recorder.record(answer, Channel.CLI, None)
        out.write(render_plain(answer, settings.max_question_chars) + "\n")


def sentence_coverage(knowledge: KnowledgeBase) -> tuple[int, int, list[str]]:
    """(covered, total, uncovered sentence texts): a sentence is covered when quotes span half."""
    covered = 0
    total = 0
    uncovered: list[str] = []
    for source in knowledge.sources.values():
        spans = [(s.start, s.end) for f in source.facts for s in f.spans]
        for sentence in source.article.sentences:
            total += 1
            length = sentence.end - sentence.start
            overlap = max(
                (min(e, sentence.end) - max(s, sentence.start) for s, e in spans), default=0
            )
            if overlap * 2 >= length:
                covered += 1
            else:
                uncovered.append(f"{source.meta.id} ¶{sentence.paragraph}: {sentence.text}")
    return covered, total, uncovered


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    settings = _settings(args)
    knowledge = _knowledge(settings)
    facts = knowledge.facts
    questions = sum(len(f.fact.questions) for f in facts)
    keywords = sum(len(f.fact.keywords) for f in facts)
    covered, total, uncovered = sentence_coverage(knowledge)
    out.write(f"knowledge base '{settings.knowledge_dir}' is valid\n")
    for source in knowledge.sources.values():
        article = source.article
        out.write(
            f"  source {source.meta.id}: {len(source.facts)} facts, "
            f"{len(article.paragraphs)} paragraphs, {len(article.headings)} sections, "
            f"{len(article.sentences)} sentences, {len(source.aliases.groups)} alias groups of "
            "its own\n"
        )
    out.write(
        f"  {len(facts)} facts, {questions} alternate questions, {keywords} keywords, "
        f"{len(knowledge.aliases.groups)} shared alias groups\n"
        f"  article sentences covered by quotes: {covered}/{total}\n"
    )
    for text in uncovered:
        out.write(f"  not covered: {text}\n")
    engine = settings.build_engine(knowledge, progress=_progress)
    unsearchable = engine.retriever.unsearchable_questions()
    for fact_id, question in unsearchable:
        out.write(f"  fact '{fact_id}': question {question!r} has no searchable words\n")
    examples = engine.featured_questions(100)
    unanswered_examples = [q for q in examples if not engine.answer(q).answered]
    for question in unanswered_examples:
        out.write(f"  example question {question!r} is not answered by the facts\n")
    if (uncovered or unsearchable or unanswered_examples) and args.strict:
        return EXIT_BELOW_BAR
    return EXIT_OK


def cmd_eval(args: argparse.Namespace, out: TextIO) -> int:
    engine, _ = _engine(args)
    bank = []
    for path in args.bank:
        try:
            bank.extend(load_bank(Path(path)))
        except BankError as exc:
            raise CliError(str(exc)) from None
    report = evaluate(bank, engine.answer)
    if args.json:
        out.write(
            json.dumps(
                {
                    "accuracy": report.accuracy,
                    "by_kind": {
                        k: {"right": r, "total": t} for k, (r, t) in report.by_kind().items()
                    },
                    "out_of_scope_answered_rate": report.out_of_scope_answered_rate,
                    "misses": [
                        {"id": o.question.id, **o.answer.to_public_dict()} for o in report.misses
                    ],
                },
                ensure_ascii=False,
                indent=2,
            )
            + "\n"
        )
    else:
        out.write(format_report(report, show_misses=not args.quiet) + "\n")
    failed = []
    if args.min_accuracy is not None and report.accuracy < args.min_accuracy:
        failed.append(f"accuracy {report.accuracy:.3f} is below --min-accuracy {args.min_accuracy}")
    if (
        args.max_oos_answered is not None
        and report.out_of_scope_answered_rate > args.max_oos_answered
    ):
        failed.append(
            f"out-of-scope answered rate {report.out_of_scope_answered_rate:.3f} is above "
            f"--max-oos-answered {args.max_oos_answered}"
        )
    for line in failed:
        print(f"citebot eval: {line}", file=sys.stderr)
    return EXIT_BELOW_BAR if failed else EXIT_OK


def cmd_calibrate(args: argparse.Namespace, out: TextIO) -> int:
    from bot import calibrate  # fitting code loads only for this command

    settings = _settings(args)
    cache = EmbeddingCache(settings.embedding_cache_dir)
    article_dirs = [Path(a) for a in args.articles]
    for directory in article_dirs:
        if not (directory / "article.txt").is_file() or not (
            directory / "questions.json"
        ).is_file():
            raise CliError(f"--articles {directory}: needs article.txt and questions.json")
    try:
        articles = calibrate.build_articles(
            settings.knowledge_dir,
            [Path(b) for b in args.bank],
            article_dirs,
            [Path(d) for d in args.article_banks],
            encoder=default_encoder(),
            cache=cache,
            log=lambda line: print(f"citebot calibrate: {line}", file=sys.stderr),
        )
    except BankError as exc:
        raise CliError(str(exc)) from None
    except KnowledgeError as exc:
        raise CliError("\n".join(str(p) for p in exc.problems)) from None
    if not articles:
        raise CliError("nothing to fit on: give a question bank and/or --articles")
    if args.leave_one_out and len(articles) > 1:
        out.write("Each article measured with a model fitted without it:\n")
        out.write(calibrate.format_scores(calibrate.leave_one_article_out(articles)) + "\n\n")
    fitted = calibrate.fit_articles(articles)
    out.write("Weights (standardised features; + pushes towards answering):\n")
    out.write(calibrate.describe(fitted) + "\n")
    if args.output:
        calibrate.write_calibration(fitted, Path(args.output))
        out.write(f"Wrote {args.output}; set CITEBOT_CALIBRATION_FILE to use it.\n")
    return EXIT_OK


def cmd_run(args: argparse.Namespace, out: TextIO) -> int:
    from bot.telegram.app import run_bot  # the Telegram layer loads only when needed

    code: int = run_bot(_settings(args))
    return code


# ---------------------------------------------------------------- curation


def _since(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return parse_since(text, time.time())
    except SinceError as exc:
        raise CliError(str(exc)) from None


def _records(settings: Settings, since: float | None) -> list[StoredRecord]:
    """The records since ``since``, migrating the file first if it is from an older citebot."""
    path = settings.database_path
    try:
        with contextlib.closing(connect(path, create=False)) as conn:
            migrate(conn)
            return read_records(conn, since)
    except StoreError as exc:
        raise CliError(f"{exc} (CITEBOT_DATA_DIR / CITEBOT_DATABASE_URL)") from None
    except sqlite3.Error as exc:
        raise CliError(f"cannot read the records database {path}: {exc}") from None


def cmd_report(args: argparse.Namespace, out: TextIO) -> int:
    engine, settings = _engine(args)
    since = _since(args.since)
    report = build_report(
        _records(settings, since),
        engine_normaliser(engine),
        since=since,
        low_confidence_below=settings.answer_threshold + LOW_CONFIDENCE_MARGIN,
        similarity=args.similarity,
        limit=args.limit,
    )
    if args.json:
        out.write(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(format_records_report(report) + "\n")
    return EXIT_OK


def cmd_suggest(args: argparse.Namespace, out: TextIO) -> int:
    engine, settings = _engine(args)
    suggestions = suggestions_from_records(
        _records(settings, _since(args.since)), engine,
        similarity=args.similarity, min_count=args.min_count,
    )
    if args.json and not args.apply:
        out.write(json.dumps([s.to_dict() for s in suggestions], ensure_ascii=False, indent=2)
                  + "\n")
        return EXIT_OK
    out.write(format_suggestions(suggestions) + "\n")
    wanted = additions(suggestions)
    if not args.apply:
        if wanted:
            out.write("\nRun `citebot suggest --apply` to add the ADD questions to the facts.\n")
        return EXIT_OK
    if not wanted:
        out.write("\nNothing to apply.\n")
        return EXIT_OK
    count = sum(len(questions) for questions in wanted.values())
    if not args.yes and sys.stdin.isatty():
        # A person at a terminal sees the list above before anything is written.
        plural = "s" if count != 1 else ""
        out.write(f"\nAdd {count} question{plural} to the facts' YAML files? [y/N] ")
        out.flush()
        if sys.stdin.readline().strip().lower() not in ("y", "yes"):
            out.write("Nothing changed.\n")
            return EXIT_OK
    result = add_questions(engine.knowledge, wanted)
    if not result.ok:
        raise CliError(
            "the knowledge base did not validate after adding the questions, so nothing was "
            "changed:\n" + "\n".join(f"  {p}" for p in result.problems)
        )
    added = [q for questions in result.added.values() for q in questions]
    files = ", ".join(str(f) for f in result.files)
    out.write(f"\nAdded {len(added)} questions to {len(result.added)} facts in {files}; "
              "the knowledge base is valid.\n")
    # Check the edit did what it was for, with the knowledge base as it is now.
    reloaded = settings.build_engine(_knowledge(settings))
    answered = sum(reloaded.answer(q).answered for q in added)
    out.write(f"Now answered: {answered} of {len(added)}.\n")
    return EXIT_OK


def cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    settings = _settings(args)
    records = _records(settings, _since(args.since))
    write = exporting.write_csv if args.format == "csv" else exporting.write_jsonl
    if args.output in (None, "-"):
        write(records, out)
        return EXIT_OK
    try:
        with open(args.output, "w", encoding="utf-8", newline="") as handle:
            count = write(records, handle)
    except OSError as exc:
        raise CliError(f"cannot write {args.output}: {exc.strerror}") from None
    print(f"citebot export: {count} records written to {args.output}", file=sys.stderr)
    return EXIT_OK


def _similarity(text: str) -> float:
    value = float(text)
    if not 0.0 < value <= 100.0:
        raise argparse.ArgumentTypeError("must be above 0 and at most 100")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("must be a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _fraction(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="citebot",
        description="Answers questions about a news article with verbatim, cited quotes.",
    )
    parser.add_argument("--version", action="version", version=f"citebot {__version__}")
    parser.add_argument(
        "--knowledge", metavar="DIR", help="knowledge directory (default: $CITEBOT_KNOWLEDGE_DIR "
        "or ./knowledge)"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    chat = sub.add_parser("chat", help="interactive console chat (no token needed)")
    chat.add_argument("--record", action="store_true",
                      help="record the questions for `citebot report` (channel cli)")
    chat.set_defaults(handler=cmd_chat)

    ask = sub.add_parser("ask", help="answer one question")
    ask.add_argument("question", nargs="+", help="the question, or '-' to read one per line "
                     "from standard input (with --json)")
    ask.add_argument("--json", action="store_true", help="print the JSON contract object")
    ask.add_argument("--explain", action="store_true",
                     help="also show why: the facts judged, their signals, each answer check's "
                     "verdict and the confidence (in JSON: the \"trace\" key)")
    ask.add_argument("--record", action="store_true",
                     help="record the question(s) for `citebot report` (channel cli)")
    ask.set_defaults(handler=cmd_ask)

    check = sub.add_parser("check", help="validate the knowledge base and report coverage")
    check.add_argument("--strict", action="store_true",
                       help="exit 1 if an article sentence is quoted by no fact, a curated "
                       "question has no searchable words or an example question is not answered")
    check.set_defaults(handler=cmd_check)

    ev = sub.add_parser("eval", help="evaluate on question bank(s) and list every miss")
    ev.add_argument("bank", nargs="+", help="question bank JSON file(s)")
    ev.add_argument("--min-accuracy", type=_fraction, metavar="X",
                    help="exit 1 if overall accuracy is below X (0-1)")
    ev.add_argument("--max-oos-answered", type=_fraction, metavar="X",
                    help="exit 1 if more than X (0-1) of out-of-scope questions are answered")
    ev.add_argument("--quiet", action="store_true", help="do not list the misses")
    ev.add_argument("--json", action="store_true", help="print the report as JSON")
    ev.set_defaults(handler=cmd_eval)

    cal = sub.add_parser(
        "calibrate", help="fit the confidence model on question banks (see README)"
    )
    cal.add_argument("bank", nargs="*", help="question bank(s) of the knowledge directory")
    cal.add_argument("--articles", nargs="*", default=[], metavar="DIR",
                     help="uncurated article folders (article.txt, questions.json), each "
                     "drafted one fact per sentence")
    cal.add_argument("--article-banks", nargs="*", default=[], metavar="DIR",
                     help="folders with more questions for those articles (<folder name>*.json)")
    cal.add_argument("--leave-one-out", action="store_true",
                     help="also measure each article with a model fitted without it")
    cal.add_argument("--output", metavar="FILE", help="write the fitted model here")
    cal.set_defaults(handler=cmd_calibrate)

    run = sub.add_parser("run", help="run the Telegram bot (needs TELEGRAM_BOT_TOKEN)")
    run.set_defaults(handler=cmd_run)

    since_help = "only records since then: a duration (7d, 12h, 2w) or a date (2025-06-01, UTC)"
    report = sub.add_parser("report", help="what people asked, what went unanswered, feedback")
    report.add_argument("--since", default="7d", metavar="WHEN",
                        help=since_help + "; default 7d")
    report.add_argument("--json", action="store_true", help="print the report as JSON")
    report.add_argument("--limit", type=_positive, default=20, metavar="N",
                        help="at most N lines per list (default 20)")
    report.add_argument("--similarity", type=_similarity, default=DEFAULT_SIMILARITY,
                        metavar="S", help="how alike (0-100) questions must be to be grouped "
                        f"(default {DEFAULT_SIMILARITY:.0f})")
    report.set_defaults(handler=cmd_report)

    suggest = sub.add_parser(
        "suggest", help="turn unanswered and not-helpful questions into fact-base edits"
    )
    suggest.add_argument("--since", metavar="WHEN", help=since_help + "; default: all records")
    suggest.add_argument("--apply", action="store_true",
                         help="add the ADD questions to the facts' YAML files, then re-validate "
                              "(asks first when run at a terminal)")
    suggest.add_argument("--yes", action="store_true",
                         help="with --apply: do not ask for confirmation")
    suggest.add_argument("--json", action="store_true", help="print the suggestions as JSON")
    suggest.add_argument("--min-count", type=int, default=1, metavar="N",
                         help="only groups asked at least N times (default 1)")
    suggest.add_argument("--similarity", type=_similarity, default=DEFAULT_SIMILARITY,
                         metavar="S", help="grouping similarity, as for report")
    suggest.set_defaults(handler=cmd_suggest)

    export = sub.add_parser("export", help="export the records as CSV or JSON Lines")
    export.add_argument("--format", choices=["csv", "jsonl"], required=True)
    export.add_argument("--output", metavar="FILE", help="write here (default: standard output)")
    export.add_argument("--since", metavar="WHEN", help=since_help + "; default: all records")
    export.set_defaults(handler=cmd_export)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Entry point of the ``citebot`` console script."""
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args, out or sys.stdout)
    except CliError as exc:
        print(f"citebot: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except BrokenPipeError:  # e.g. `citebot ask --json - | head`
        return EXIT_OK
    return code
