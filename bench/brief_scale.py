"""How `tripwire brief` scales with the corpus: seconds, per-article cost and peak RSS at 1k and 10k articles.

    python bench/brief_scale.py [--sizes 1000,10000] [--quick] [--large] [--stage all|attribution]
    python bench/brief_scale.py --scheduler ADDRESS [--sizes 1000]

Each size runs in a fresh process (so its peak RSS is its own) on a corpus
generated for it: events spread over 2016-2024 across the gazetteer's places
in Iraq, Syria, Yemen, Lebanon and the Gulf, each reported by one to five
articles (different outlets, wording and publication day) of 180-420 words,
naming perpetrators, claims, denials, weapons and casualties. ``--large`` adds
100,000 articles (an hour or more on two cores).

``--stage all`` (the default) runs the real ``run_brief`` (ingest, extract on
every core, merge, attribute, check, HTML report) into a fresh SQLite store and
times each stage (wall and CPU seconds, workers included: ``check cpu``; ``cpu`` for the whole brief; ``load``: the
load average at the end); ``--stage attribution`` ingests and extracts untimed and
times only the attribution of every incident (``tripwire.app.jobs.attribute_incidents``), which is what grew with the square of the corpus.
The baseline is the smallest size of the same run: per-article cost at each
size is printed as a ratio to it (target: within 1.5x; issue 11).

``--scheduler ADDRESS`` runs each size twice on the same corpus, serially
(extraction on every core, attribution on every core from 400 incidents) and with the
``dask_scheduler`` setting at ADDRESS, and prints the throughput of both and
their ratio, with the megabytes the Dask run shipped to the workers (the
knowledge base and the attribution context, compressed, times the workers
each went to) and got back as attribution results. ADDRESS is ``local`` (the setting's in-process cluster: threads),
``processes:N`` (this script starts a ``LocalCluster`` of N one-thread worker
processes and warms them on 100 articles, then leaves it running across
sizes, as a standing cluster would be) or the
address of a running scheduler (``tcp://host:8786``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

COUNTRIES = ("IQ", "SY", "YE", "LB", "SA", "AE", "JO", "KW", "BH")
ACTORS = ["Kataib Hezbollah", "Asaib Ahl al-Haq", "Harakat al-Nujaba", "Kataib Sayyid al-Shuhada", "Islamic State", "the Houthis",
          "Hezbollah", "an Iranian-backed militia", "the Badr Organization"]
FRONTS = ["Saraya Awliya al-Dam", "Usbat al-Thaireen", "Ashab al-Kahf"]
WEAPONS = [("rockets", "rocket attack"), ("107mm rockets", "rocket attack"), ("Katyusha rockets", "rocket attack"),
           ("an explosive-laden drone", "drone attack"), ("mortar rounds", "mortar attack"), ("a roadside bomb", "bombing"),
           ("a ballistic missile", "missile attack"), ("a car bomb", "car bombing")]
VICTIMS = [("American", "contractor"), ("American", "service member"), ("Iraqi", "soldier"), ("British", "soldier"), ("Saudi", "guard"),
           ("Syrian", "civilian"), ("Yemeni", "fighter")]
OUTLETS = ["Reuters", "Associated Press", "AFP", "The Washington Post", "The New York Times", "Al Jazeera", "BBC News", "Anadolu Agency"]
NUMBERS = ["one", "two", "three", "four", "five", "six", "seven"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
FILLER = [
    "Residents said they heard several loud explosions before sirens sounded across the area.",
    "Security officials said the area was sealed off while investigators collected fragments at the scene.",
    "The attack was the latest in a series that has raised tensions between Washington and Tehran.",
    "Local officials said medical teams took the wounded to a nearby hospital, where several were in serious condition.",
    "Analysts said the choice of target suggested the attackers had good knowledge of the site and its defences.",
    "The government condemned the attack and promised to find and punish those responsible.",
    "Diplomats said the incident could complicate talks on the withdrawal of foreign troops.",
    "A spokesman for the coalition said its forces retained the right to defend themselves.",
    "Officials did not say whether any aircraft or equipment had been damaged.",
    "Witnesses described a column of smoke rising above the compound for more than an hour.",
]


def places(kb) -> list[str]:  # type: ignore[no-untyped-def]
    """Names of gazetteer places with coordinates in the theatre (cities and sites), in a fixed order."""
    names = sorted({p.name for p in kb.places.values() if p.country in COUNTRIES and p.kind in {"city", "site"} and p.lat is not None
                    and p.name.isascii() and len(p.name) > 4})
    return names


def corpus(n_articles: int, kb, seed: int = 20200105) -> list[str]:  # type: ignore[no-untyped-def]
    """``n_articles`` articles about events spread over 2016-2024, one to five articles per event."""
    rng = np.random.default_rng(seed)
    where = places(kb)
    start, span = dt.date(2016, 1, 1), (dt.date(2024, 12, 31) - dt.date(2016, 1, 1)).days
    out: list[str] = []
    event = 0
    while len(out) < n_articles:
        event += 1
        date = start + dt.timedelta(days=int(rng.integers(0, span)))
        place = where[int(rng.integers(len(where)))]
        weapon, attack = WEAPONS[int(rng.integers(len(WEAPONS)))]
        actor = ACTORS[int(rng.integers(len(ACTORS)))]
        front = FRONTS[int(rng.integers(len(FRONTS)))]
        nationality, category = VICTIMS[int(rng.integers(len(VICTIMS)))]
        killed = NUMBERS[int(rng.integers(len(NUMBERS)))]
        injured = int(rng.integers(0, 20))
        claimed = rng.random() < 0.4
        for copy in range(int(rng.integers(1, 6))):
            published = date + dt.timedelta(days=int(rng.integers(0, 3)))
            day = WEEKDAYS[date.weekday()]
            outlet = OUTLETS[int(rng.integers(len(OUTLETS)))]
            paragraphs = [
                f"{weapon[0].upper() + weapon[1:]} struck {place} on {day}, killing {killed} {nationality} {category}s and wounding {injured} other people, officials said.",
                f"US officials said {actor} was suspected of carrying out the {attack}, though they did not present evidence." if copy % 2 == 0 else
                f"Two officials, speaking on condition of anonymity, blamed {actor} for the {attack}.",
            ]
            if claimed:
                paragraphs.append(f"A little-known group calling itself {front} claimed the attack in a statement on Telegram.")
            if rng.random() < 0.5:
                paragraphs.append(f"{actor[0].upper() + actor[1:]} denied any involvement in the {attack}.")
            fill = rng.choice(len(FILLER), size=int(rng.integers(3, 9)), replace=False)
            paragraphs += [FILLER[int(k)] for k in fill]
            paragraphs.append(f"Event {event}, report {copy + 1}.")
            title = f"{attack.capitalize()} on {place}"
            out.append(f"---\ntitle: {title}\noutlet: {outlet}\npublished: {published.isoformat()}\n---\n\n" + "\n\n".join(paragraphs) + "\n")
            if len(out) >= n_articles:
                break
    return out


def peak_rss_mb() -> float:
    """Peak resident memory of this process and of its finished children (extraction workers), MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024.0


