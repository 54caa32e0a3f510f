"""Load, fault and soak runs against the real bot process: ``python -m benchmarks.load``.

A fake Telegram Bot API (``tests.telegram.fake_bot_api``) listens on 127.0.0.1; the bot runs as
its own process (``python -m benchmarks.bot_process``: ``citebot run`` plus instrumentation)
long-polling it. Simulated users in private chats and groups each ask questions from
``questions/*.json`` one after another (the next when the answer to the last has arrived), and
every answer is matched to its question by chat and ``reply_to``.

    python -m benchmarks.load                    # U=50 users x M=20 questions
    python -m benchmarks.load --faults           # the same with ~15% faults on both directions
    python -m benchmarks.load --soak 20000       # memory over 20,000 questions

Reported: answered, lost, answered twice, latency p50/p90/p99 (from the update being available
in ``getUpdates`` to its ``sendMessage`` arriving at the fake), answers per second, the engine's
own time per question and the CPU time of each process (which side limits throughput); with
``--faults`` every injected fault and the bot's log volume; with ``--soak`` RSS over time and the
size of every in-memory map at the end. Everything is loopback only and bounded: the run stops
at ``--deadline`` seconds whatever happens. The report (Markdown) goes to stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import os
import random
import re
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.telegram import updates
from tests.telegram.fake_bot_api import FakeBotApi, FaultRates, parse_telegram_html

REPO_ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456789:AAHloadloadloadloadloadloadloadload12"
JSONDict = dict[str, Any]
LOG_RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ (\w+) ([\w.]+): ")

# About 15% of requests fail, spread over every kind; the timeouts shrink with them so that a
# hung response costs seconds, not the production 15 s (45 s for a long poll).
FAULT_RATES = FaultRates(
    too_many_requests=0.02, server_error=0.03, bad_gateway=0.03, drop=0.04, hang=0.03,
    retry_after=1, hang_seconds=4.0,
)
FAULT_CLIENT_TIMEOUT = 2.0
FAULT_POLL_TIMEOUT = 1


@dataclass
class Question:
    user_id: int
    chat_id: int
    message_id: int
    update_id: int
    text: str


@dataclass
class Run:
    """What the fake server saw, keyed by (chat id, question message id)."""

    api: FakeBotApi
    questions: dict[tuple[int, int], Question] = field(default_factory=dict)
    replies: dict[tuple[int, int], list[float]] = field(default_factory=dict)
    waiting: dict[tuple[int, int], asyncio.Future[None]] = field(default_factory=dict)
    other_messages: Counter[str] = field(default_factory=Counter)
    last_answered: dict[int, tuple[int, int]] = field(default_factory=dict)

    open_questions: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # by chat

    def ask(self, key: tuple[int, int], question: Question) -> None:
        self.questions[key] = question
        self.open_questions.setdefault(key[0], []).append(key)

    def on_sent(self, params: JSONDict, message: JSONDict) -> None:
        """Match a message to its question: by ``reply_to`` in groups, in order in private.

        In private chats answers are not sent as quoted replies, so a message answers the oldest
        unanswered question of that chat; one that finds none answers the last one again.
        """
        chat_id = int(params["chat_id"])
        reply_to = int((params.get("reply_parameters") or {}).get("message_id", 0))
        key = (chat_id, reply_to)
        if key not in self.questions:
            waiting = self.open_questions.get(chat_id)
            if chat_id < 0 or waiting is None:
                self.other_messages[parse_telegram_html(params["text"])[:60]] += 1
                return
            key = waiting[0] if waiting else self.last_answered[chat_id]
        with contextlib.suppress(ValueError):
            self.open_questions[chat_id].remove(key)
        self.last_answered[chat_id] = key
        self.replies.setdefault(key, []).append(time.monotonic())
        future = self.waiting.pop(key, None)
        if future is not None and not future.done():
            future.set_result(None)


def _load_questions() -> list[str]:
    texts: list[str] = []
    for path in sorted((REPO_ROOT / "questions").glob("*.json")):
        texts.extend(item["question"] for item in json.loads(path.read_text(encoding="utf-8")))
    return texts


async def _user(
    run: Run,
    user_id: int,
    chat_id: int,
    count: int,
    texts: list[str],
    rng: random.Random,
    wait: float,
    stop_at: float,
    fresh: bool = False,
    think: float = 0.0,
) -> None:
    """Ask ``count`` questions, each after the answer to the last (or ``wait`` seconds).

    ``fresh``: each question comes from a new user id (and, in private, a new chat), as in a
    soak where strangers keep arriving and per-user maps would grow if they were unbounded.
    """
    first_user, first_chat = user_id, chat_id
    if think:
        # People do not all press send at the same instant: each user's first question comes
        # after a pause too, so the run measures steady traffic rather than a start-up burst.
        await asyncio.sleep(rng.uniform(0.0, think))
    for k in range(count):
        if time.monotonic() >= stop_at:
            return
        if fresh:
            user_id = first_user + k * 1_000
            chat_id = first_chat if first_chat < 0 else user_id
        text = rng.choice(texts)
        if chat_id < 0:  # in a group the bot hears /ask and mentions only
            text = rng.choice([f"/ask {text}", f"@{run.api.username} {text}"])
        update = updates.message_update(text, chat_id=chat_id, from_id=user_id)
        message = update["message"]
        key = (chat_id, message["message_id"])
        run.ask(key, Question(user_id, chat_id, message["message_id"], update["update_id"], text))
        future = asyncio.get_running_loop().create_future()
        run.waiting[key] = future
        run.api.push_update(update)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(future, min(wait, max(0.0, stop_at - time.monotonic())))
        run.waiting.pop(key, None)
        if think:
            await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))


def _rss_kib(pid: int) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _cpu_seconds(pid: int) -> float:
    with contextlib.suppress(OSError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return 0.0


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _start_bot(api: FakeBotApi, workdir: Path, args: argparse.Namespace
                     ) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": api.base_url,
        "CITEBOT_KNOWLEDGE_DIR": str(REPO_ROOT / "knowledge"),
        "CITEBOT_DATA_DIR": str(workdir / "data"),
        "CITEBOT_LOG_LEVEL": "INFO",
        # Many simulated questions per user a minute; the flood guard is not what is measured.
        "CITEBOT_RATE_LIMIT_PER_MINUTE": "10000",
        "LOADBENCH_STATS": str(workdir / "stats.json"),
        "LOADBENCH_TELEGRAM_LIMITS": "1" if args.telegram_limits else "0",
        "PYTHONPATH": str(REPO_ROOT),
    }
    if args.faults:
        env["LOADBENCH_TIMEOUT"] = str(FAULT_CLIENT_TIMEOUT)
        env["LOADBENCH_POLL_TIMEOUT"] = str(FAULT_POLL_TIMEOUT)
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "benchmarks.bot_process",
        cwd=workdir, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )


async def _warm_up(run: Run, texts: list[str], stop_at: float) -> None:
    """Wait for polling to start, then ask a few questions outside the measured run."""
    while not run.api.calls_to("getUpdates"):
        if time.monotonic() > stop_at:
            raise SystemExit("benchmarks.load: the bot did not start polling")
        await asyncio.sleep(0.05)
    warm = Run(run.api)
    run.api.on_sent = warm.on_sent
    rng = random.Random(99)
    await asyncio.gather(
        *(_user(warm, 900_000 + i, 900_000 + i, 5, texts, rng, 30.0, stop_at) for i in range(4))
    )
    run.api.on_sent = run.on_sent


async def measure(args: argparse.Namespace) -> JSONDict:
    """One run; the figures as a dict."""
    texts = _load_questions()
    rng = random.Random(args.seed)
    api = FakeBotApi(TOKEN)
    await api.start()
    run = Run(api)
    started = time.monotonic()
    stop_at = started + args.deadline
    rss: list[tuple[int, int]] = []
    with tempfile.TemporaryDirectory(prefix="citebot-load-") as tmp:
        workdir = Path(tmp)
        process = await _start_bot(api, workdir, args)
        assert process.stderr is not None
        log_task = asyncio.create_task(process.stderr.read())
        try:
            await _warm_up(run, texts, stop_at)
            rss.append((0, _rss_kib(process.pid)))
            if args.faults:
                rates = dataclasses.replace(FAULT_RATES, processed=args.processed)
                for method in ("sendMessage", "getUpdates"):
                    api.set_fault_rates(method, rates, seed=args.seed)
            cpu_before, fake_cpu_before = _cpu_seconds(process.pid), time.process_time()
            begin = time.monotonic()
            users = _plan_users(args)
            sampler = asyncio.create_task(_sample_rss(run, process.pid, rss))
            await asyncio.gather(
                *(
                    _user(run, user_id, chat_id, count, texts, rng, args.wait, stop_at,
                          fresh=bool(args.soak), think=args.think)
                    for user_id, chat_id, count in users
                )
            )
            elapsed = time.monotonic() - begin
            # Late answers (a retry after a 429, a send that outlived a hang) still count.
            api.set_fault_rates("sendMessage", None)
            api.set_fault_rates("getUpdates", None)
            settle = min(args.settle, max(0.0, stop_at - time.monotonic()))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(api.wait_until(lambda: _all_answered(run)), settle)
            sampler.cancel()
            bot_cpu = _cpu_seconds(process.pid) - cpu_before
            fake_cpu = time.process_time() - fake_cpu_before
            rss.append((len(run.questions), _rss_kib(process.pid)))
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()
            log = (await log_task).decode(errors="replace")
            await api.close()
        stats_file = workdir / "stats.json"
        bot_stats = json.loads(stats_file.read_text()) if stats_file.exists() else {}
    return _figures(args, run, log, bot_stats, rss, elapsed, bot_cpu, fake_cpu,
                    process.returncode)


def _plan_users(args: argparse.Namespace) -> list[tuple[int, int, int]]:
    """(user id, chat id, questions) for each simulated user; some users share groups."""
    groups = max(1, args.users // 10)
    in_groups = round(args.users * args.group_share)
    planned: list[tuple[int, int, int]] = []
    total = args.soak or args.users * args.questions
    per_user = max(1, total // args.users)
    for i in range(args.users):
        user_id = 1_000_000 + i
        chat_id = -100_000_000_000 - (i % groups) if i < in_groups else user_id
        planned.append((user_id, chat_id, per_user))
    return planned


async def _sample_rss(run: Run, pid: int, rss: list[tuple[int, int]]) -> None:
    while True:
        await asyncio.sleep(2)
        rss.append((len(run.questions), _rss_kib(pid)))


def _all_answered(run: Run) -> bool:
    return all(key in run.replies for key in run.questions)


def _figures(
    args: argparse.Namespace,
    run: Run,
    log: str,
    bot_stats: JSONDict,
    rss: list[tuple[int, int]],
    elapsed: float,
    bot_cpu: float,
    fake_cpu: float,
    returncode: int | None,
) -> JSONDict:
    asked = len(run.questions)
    counts = Counter(len(run.replies.get(key, [])) for key in run.questions)
    latencies = [
        1000 * (run.replies[key][0] - run.api.pushed_at[q.update_id])
        for key, q in run.questions.items()
        if key in run.replies
    ]
    records = [m for line in log.splitlines() if (m := LOG_RECORD.match(line))]
    engine_total = bot_stats.get("engine_seconds_total", 0.0)
    return {
        "asked": asked,
        "answered": asked - counts[0],
        "lost": counts[0],
        "answered_twice": sum(n for times, n in counts.items() if times > 1),
        "other_messages": dict(run.other_messages),
        "latency_ms": {
            "p50": _percentile(latencies, 0.5),
            "p90": _percentile(latencies, 0.9),
            "p99": _percentile(latencies, 0.99),
            "max": max(latencies, default=float("nan")),
            "mean": statistics.fmean(latencies) if latencies else float("nan"),
        },
        "seconds": elapsed,
        "answers_per_second": (asked - counts[0]) / elapsed if elapsed else 0.0,
        "bot_cpu_seconds": bot_cpu,
        "fake_cpu_seconds": fake_cpu,
        "engine": {
            "questions": bot_stats.get("engine_questions", 0),
            "ms_mean": 1000 * engine_total / max(1, bot_stats.get("engine_questions", 0)),
            "ms_p50": bot_stats.get("engine_ms_p50", 0.0),
            "ms_p99": bot_stats.get("engine_ms_p99", 0.0),
        },
        "faults": {
            f"{method} {kind}": n for (method, kind), n in sorted(run.api.injected.items())
        },
        "faults_processed": {
            f"{method} {kind}": n
            for (method, kind), n in sorted(run.api.injected_processed.items())
        },
        "log_lines": len(log.splitlines()),
        "log_records": Counter(f"{m[1]} {m[2]}" for m in records),
        "log_tail": log.splitlines()[-5:],
        "rss_kib": rss,
        "maps": bot_stats.get("maps", {}),
        "allocation_growth": bot_stats.get("allocation_growth", []),
        "rss_kib_peak": bot_stats.get("rss_kib_peak"),
        "exit_code": returncode,
        "config": {
            "users": args.users, "questions": args.questions, "soak": args.soak,
            "group_share": args.group_share, "faults": args.faults,
            "telegram_limits": args.telegram_limits, "seed": args.seed, "think": args.think,
            "processed": args.processed,
        },
    }


def markdown(figures: JSONDict, command: str) -> str:
    """The figures as the Markdown block quoted in the README."""
    lat = figures["latency_ms"]
    engine = figures["engine"]
    lines = [
        f"`{command}`",
        "",
        "| asked | answered | lost | answered twice | p50 ms | p90 ms | p99 ms | max ms "
        "| answers/s |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {figures['asked']} | {figures['answered']} | {figures['lost']} "
        f"| {figures['answered_twice']} | {lat['p50']:.1f} | {lat['p90']:.1f} "
        f"| {lat['p99']:.1f} | {lat['max']:.0f} | {figures['answers_per_second']:.0f} |",
        "",
        f"- engine: {engine['ms_mean']:.2f} ms a question on average (p99 "
        f"{engine['ms_p99']:.2f} ms), {engine['questions']} questions; "
        f"bot process CPU {figures['bot_cpu_seconds']:.1f} s, fake server CPU "
        f"{figures['fake_cpu_seconds']:.1f} s over {figures['seconds']:.1f} s wall",
        f"- bot exit code {figures['exit_code']}; log: {figures['log_lines']} lines",
    ]
    if figures["other_messages"]:
        lines.append(f"- other messages sent: {figures['other_messages']}")
    if figures["faults"]:
        injected = ", ".join(f"{k}: {v}" for k, v in figures["faults"].items())
        processed = ", ".join(f"{k}: {v}" for k, v in figures["faults_processed"].items())
        lines.append(f"- injected faults: {injected}")
        lines.append(f"- of which Telegram had carried the request out: {processed or 'none'}")
        records = ", ".join(f"{k}: {v}" for k, v in figures["log_records"].most_common())
        lines.append(f"- log records by level and logger: {records}")
    if figures["config"]["soak"]:
        rss = figures["rss_kib"]
        lines.append(
            f"- RSS: {rss[0][1] / 1024:.1f} MiB after warm-up, {rss[-1][1] / 1024:.1f} MiB "
            f"after {rss[-1][0]} questions (peak {(figures['rss_kib_peak'] or 0) / 1024:.1f} MiB)"
        )
        samples = rss[:: max(1, len(rss) // 8)]
        lines.append(
            "- RSS samples (questions: MiB): "
            + ", ".join(f"{n}: {kib / 1024:.1f}" for n, kib in samples)
        )
    if figures["maps"]:
        lines.append(
            "- in-memory maps at the end: "
            + ", ".join(f"{k} {v}" for k, v in figures["maps"].items())
        )
    if figures["allocation_growth"]:
        baseline = int(os.environ.get("LOADBENCH_TRACEMALLOC_BASELINE", "2000"))
        lines.append(f"- live allocations that grew most (from question {baseline:,} to the end):")
        lines.extend(f"  - `{line}`" for line in figures["allocation_growth"])
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50, help="concurrent users (U)")
    parser.add_argument("--questions", type=int, default=20, help="questions per user (M)")
    parser.add_argument("--group-share", type=float, default=0.2,
                        help="share of users asking in groups (10 users a group)")
    parser.add_argument("--faults", action="store_true",
                        help="inject ~15%% faults on sendMessage and getUpdates")
    parser.add_argument("--processed", type=float, default=1.0,
                        help="with --faults: share of 500/502/drop/hang after which Telegram had "
                        "carried the request out (default 1: only the response was lost)")
    parser.add_argument("--soak", type=int, default=0, metavar="N",
                        help="ask N questions in all (spread over --users) and track memory")
    parser.add_argument("--telegram-limits", action="store_true",
                        help="keep the pacing to Telegram's flood limits (30/s, 20/min a group)")
    parser.add_argument("--wait", type=float, default=30.0,
                        help="seconds a user waits for an answer before asking the next")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean seconds a user pauses after an answer (0: asks at once)")
    parser.add_argument("--settle", type=float, default=10.0,
                        help="seconds to wait for late answers at the end")
    parser.add_argument("--deadline", type=float, default=900.0,
                        help="the whole run stops after this many seconds")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run once and print the Markdown summary."""
    args = _parser().parse_args(argv)
    figures = asyncio.run(measure(args))
    command = "python -m benchmarks.load " + " ".join(argv if argv is not None else sys.argv[1:])
    print(markdown(figures, command.strip()))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str), encoding="utf-8")
    return 0 if figures["lost"] == 0 and figures["answered_twice"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
