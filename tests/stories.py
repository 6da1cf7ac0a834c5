"""Generated news with known stories: the labelled set for same-story detection.

Each story (a company, what it did, to what, where, how much) is told by one to four
providers, each in its own words: verbs swapped for synonyms, the parts reordered, a
prefix or the provider's name added, the amount written another way, a different excerpt
around the same facts. Hard negatives come for free and on purpose: the same company doing
something else, the same deed by another company, the same provider and topic.

    stories(n, seed) -> list of Story(relpath, title, excerpt, provider, date, url, story)
    write_folder(root, items)  writes them as articles
"""

from __future__ import annotations

import os
import random
import zlib
from dataclasses import dataclass

_SYLLABLES = [
    "ka",
    "ve",
    "lo",
    "ri",
    "tes",
    "mo",
    "zu",
    "pex",
    "qua",
    "dro",
    "nix",
    "bel",
    "sor",
    "fin",
    "tra",
    "gal",
    "cor",
    "vin",
    "ul",
    "mer",
    "sa",
    "op",
    "hy",
    "lux",
    "ter",
]
_SUFFIXES = ["", "", " AI", " Labs", " Robotics", " Systems", " Health", " Analytics", " Motors", " Bio"]
PLACES = """Lisbon|Osaka|Nairobi|Toronto|Munich|Austin|Seoul|Lagos|Madrid|Denver|Oslo|Chennai|Lima|Hanoi|Dublin|Perth|
Boston|Bogotá|Cairo|Krakow|Porto|Kyoto|Accra|Calgary|Hamburg|Dallas|Busan|Abuja|Seville|Phoenix|Bergen|Pune|Quito|
Da Nang|Cork|Adelaide|Atlanta|Medellín|Giza|Gdansk|Lyon|Sapporo|Kigali|Ottawa|Leipzig|Tulsa|Incheon|Kano|Bilbao|
Tucson|Tromsø|Mysore|Cusco|Hue|Galway|Hobart|Miami|Cali|Luxor|Poznan""".replace("\n", "").split("|")


def _companies(rng: random.Random, n: int) -> list[str]:
    names = set()
    while len(names) < n:
        word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.choice([2, 2, 3])))
        names.add(word.capitalize() + rng.choice(_SUFFIXES))
    return sorted(names)


DEEDS = [
    ("raises {amount} for {thing}", "secures {amount} to expand {thing}", "lands {amount} in funding for {thing}",
     "{company}'s {thing} draws {amount} from investors"),
    ("launches {thing} in {place}", "rolls out {thing} across {place}", "debuts {thing} in {place}",
     "{place} gets {company}'s new {thing}"),
    ("partners with {place} city council on {thing}", "teams up with {place} officials for {thing}",
     "signs a {thing} deal with {place}", "{place} picks {company} for {thing}"),
    ("cuts {amount} from {thing} budget", "trims {thing} spending by {amount}",
     "slashes {amount} in {thing} costs", "{company} scales back {thing}, saving {amount}"),
    ("acquires {thing} start-up in {place}", "buys a {place} {thing} start-up",
     "snaps up {thing} maker based in {place}", "{place} {thing} firm sold to {company}"),
]  # fmt: skip
THINGS = """speech recognition|warehouse robots|robotaxi service|chip design tools|medical imaging|fraud detection|
crop-counting drones|translation engine|code assistant|weather forecasting|protein folding|legal research|
customer support bots|satellite imaging|battery research|video generation|voice cloning|search engine|
self-driving trucks|factory inspection""".replace("\n", "").split("|")
PLACES = """Lisbon|Osaka|Nairobi|Toronto|Munich|Austin|Seoul|Lagos|Madrid|Denver|Oslo|Chennai|Lima|Hanoi|Dublin|Perth|
Boston|Bogotá|Cairo|Krakow""".replace("\n", "").split("|")
PROVIDERS = """TechCrunch|VentureBeat|The Verge|Wired|Reuters|Bloomberg|Forbes|CNBC|ZDNet|InfoQ|Datanami|
The Register|Ars Technica|Engadget|Fast Company|Axios|Protocol|Business Insider|MIT Technology Review|
The Information""".replace("\n", "").split("|")
PREFIXES = ["", "", "", "Exclusive: ", "Report: ", "Breaking: ", "Update: "]
EXCERPTS = [
    "{company} said on {day} that it {deed}. The company expects the work to start within weeks.",
    "In an announcement {day}, {company} confirmed it {deed}, a move analysts had expected for months.",
    "{company} {deed}, according to people familiar with the plan. {thing_cap} has been a focus since last year.",
    "The deal: {company} {deed}. Executives told reporters {day} that more news would follow.",
]