def cpu_seconds() -> float:
    """CPU seconds of this process and of its finished children (the extraction and attribution workers, counted when their pool closes)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def run_one(n: int, stage: str, scheduler: str = "") -> dict[str, float]:
    """One size in this process: generate, then run the brief (or attribution only) and time it."""
    from tripwire.app import jobs, outputs
    from tripwire.app.context import open_context
    from tripwire.knowledge import KnowledgeBase
    from tripwire.settings import Settings

    kb = KnowledgeBase.load()
    stages: dict[str, float] = {}

    def timed(name, fn):  # type: ignore[no-untyped-def]
        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            t, c = time.perf_counter(), cpu_seconds()
            try:
                return fn(*args, **kwargs)
            finally:
                stages[name] = stages.get(name, 0.0) + time.perf_counter() - t
                stages[f"{name} cpu"] = stages.get(f"{name} cpu", 0.0) + cpu_seconds() - c
        return wrapper

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "articles"
        folder.mkdir()
        for i, text in enumerate(corpus(n, kb)):
            (folder / f"a{i:06d}.md").write_text(text, encoding="utf-8")
        settings = Settings({"database_url": f"sqlite:///{Path(tmp) / 'brief.db'}", "progress": False, "report_dir": str(Path(tmp) / "report"),
                             "dask_scheduler": scheduler}, environ={})
        if stage == "attribution":
            from tripwire.ingest import ingest

            with open_context(settings, kb=kb) as ctx:
                ingest(ctx.store, [folder], settings=settings)
                jobs.merge_and_save(ctx, jobs.extract_documents(ctx))
                incidents_, actions_ = jobs.store_events(ctx)
                t = time.perf_counter()
                results = jobs.attribute_incidents(ctx, incidents_, actions_)
                stages["attribute"] = time.perf_counter() - t
            total = stages["attribute"]
            incidents = len(results)
        else:
            jobs.extract_documents = timed("extract", jobs.extract_documents)
            jobs.merge_and_save = timed("merge+save", jobs.merge_and_save)
            jobs.attribute_incidents = timed("attribute", jobs.attribute_incidents)
            jobs.check = timed("check", jobs.check)  # attributes every live incident, then checks the rules
            outputs.write_report = timed("report", outputs.write_report)
            t, c = time.perf_counter(), cpu_seconds()
            result = jobs.run_brief(settings, sources=[folder])
            total = time.perf_counter() - t
            stages["cpu"] = cpu_seconds() - c
            stages["load"] = os.getloadavg()[0]
            incidents = len(result.incidents)
            report = Path(tmp) / "report"
            stages["report MB"] = sum(p.stat().st_size for p in report.rglob("*") if p.is_file()) / 1e6
    if scheduler:
        from tripwire.cluster import SHIPPED

        stages["shipped MB"] = SHIPPED.sent / 1e6  # knowledge base and context, compressed, times the workers they went to
        stages["returned MB"] = SHIPPED.returned / 1e6  # attribution results
    return {"articles": n, "incidents": incidents, "seconds": total, "peak_rss_mb": peak_rss_mb(), **stages}


def child(n: int, stage: str, scheduler: str = "") -> dict[str, float]:
    """:func:`run_one` in a fresh process."""
    done = subprocess.run([sys.executable, __file__, "--child", str(n), "--stage", stage, "--scheduler", scheduler],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"size {n} ({scheduler or 'serial'}) failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.splitlines()[-1])


def against_serial(sizes: list[int], stage: str, scheduler: str) -> None:
    """Each size serially and on Dask (same corpus): seconds, articles per second and the ratio, stage by stage."""
    import contextlib

    with contextlib.ExitStack() as stack:
        address = scheduler
        if scheduler.startswith("processes:"):
            import logging

            import distributed

            workers = int(scheduler.split(":", 1)[1])
            cluster = stack.enter_context(distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                                                   dashboard_address=None, silence_logs=logging.ERROR))
            address = cluster.scheduler_address
            child(100, stage, address)  # warm the workers (imports, first extraction and attribution), as a standing cluster is
        print(f"stage: {stage}; Dask: {scheduler} ({address}); cores here: {os.cpu_count()}; python {sys.version.split()[0]}; each run in its own process")
        print(f"{'articles':>9} {'incidents':>9} {'serial s':>9} {'dask s':>8} {'serial art/s':>12} {'dask art/s':>10} {'dask/serial':>11}  stages serial | dask")
        for n in sizes:
            serial, on_dask = child(n, stage), child(n, stage, address)
            keys = [k for k in ("extract", "merge+save", "check", "attribute") if k in serial]
            print(f"{n:9d} {serial['incidents']:9d} {serial['seconds']:9.2f} {on_dask['seconds']:8.2f} {n / serial['seconds']:12.1f} "
                  f"{n / on_dask['seconds']:10.1f} {serial['seconds'] / on_dask['seconds']:10.2f}x  "
                  + "  ".join(f"{k} {serial[k]:.2f} | {on_dask[k]:.2f}" for k in keys)
                  + "".join(f"  {k} {on_dask[k]:.2f}" for k in ("shipped MB", "returned MB") if k in on_dask))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default=None, help="comma-separated article counts (default 1000,10000)")
    ap.add_argument("--quick", action="store_true", help="300 and 1,000 articles")
    ap.add_argument("--large", action="store_true", help="add 100,000 articles")
    ap.add_argument("--stage", choices=("all", "attribution"), default="all")
    ap.add_argument("--scheduler", default="", help="also run on Dask: local, processes:N or tcp://host:port; prints throughput against serial")
    ap.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child is not None:
        print(json.dumps(run_one(args.child, args.stage, args.scheduler)))
        return
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else ([300, 1000] if args.quick else [1000, 10000])
    if args.large:
        sizes.append(100_000)
    if args.scheduler:
        against_serial(sizes, args.stage, args.scheduler)
        return
    print(f"stage: {args.stage}; cores: {os.cpu_count()}; python {sys.version.split()[0]}; each size in its own process")
    rows = [child(n, args.stage) for n in sizes]
    base = rows[0]["seconds"] / rows[0]["articles"]
    extra = [k for k in rows[0] if k not in {"articles", "incidents", "seconds", "peak_rss_mb"}]
    print(f"{'articles':>9} {'incidents':>9} {'seconds':>9} {'ms/article':>10} {'vs smallest':>11} {'peak RSS MB':>11}  " + "  ".join(extra))
    for r in rows:
        per = r["seconds"] / r["articles"]
        print(f"{r['articles']:9d} {r['incidents']:9d} {r['seconds']:9.2f} {per * 1000:10.2f} {per / base:10.2f}x {r['peak_rss_mb']:11.0f}  "
              + "  ".join(f"{k} {r.get(k, 0.0):.2f}" for k in extra))
    if len(rows) > 1:
        a, b = rows[0], rows[-1]
        ia, ib = max(a["incidents"], 1), max(b["incidents"], 1)
        key = "attribute" if "attribute" in a else "seconds"
        if a.get(key) and b.get(key) and ib > ia:
            exponent = np.log(b[key] / a[key]) / np.log(ib / ia)
            print(f"attribution time grows as incidents^{exponent:.2f} between {ia} and {ib} incidents")


if __name__ == "__main__":
    main()
