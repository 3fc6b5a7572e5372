"""A generator of small, varied, realistic news articles for the hardening tests.

Every article is composed from phrase tables written for this project (no outside
text), seeded by a :class:`random.Random`, so a corpus is reproducible. Each one
carries a serial number in its body, which makes every text distinct (distinct
content hash) however the phrases happen to combine.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from tripwire.model import content_hash

PLACES = (
    ("Erbil", "in northern Iraq"),
    ("Al Asad air base", "in Anbar province"),
    ("Camp Taji", "north of Baghdad"),
    ("K-1 air base", "near Kirkuk"),
    ("the Green Zone", "in central Baghdad"),
    ("Balad air base", "in Salahuddin province"),
    ("Baghdad international airport", "in the capital"),
    ("Ain al-Asad", "in western Iraq"),
    ("a logistics convoy route", "south of Nasiriyah"),
    ("Tanf garrison", "in eastern Syria"),
)
WEAPONS = (
    "a salvo of Katyusha rockets",
    "several 107mm rockets",
    "an explosive-laden drone",
    "two armed drones",
    "a roadside bomb",
    "mortar rounds",
    "a volley of short-range rockets",
)
VICTIMS = (
    ("an American contractor", "was killed"),
    ("two coalition soldiers", "were wounded"),
    ("a local guard", "was killed"),
    ("three Iraqi soldiers", "were injured"),
    ("nobody", "was hurt"),
    ("a US service member", "suffered minor injuries"),
    ("a civilian truck driver", "was killed"),
)
ACTORS = (
    "Kataib Hezbollah",
    "Asaib Ahl al-Haq",
    "a little-known group calling itself Ashab al-Kahf",
    "Saraya Awliya al-Dam",
    "remnants of the Islamic State",
    "Harakat al-Nujaba",
)
SPEAKERS = (
    "a US defence official who asked not to be named",
    "the coalition spokesman",
    "Iraqi military officials",
    "a senior State Department official",
    "two people briefed on the investigation",
    "an Iraqi security source",
)
VERBS = ("blamed", "pointed to", "said evidence suggested", "suspected", "privately attributed the attack to")
CLAIMS = (
    "No group claimed responsibility by nightfall.",
    "A statement circulated on Telegram claimed the attack, but its authenticity could not be checked.",
    "The group denied any role in a short statement.",
    "Investigators were still examining the launch site on Tuesday.",
)
CONTEXT = (
    "It was the {n}th attack on facilities hosting foreign troops since the start of the year.",
    "Officials said launch rails were recovered from an orchard {k} kilometres away.",
    "Washington has warned that it will answer any attack that kills Americans.",
    "Tehran rejected suggestions that it had directed the strike.",
    "The Iraqi prime minister ordered an inquiry and called for calm.",
)
OUTLETS = ("Hardening Wire", "Example Gazette", "Tripwire Test Desk", "Field Notes Daily")


@dataclass(frozen=True)
class Article:
    """One generated article: its file name, the bytes written and the text Tripwire should store."""

    name: str
    data: bytes
    body: str
    url: str

    @property
    def doc_id(self) -> str:
        """The content hash ingest must give it."""
        return content_hash(self.body)


def article(rng: random.Random, serial: int) -> Article:
    """One Markdown article with front matter, distinct by ``serial``."""
    place, region = rng.choice(PLACES)
    weapon = rng.choice(WEAPONS)
    victim, fate = rng.choice(VICTIMS)
    actor = rng.choice(ACTORS)
    day = dt.date(2019, 10, 1) + dt.timedelta(days=rng.randrange(0, 540))
    title = f"{weapon[0].upper()}{weapon[1:]} hit {place}; {victim} {fate}"
    paragraphs = [
        f"{weapon[0].upper()}{weapon[1:]} struck {place} {region} late on {day:%A}, and {victim} {fate}, "
        f"according to {rng.choice(SPEAKERS)}.",
        f"{rng.choice(SPEAKERS)[0].upper()}{rng.choice(SPEAKERS)[1:]} {rng.choice(VERBS)} {actor}. {rng.choice(CLAIMS)}",
        rng.choice(CONTEXT).format(n=rng.randrange(4, 40), k=rng.randrange(2, 15)),
        f"Dispatch reference {serial:04d}-{rng.randrange(10**6):06d}.",
    ]
    if rng.random() < 0.5:
        paragraphs[1], paragraphs[2] = paragraphs[2], paragraphs[1]
    body = f"# {title}\n\n" + "\n\n".join(paragraphs)
    url = f"https://example.org/hardening/{day:%Y/%m/%d}/{serial:04d}"
    front = f"---\ntitle: {title}\noutlet: {rng.choice(OUTLETS)}\npublished: {day.isoformat()}\nurl: {url}\n---\n\n"
    return Article(name=f"{day:%Y-%m-%d}-{serial:04d}.md", data=(front + body + "\n").encode("utf-8"), body=body, url=url)


def write_corpus(folder: Path, n: int, *, seed: int, start: int = 0) -> list[Article]:
    """Write ``n`` articles into ``folder`` (created) and return them; texts are pairwise distinct."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    out = [article(rng, start + i) for i in range(n)]
    for item in out:
        (folder / item.name).write_bytes(item.data)
    assert len({a.doc_id for a in out}) == n
    return out
