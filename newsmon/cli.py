"""``newsmon``: the one command-line entry point, a subcommand per job.

Each subcommand parses its arguments and calls into the package that does the work (deploy/ for
the stack, streams/ for Kafka, api/ for search, processors/ for offline enrichment), so this
module holds no logic of its own beyond presenting results.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from config import Settings, get_settings
from newsmon.chaos import SCHEDULES
from processors.errors import NewsmonError

__all__ = ["main"]


# --- stack ------------------------------------------------------------------------------------
def _shaped_settings(args: argparse.Namespace) -> Settings:
    """The settings, with the stack's size from ``--brokers`` / ``--es-nodes`` when given (and
    the addresses and replication that follow from it)."""
    shape = {
        key: value
        for key, value in (("stack_brokers", args.brokers), ("stack_es_nodes", args.es_nodes))
        if value is not None
    }
    return Settings(**shape) if shape else get_settings()


def _add_shape_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--brokers",
        type=int,
        choices=range(1, 6),
        metavar="N",
        help="Kafka brokers, each a KRaft controller too (default: NEWSMON_STACK_BROKERS or 1)",
    )
    p.add_argument(
        "--es-nodes",
        type=int,
        choices=range(1, 4),
        metavar="M",
        help="Elasticsearch nodes (default: NEWSMON_STACK_ES_NODES or 1)",
    )


def _cmd_stack(args: argparse.Namespace) -> int:
    from deploy import stack

    settings = _shaped_settings(args)
    only = [args.service] if args.service else None
    if args.action == "up":
        print("starting the local stack (first run downloads Kafka and Elasticsearch)...")
        for row in stack.up(settings, only):
            print(row.line())
        if settings.stack_brokers > 1 or settings.stack_es_nodes > 1:
            print(
                "for newsmon's other commands on this cluster: export "
                f"NEWSMON_STACK_BROKERS={settings.stack_brokers} "
                f"NEWSMON_STACK_ES_NODES={settings.stack_es_nodes}"
            )
    elif args.action == "down":
        stopped = stack.down(settings, only)
        print("stopped: " + (", ".join(stopped) if stopped else "nothing was running"))
    else:
        rows = stack.status(settings)
        for row in rows:
            print(row.line())
        return 0 if all(r.healthy for r in rows) else 3
    return 0


def _cmd_topics(args: argparse.Namespace) -> int:
    from streams.topics import ensure_topics, topic_specs

    settings = get_settings()
    created = ensure_topics(settings)
    for spec in topic_specs(settings):
        state = "created" if spec.name in created else "exists"
        print(f"{spec.name:<28} partitions={spec.partitions:<3} {state}")
    return 0


def _cmd_index(args: argparse.Namespace) -> int:
    from streams.indexing import ensure_articles_index_sync

    settings = get_settings()
    ensure_articles_index_sync(settings)
    print(f"index template and alias {settings.articles_alias!r} ready at {settings.es_url}")
    return 0


def _cmd_worker(args: argparse.Namespace) -> int:
    from config.logs import configure_logging
    from streams.worker import run_worker

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    run_worker(settings)
    return 0


def _cmd_produce(args: argparse.Namespace) -> int:
    from streams.producer import iter_messages, produce_messages
    from streams.topics import ensure_topics

    settings = get_settings()
    ensure_topics(settings)
    messages = list(iter_messages(args.source))
    report = produce_messages(
        settings, iter(messages), topic=args.topic, progress=not args.quiet, total=len(messages)
    )
    print(f"sent {report.sent}, failed {report.failed}", file=sys.stderr)
    return 0 if report.failed == 0 else 1


def _cmd_enrich(args: argparse.Namespace) -> int:
    from processors.enrich import Enricher

    settings = get_settings()
    enricher = Enricher.from_settings(settings)
    source = sys.stdin.buffer if args.input == "-" else open(args.input, "rb")  # noqa: SIM115
    sink = sys.stdout if args.output == "-" else open(args.output, "w", encoding="utf-8")  # noqa: SIM115
    rejected = 0
    try:
        batch: list[bytes] = []
        line_no = 0

        def flush() -> None:
            nonlocal rejected
            for offset, outcome in enumerate(enricher.process_messages(batch)):
                if outcome.ok:
                    sink.write(json.dumps(outcome.article, ensure_ascii=False) + "\n")
                else:
                    rejected += 1
                    assert outcome.error is not None
                    number = line_no - len(batch) + offset + 1
                    error = {"line": number, "error": outcome.error.to_dict()}
                    sink.write(json.dumps(error, ensure_ascii=False) + "\n")
                    print(f"line {number}: {outcome.error.message}", file=sys.stderr)
            batch.clear()

        for raw in source:
            line_no += 1
            batch.append(raw.rstrip(b"\r\n"))
            if len(batch) >= settings.batch_size:
                flush()
        flush()
    finally:
        if source is not sys.stdin.buffer:
            source.close()
        if sink is not sys.stdout:
            sink.close()
    return 0 if rejected == 0 else 2


def _cmd_search(args: argparse.Namespace) -> int:
    from api.search import parse_since, search_articles
    from streams.indexing import sync_client

    settings = get_settings()
    since = parse_since(args.since) if args.since else None
    color = sys.stdout.isatty()
    mark = ("\033[1;33m", "\033[0m") if color else ("«", "»")
    result = search_articles(
        sync_client(settings), settings, args.query, since=since, limit=args.limit, mark=mark
    )
    if args.json:
        for hit in result.hits:
            print(json.dumps({**hit.summary(), "highlights": hit.highlights}, ensure_ascii=False))
        return 0
    print(f"{result.total} match(es) for {args.query!r}; showing {len(result.hits)}\n")
    for n, hit in enumerate(result.hits, 1):
        meta = " · ".join(x for x in (hit.date, hit.source, hit.id) if x)
        print(f"{n}. {hit.title}\n   {meta}")
        for snippet in hit.highlights:
            print(f"   {snippet}")
        print()
    return 0


def _since(value: str | None) -> datetime | None:
    """``--since``: a duration back from now (``2h``, ``7d``) or an ISO 8601 time."""
    from processors.alerting.rules import parse_duration

    if not value:
        return None
    try:
        return datetime.now(UTC) - parse_duration(value)
    except ValueError:
        pass
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise NewsmonError(
            f"--since {value!r} is neither a duration (30m, 2h, 7d) nor an ISO 8601 time"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _cmd_dlq(args: argparse.Namespace) -> int:
    from streams.deadletter import read_dead_letters, replay_dead_letters

    settings = get_settings()
    if args.action == "replay":
        reasons = {r.strip() for part in args.reason or [] for r in part.split(",") if r.strip()}
        done = replay_dead_letters(
            settings, reasons=reasons or None, since=_since(args.since), dry_run=args.dry_run
        )
        verb = "would re-send" if args.dry_run else "re-sent"
        total = sum(done.sent.values())
        print(f"{verb} {total} original(s) from {settings.dlq_topic}: {done.sent or {}}")
        print(
            f"  left {done.left} outside the filters, {done.repeats} repeat(s) of an original "
            f"sent once, {done.skipped_empty} empty (nothing to send); the dead letters stay"
        )
        return 0
    letters = read_dead_letters(settings, limit=args.limit, timeout_s=args.timeout)
    for letter in letters:
        preview = (letter.value or b"")[:120].decode("utf-8", "replace").replace("\n", " ")
        print(
            f"{letter.failed_at}  {letter.stage:<6} {letter.reason:<15} "
            f"{letter.source_topic}/{letter.source_partition}/{letter.source_offset}\n"
            f"    {letter.error}\n    value: {preview!r}"
        )
    print(f"{len(letters)} dead letter(s) on {settings.dlq_topic}", file=sys.stderr)
    return 0


def _cmd_reprocess(args: argparse.Namespace) -> int:
    from newsmon.reprocess import run_reprocess
    from processors.alerting.rules import parse_duration

    try:
        since = parse_duration(args.since)
    except ValueError as exc:
        raise NewsmonError(f"--since: {exc}") from None
    run_reprocess(get_settings(), since=since, rate=args.rate, dry_run=args.dry_run)
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from newsmon.run import run_everything

    return run_everything(get_settings(), samples=args.samples, wait=not args.no_wait)


def _cmd_bench(args: argparse.Namespace) -> int:
    from newsmon.bench import run_pipeline_bench
    from newsmon.latency import run_latency_bench
    from newsmon.percolator import run_percolator_bench
    from newsmon.rulebench import run_rules_bench

    settings, output = get_settings(), Path(args.json)
    status = 0
    if args.what in ("pipeline", "all"):
        status |= run_pipeline_bench(settings, n=args.n, output=output)
    if args.what in ("rules", "all"):
        status |= run_rules_bench(settings, output=output)
    if args.what in ("latency", "all"):
        status |= run_latency_bench(
            settings,
            output=output,
            workers=args.workers,
            rules=args.rules,
            loads=tuple(args.loads),
            seconds=args.seconds,
        )
    if args.what in ("percolator", "all"):
        status |= run_percolator_bench(settings, output=output)
    return status


def _cmd_chaos(args: argparse.Namespace) -> int:
    from newsmon.chaos import run_chaos

    status = 0
    for _ in range(args.runs):
        result = run_chaos(
            _shaped_settings(args),
            n=args.n,
            rate=args.rate,
            load=args.load,
            workers=args.workers,
            schedule=args.schedule,
            output=Path(args.json),
            keep=args.keep,
        )
        status |= 0 if result["ok"] else 1
    return status


def _cmd_eval(args: argparse.Namespace) -> int:
    from newsmon.evaluate import run_eval

    tasks = [t.strip() for t in args.tasks.split(",") if t.strip()]
    return run_eval(get_settings(), tasks=tasks, out_dir=Path(args.out))


def _cmd_rules(args: argparse.Namespace) -> int:
    from processors.alerting.rules import load_rules
    from processors.errors import InvalidRule
    from streams.rulestore import delete_rule, publish_rules, read_rules

    settings = get_settings()
    if args.action == "add":
        try:
            rules = load_rules(args.file)
        except InvalidRule as exc:
            print(f"refused, nothing was added:\n{exc}", file=sys.stderr)
            return 2
        from streams.topics import ensure_topics

        ensure_topics(settings)
        publish_rules(settings, rules)
        for rule in rules:
            print(f"added {rule.id}: {rule.name}")
        return 0
    if args.action == "rm":
        store = read_rules(settings)
        if args.rule_id not in store.rules and args.rule_id not in store.invalid:
            print(f"no rule {args.rule_id!r}", file=sys.stderr)
            return 1
        delete_rule(settings, args.rule_id)
        print(f"removed {args.rule_id}")
        return 0
    if args.action == "list":
        store = read_rules(settings)
        for rule in sorted(store.rules.values(), key=lambda r: r.id):
            state = "" if rule.enabled else " (disabled)"
            print(f"{rule.id:<32} {rule.name}{state}")
        for rule_id, error in sorted(store.invalid.items()):
            print(f"{rule_id:<32} INVALID: {error}")
        print(f"{len(store.rules)} rule(s)", file=sys.stderr)
        return 0
    if args.action == "show":
        import yaml

        rule = read_rules(settings).rules.get(args.rule_id)
        if rule is None:
            print(f"no rule {args.rule_id!r}", file=sys.stderr)
            return 1
        shown = {"id": rule.id, "name": rule.name} | rule.model_dump(
            exclude_none=True, exclude_defaults=True
        )
        print(yaml.safe_dump(shown, sort_keys=False), end="")
        return 0
    return _rules_test(args, settings)


def _rules_test(args: argparse.Namespace, settings: Any) -> int:
    from api.search import parse_since
    from processors.alerting.matching import RuleSet
    from processors.alerting.rules import load_rules
    from processors.errors import InvalidRule
    from streams.history import iter_articles

    try:
        rules = load_rules(args.file)
    except InvalidRule as exc:
        print(f"invalid rule file:\n{exc}", file=sys.stderr)
        return 2
    ruleset = RuleSet.of(rules)
    if args.input:
        source = sys.stdin if args.input == "-" else open(args.input, encoding="utf-8")  # noqa: SIM115
        articles = (json.loads(line) for line in source if line.strip())
    else:
        since = parse_since(args.since or "24h")
        articles = iter_articles(settings, since=since, limit=args.limit)
    fired, seen = 0, 0
    for article in articles:
        if "id" not in article:
            continue
        seen += 1
        for match in ruleset.match(article):
            fired += 1
            what = (
                match.evidence.get("snippet")
                or json.dumps(
                    {k: v for k, v in match.evidence.items() if k != "terms"}, ensure_ascii=False
                )[:160]
            )
            title = (article.get("title") or article.get("text") or "")[:80]
            print(f"{match.rule.id:<24} {article['id']}  {title}\n    {what}")
    print(f"{fired} alert(s) would have fired on {seen} article(s)", file=sys.stderr)
    return 0


def _cmd_feeds(args: argparse.Namespace) -> int:
    import asyncio

    if args.action == "serve":
        return _feeds_serve(args)

    from config.logs import configure_logging
    from streams.feeds import FeedPoller, load_feeds
    from streams.topics import ensure_topics

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    feeds = load_feeds(Path(args.config))
    ensure_topics(settings)
    poller = FeedPoller(settings, feeds)
    asyncio.run(poller.run(once=args.once))
    if args.once:
        for state in poller.status.values():
            print(
                f"{state['url']}: {state.get('items', 0)} item(s) so far, "
                f"last error: {state.get('last_error') or '-'}"
            )
    return 0


def _feeds_serve(args: argparse.Namespace) -> int:
    import threading
    from datetime import timedelta

    from deploy.feedserver import SAMPLE_FEED_DIR, FeedServer

    ago = None if args.dates_as_written else timedelta(minutes=30)
    server = FeedServer(Path(args.dir) if args.dir else SAMPLE_FEED_DIR, port=args.port, ago=ago)
    print(f"serving {server.directory} at {server.url}", flush=True)
    server.start()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


def _cmd_api(args: argparse.Namespace) -> int:
    from api.main import serve

    serve(get_settings())
    return 0


def _cmd_settings(args: argparse.Namespace) -> int:
    from config.settings import Settings

    if args.markdown:
        print("| variable | default | what it sets |\n|---|---|---|")
        for name, info in Settings.model_fields.items():
            default = info.get_default(call_default_factory=False)
            if info.default_factory is not None:
                default = {"cache_dir": "`~/.cache/newsmon`", "shared_dir": "`../shared`"}.get(
                    name, "(empty)"
                )
            elif default is None:
                default = "(unset)"
            else:
                default = f"`{default}`" if default != "" else "(empty)"
            print(f"| `NEWSMON_{name.upper()}` | {default} | {info.description} |")
        return 0
    settings = get_settings()
    for name in Settings.model_fields:
        print(f"NEWSMON_{name.upper()}={getattr(settings, name)}")
    return 0


def _parser() -> argparse.ArgumentParser:
    """Every command and its options, declared one after another (long, and flat on purpose:
    the command line reads as one table)."""
    parser = argparse.ArgumentParser(
        prog="newsmon", description="Streaming news monitoring on Kafka and Elasticsearch."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("stack", help="start, stop or inspect the local Kafka + Elasticsearch")
    p.add_argument("action", choices=["up", "down", "status"])
    p.add_argument(
        "--service",
        metavar="NAME",
        help="only this service (kafka, elasticsearch) or node (kafka-2)",
    )
    _add_shape_arguments(p)
    p.set_defaults(func=_cmd_stack)

    p = sub.add_parser("topics", help="create newsmon's topics if missing, and list them")
    p.set_defaults(func=_cmd_topics)

    p = sub.add_parser("index", help="install the index template and alias if missing")
    p.set_defaults(func=_cmd_index)

    p = sub.add_parser("worker", help="run the Faust worker (enrich and index agents)")
    p.set_defaults(func=_cmd_worker)

    p = sub.add_parser("feeds", help="poll RSS / Atom / JSON feeds into the articles topic")
    feeds = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    f = feeds.add_parser("run", help="poll every feed on its interval (until stopped)")
    f.add_argument("--config", required=True, help="YAML file listing the feeds")
    f.add_argument("--once", action="store_true", help="poll each feed once, then stop")
    f = feeds.add_parser("serve", help="serve a folder of feeds and pages (the bundled sample)")
    f.add_argument("--dir", help="folder to serve (default: samples/feed)")
    f.add_argument("--port", type=int, default=8010, help="port on 127.0.0.1 (default 8010)")
    f.add_argument(
        "--dates-as-written",
        action="store_true",
        help="serve the files' dates unchanged (by default they are moved so that the newest "
        "is half an hour old)",
    )
    p.set_defaults(func=_cmd_feeds)

    p = sub.add_parser("api", help="serve the HTTP API and the desk UI")
    p.set_defaults(func=_cmd_api)

    p = sub.add_parser("produce", help="send articles (JSONL, folder of .json/.txt, -) to Kafka")
    p.add_argument("source", help="a .jsonl/.json/.txt file, a folder of them, or - for stdin")
    p.add_argument("--topic", help="topic to send to (default: the articles topic)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_produce)

    p = sub.add_parser("enrich", help="enrich JSONL offline (no Kafka, no Elasticsearch)")
    p.add_argument("--input", default="-", help="JSONL of articles, or - for stdin")
    p.add_argument("--output", default="-", help="where enriched JSONL goes, or - for stdout")
    p.set_defaults(func=_cmd_enrich)

    p = sub.add_parser("search", help="search indexed articles")
    p.add_argument("query", help="e.g. 'clash AND \"security council\" NOT football'")
    p.add_argument("--since", help="only articles of the last 30m, 24h, 7d, ...")
    p.add_argument("--limit", type=int, default=10, help="hits to show (default 10)")
    p.add_argument("--json", action="store_true", help="one JSON object per hit")
    p.set_defaults(func=_cmd_search)

    p = sub.add_parser(
        "dlq", help="show dead-lettered messages with their reasons, or replay them after a fix"
    )
    p.add_argument("action", nargs="?", choices=["list", "replay"], default="list")
    p.add_argument("--limit", type=int, default=50, help="list: at most this many")
    p.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for records")
    p.add_argument(
        "--reason", action="append", help="replay: only this reason (repeat or comma-separate)"
    )
    p.add_argument("--since", help="replay: dead-lettered since (2h, 7d, or an ISO 8601 time)")
    p.add_argument("--dry-run", action="store_true", help="replay: count, send nothing")
    p.set_defaults(func=_cmd_dlq)

    p = sub.add_parser(
        "reprocess", help="re-enrich stored articles with the current pipeline (by version)"
    )
    p.add_argument("--since", required=True, help="articles enriched in the last 30m, 2h, 30d")
    p.add_argument(
        "--rate", type=float, default=20.0, help="articles per second sent (live ones go between)"
    )
    p.add_argument("--dry-run", action="store_true", help="count, send nothing")
    p.set_defaults(func=_cmd_reprocess)

    p = sub.add_parser("run", help="stack, worker, desk, sample feed and articles: the whole thing")
    p.add_argument("--samples", default=None, help="articles to produce at start (file or folder)")
    p.add_argument("--no-wait", action="store_true", help="set up, produce, then exit")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("bench", help="benchmarks: the pipeline, rule matching, alert latency")
    p.add_argument(
        "what",
        nargs="?",
        choices=["all", "pipeline", "rules", "latency", "percolator"],
        default="all",
    )
    p.add_argument("--n", type=int, default=2000, help="articles to push (default 2000)")
    p.add_argument(
        "--seconds", type=float, default=60, help="latency: measured seconds at each load"
    )
    p.add_argument("--workers", type=int, default=2, help="latency: workers in the group")
    p.add_argument("--rules", type=int, default=10_000, help="latency: generated rules held")
    p.add_argument(
        "--loads",
        type=float,
        nargs="+",
        default=[0.25, 0.5, 0.8],
        help="latency: loads as fractions of the capacity measured first",
    )
    p.add_argument("--json", default="bench/results.json", help="where to write the figures")
    p.set_defaults(func=_cmd_bench)

    p = sub.add_parser("chaos", help="a fault campaign on real processes, ending in a count")
    p.add_argument(
        "--n",
        type=int,
        default=5000,
        help="articles to send (more follow, for 40 s after the last fault clears)",
    )
    p.add_argument("--rate", type=float, default=8.0, help="articles per second (at most)")
    p.add_argument(
        "--load",
        type=float,
        default=None,
        help="measure the workers' capacity first and send at this fraction of it (at most "
        "--rate): recovery times compare across machines only at the same load",
    )
    p.add_argument("--workers", type=int, default=2, help="workers in the consumer group")
    p.add_argument(
        "--schedule",
        default="full",
        choices=SCHEDULES,
        help="the faults (cluster: a broker SIGKILLed and an ES node stopped, on --brokers 3 "
        "--es-nodes 2)",
    )
    p.add_argument("--runs", type=int, default=1, help="campaigns in a row")
    p.add_argument("--json", default="bench/chaos.json", help="where to write the figures")
    p.add_argument(
        "--keep",
        action="store_true",
        help="keep the campaign's topics, index and groups (deleted at the end by default)",
    )
    _add_shape_arguments(p)
    p.set_defaults(func=_cmd_chaos)

    p = sub.add_parser("rules", help="standing alert rules: add, list, show, rm, test")
    rules = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    r = rules.add_parser("add", help="validate a YAML/JSON rule file and publish its rules")
    r.add_argument("file")
    rules.add_parser("list", help="the rules every worker holds")
    r = rules.add_parser("show", help="one rule, as YAML")
    r.add_argument("rule_id")
    r = rules.add_parser("rm", help="delete a rule (a tombstone on the alert-rules topic)")
    r.add_argument("rule_id")
    r = rules.add_parser("test", help="what a rule file would have fired on past articles")
    r.add_argument("file")
    r.add_argument("--input", help="JSONL of enriched articles (or - for stdin)")
    r.add_argument("--since", help="articles of the last 24h, 7d, ... from Elasticsearch")
    r.add_argument("--limit", type=int, default=10_000, help="at most this many articles")
    p.set_defaults(func=_cmd_rules)

    p = sub.add_parser("eval", help="score enrichment on ../shared/dev-eval with its scorer")
    p.add_argument(
        "--tasks",
        default="ner,geo,events,articles",
        help="comma-separated: ner,geo,events,articles",
    )
    p.add_argument("--out", default="eval-out", help="folder for predictions and metrics")
    p.set_defaults(func=_cmd_eval)

    p = sub.add_parser("settings", help="print the settings in effect (or the README table)")
    p.add_argument("--markdown", action="store_true", help="the README's settings table")
    p.set_defaults(func=_cmd_settings)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except NewsmonError as exc:
        print(f"newsmon {args.command}: {exc}", file=sys.stderr)
        return 1
    except (FileNotFoundError, ValueError) as exc:
        print(f"newsmon {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _entry() -> Any:  # pragma: no cover
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    _entry()