@dataclass
class Story:
    relpath: str
    title: str
    excerpt: str
    provider: str
    date: str
    url: str
    story: int  # the same number: the same story


def _amount(rng: random.Random) -> tuple[str, str]:
    millions = rng.randint(2, 900)
    return f"${millions} million", f"${millions}M"


def stories(n: int, seed: int = 7) -> list[Story]:
    """About `n` articles: stories told by 1-4 providers (a third of the stories more than once)."""
    rng = random.Random(seed)
    companies = _companies(rng, max(50, n // 25))  # each company in about ten stories
    items: list[Story] = []
    story = 0
    while len(items) < n:
        company = rng.choice(companies)
        deeds = rng.choice(DEEDS)
        thing, place = rng.choice(THINGS), rng.choice(PLACES)
        amount = _amount(rng)
        copies = 1 if rng.random() < 0.67 else rng.choice([2, 2, 3, 4])
        year, month, day = rng.randint(2019, 2024), rng.randint(1, 12), rng.randint(1, 25)
        for copy, provider in enumerate(rng.sample(PROVIDERS, copies)):
            form = deeds[0] if copy == 0 else rng.choice(deeds)
            fill = {"amount": amount[copy % 2], "thing": thing, "place": place, "company": company}
            text = form.format(**fill)
            title = rng.choice(PREFIXES) + (text if "{company}" in form else f"{company} {text}")
            if rng.random() < 0.3:
                title += f" | {provider}"
            deed = deeds[0].format(**fill)
            excerpt = rng.choice(EXCERPTS).format(
                company=company, deed=deed, day=rng.choice(["Monday", "Tuesday", "on Thursday", "this week"]),
                thing_cap=thing.capitalize(),
            )  # fmt: skip
            date = f"{year}-{month:02d}-{min(28, day + copy):02d}"
            slug = "-".join(
                title.lower().replace("$", "").replace("|", "").replace("'", "").replace(":", "").split()[:8]
            )
            host = provider.lower().replace(" ", "") + ".example.com"
            items.append(
                Story(
                    f"_news/{date}-{slug}-{len(items)}.md",
                    title,
                    excerpt,
                    provider,
                    date,
                    f"https://{host}/{year}/{slug}",
                    story,
                )  # fmt: skip
            )
        story += 1
    return items[:n]


def pairs_of(items: list[Story]) -> set[tuple[str, str]]:
    """The labelled same-story pairs (paths in sorted order)."""
    by_story: dict[int, list[str]] = {}
    for item in items:
        by_story.setdefault(item.story, []).append(item.relpath)
    return {(a, b) for paths in by_story.values() for a in paths for b in paths if a < b}


def write_folder(root: str, items: list[Story]) -> None:
    for item in items:
        path = os.path.join(root, item.relpath)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        title = item.title.replace('"', "'")
        excerpt = item.excerpt.replace('"', "'")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(
                f'---\ntitle: "{title}"\nexcerpt: "{excerpt}"\npublishedDateTime: {item.date}T09:00:00Z\n'
                f"originalUrl: {item.url}\nprovider:\n  name: {item.provider}\n"
                f"quality: {zlib.crc32(item.relpath.encode()) % 150}\npublished: false\n---\nBody.\n"
            )
