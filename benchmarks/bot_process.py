"""The real bot process, instrumented for ``benchmarks.load``: ``python -m benchmarks.bot_process``.

It runs exactly what ``citebot run`` runs (``run_bot`` with settings from the environment), with
three additions for measuring, all read from the environment:

- ``LOADBENCH_STATS``: a JSON file written at exit with the engine's time per question, the
  sizes of every in-memory map (flood limiter, answer log, text caches, recording queue) and the
  peak RSS;
- ``LOADBENCH_TIMEOUT`` / ``LOADBENCH_POLL_TIMEOUT``: shorter Bot API read and long-poll
  timeouts, so that a response hung past the client's timeout costs seconds, not a minute;
- ``LOADBENCH_TRACEMALLOC=1``: trace allocations and list, in the statistics, the ten source
  lines whose live memory grew most between the 2,000th question (or
  ``LOADBENCH_TRACEMALLOC_BASELINE``) and the end (slow);
- ``LOADBENCH_TELEGRAM_LIMITS=0``: switch off python-telegram-bot's pacing to Telegram's
  flood limits (30 messages a second, 20 a minute per group) to measure the bot's own capacity;
  the retries stay.
"""

from __future__ import annotations

import functools
import json
import os
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

from bot.answers import Answer, AnswerEngine
from bot.settings import Settings
from bot.telegram import app as app_module
from bot.telegram.retry import RetryingRateLimiter

_engine_seconds: list[float] = []
_applications: list[app_module.CitebotApplication] = []
_baseline: list[tracemalloc.Snapshot] = []
# Allocations are compared from this question on; set it past the caps of the bounded maps
# (10,000 flood-limiter users) to see only what keeps growing after they are full.
BASELINE_AT = int(os.environ.get("LOADBENCH_TRACEMALLOC_BASELINE", "2000"))


def _rss_kib(field: str = "VmRSS") -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _instrument() -> None:
    original_answer = AnswerEngine.answer

    @functools.wraps(original_answer)
    def timed_answer(self: AnswerEngine, question: str, *, explain: bool = False) -> Answer:
        start = time.perf_counter()
        try:
            return original_answer(self, question, explain=explain)
        finally:
            _engine_seconds.append(time.perf_counter() - start)
            if len(_engine_seconds) == BASELINE_AT and tracemalloc.is_tracing():
                _baseline.append(tracemalloc.take_snapshot())

    AnswerEngine.answer = timed_answer  # type: ignore[method-assign]

    original_build = app_module.build_application

    @functools.wraps(original_build)
    def capturing_build(*args: Any, **kwargs: Any) -> app_module.CitebotApplication:
        application = original_build(*args, **kwargs)
        _applications.append(application)
        return application

    app_module.build_application = capturing_build

    if timeout := os.environ.get("LOADBENCH_TIMEOUT"):
        app_module.READ_TIMEOUT = app_module.WRITE_TIMEOUT = float(timeout)
        app_module.CONNECT_TIMEOUT = float(timeout)
    if poll := os.environ.get("LOADBENCH_POLL_TIMEOUT"):
        app_module.POLL_TIMEOUT = int(poll)
    if os.environ.get("LOADBENCH_TELEGRAM_LIMITS") == "0":
        unpaced = functools.partial(RetryingRateLimiter, overall_max_rate=0, group_max_rate=0)
        app_module.RetryingRateLimiter = unpaced  # type: ignore[assignment,attr-defined]


def _stats() -> dict[str, Any]:
    from bot import text

    times = sorted(_engine_seconds)
    stats: dict[str, Any] = {
        "engine_questions": len(times),
        "engine_seconds_total": sum(times),
        "engine_ms_p50": 1000 * times[len(times) // 2] if times else 0.0,
        "engine_ms_p99": 1000 * times[int((len(times) - 1) * 0.99)] if times else 0.0,
        "rss_kib_end": _rss_kib(),
        "rss_kib_peak": _rss_kib("VmHWM"),
        "maps": {
            "text.clean cache": text.clean.cache_info().currsize,
            "text.stem cache": text.stem.cache_info().currsize,
        },
    }
    if _baseline:
        growth = tracemalloc.take_snapshot().compare_to(_baseline[0], "lineno")
        stats["allocation_growth"] = [
            f"{stat.size_diff / 1024:+.0f} KiB {stat.count_diff:+d} blocks "
            f"{stat.traceback[0].filename}:{stat.traceback[0].lineno}"
            for stat in growth[:10]
        ]
    if _applications:
        application = _applications[-1]
        data = application.bot_data
        maps = stats["maps"]
        maps["flood limiter users"] = len(data.limiter)
        maps["inline limiter users"] = len(data.inline_limiter)
        maps["answer log"] = len(data.answers)
        maps["application.user_data"] = len(application.user_data)
        maps["application.chat_data"] = len(application.chat_data)
        maps["update queue"] = application.update_queue.qsize()
        analyzer = data.engine.retriever.analyzer
        maps["typo-correction cache"] = analyzer._correct.cache_info().currsize
        limiter = application.bot.rate_limiter
        group_limiters = getattr(limiter, "_group_limiters", None)
        if group_limiters is not None:
            maps["Telegram group limiters"] = len(group_limiters)
        if data.recorder is not None:
            writer = data.recorder.writer
            maps["recording queue"] = writer._queue.qsize()
            stats["recording_dropped"] = writer.dropped
    return stats


def main() -> int:
    """Run the bot as ``citebot run`` does; write the statistics file on the way out."""
    _instrument()
    if os.environ.get("LOADBENCH_TRACEMALLOC") == "1":
        tracemalloc.start()
    code = app_module.run_bot(Settings())
    if path := os.environ.get("LOADBENCH_STATS"):
        Path(path).write_text(json.dumps(_stats(), indent=2), encoding="utf-8")
    return code


if __name__ == "__main__":
    sys.exit(main())
