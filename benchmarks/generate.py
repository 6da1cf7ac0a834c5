"""Write N synthetic articles in the three real schema generations, into year folders.

    python benchmarks/generate.py OUT_DIR N [--seed S]

The text is invented from word lists; the shapes (key order, quoting, nesting, sizes)
follow the real sites these files imitate.
"""

from __future__ import annotations

import argparse
import os
import random
import re

SITE_URL = "https://newsroom.example.org"
BASEURL = "/daily"

PROVIDERS = [
    ("The Circuit Ledger", "circuitledger.example.com"),
    ("Harbor Tech Review", "harbortech.example.net"),
    ("Northwind Daily", "northwind.example.com"),
    ("Signal & Noise", "signalnoise.example.org"),
    ("Pixel Gazette", "pixelgazette.example.com"),
    ("Quantum Courier", "quantumcourier.example.net"),
    ("Data Lantern", "datalantern.example.com"),
    ("Bright Foundry Blog", "brightfoundry.example.io"),
    ("Metro Machine", "metromachine.example.com"),
    ("Café Algorithme", "cafe-algorithme.example.fr"),
]
TOPICS = [
    "AI",
    "Machine Learning",
    "Computer Vision",
    "Robotics",
    "Natural Language Processing",
    "Autonomous Vehicles",
    "Chips",
    "Policy",
    "Healthcare AI",
    "Cloud AI",
]
SUBJECTS = [
    "A regional hospital",
    "The city council",
    "A robotics start-up",
    "Researchers in Lisbon",
    "A chip designer",
    "The transit authority",
    "A language lab",
    "Farmers in Iowa",
    "A museum in Osaka",
    "The weather service",
    "An open-source team",
    "A logistics firm",
]
VERBS = [
    "tests",
    "rolls out",
    "pauses",
    "questions",
    "doubles down on",
    "opens up",
    "rethinks",
    "bets on",
    "audits",
    "trains",
    "shrinks",
    "explains",
]
OBJECTS = [
    "a vision model for triage",
    "self-driving shuttles",
    "a chatbot for permits",
    "an energy-saving scheduler",
    "speech recognition for dialects",
    "warehouse robots",
    "a fraud detector",
    "crop-counting drones",
    "a translation service",
    "its own accelerator",
    "a forecasting model",
    "smart traffic lights",
]
CLAUSES = [
    "after a year of pilots",
    "despite cost worries",
    "with mixed early results",
    "as rivals move faster",
    "to meet new rules",
    "in a first for the region",
]


def headline(rng: random.Random) -> str:
    return f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(CLAUSES)}"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80]


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def excerpt(rng: random.Random) -> str:
    parts = [f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}" for _ in range(rng.randint(1, 3))]
    return "; ".join(parts) + f", {rng.choice(CLAUSES)}."


def plan(rng: random.Random, n: int, years=range(2014, 2025)) -> list[dict]:
    """The articles to write: their title, date, provider, generation and URLs."""
    items = []
    for i in range(n):
        year = rng.choice(list(years))
        title = headline(rng)
        name, domain = rng.choice(PROVIDERS)
        minute = rng.choice(["00", "15", "30", "45"])
        date = f"{year}-{rng.randint(1, 12):02}-{rng.randint(1, 28):02}T{rng.randint(0, 23):02}:{minute}:00Z"
        generation = "archive" if year < 2020 else ("plain" if year < 2022 else "rich")
        s = f"{slug(title)}-{i}"
        items.append(
            {
                "i": i,
                "year": year,
                "title": title,
                "date": date,
                "provider": (name, domain),
                "generation": generation,
                "slug": s,
                "file": f"{year}/{date[:10]}-{s}.md",
                "url": f"https://{domain}/{year}/{s}",
            }
        )
    return items


def render(
    rng: random.Random, item: dict, others: list[dict], image_urls: list[str] | None = None, logo_url=None
) -> str:
    """The text of one article file in its generation's style."""
    name, domain = item["provider"]
    gen = item["generation"]
    lines = [
        "---",
        "category: news",
        f"title: {quoted(item['title'])}",
        f"excerpt: {quoted(excerpt(rng))}",
        f"publishedDateTime: {item['date']}",
    ]
    quality = rng.choice([rng.randint(10, 99), rng.randint(10, 99), rng.randint(100, 170)])
    if gen == "archive":
        lines += [
            f"webUrl: {item['url']}",
            f"ampWebUrl: {item['url']}?amp=1",
            "type: article",
            f"quality: {quality}",
            f"heat: {quality}",
            f"published: {rng.choice(['true', 'false'])}",
        ]
    else:
        lines += [f"originalUrl: {quoted(item['url'])}", f"webUrl: {quoted(item['url'])}", "type: article"]
        if gen == "rich":
            lines += [f"quality: {quality}", f"heat: {rng.choice([-1, -1, quality])}"]
            state = rng.choice(["false", "false", "false", "true", None])
            if state:
                lines.append(f"published: {state}")
    lines += ["", "provider:", f"  name: {name}", f"  domain: {domain}"]
    if logo_url:
        lines += ["  images:", f"    - url: {quoted(logo_url(domain, gen))}", "      width: 50", "      height: 50"]
    topics = rng.sample(TOPICS, rng.randint(1, 3))
    lines += ["", "topics:"] + [f"  - {t}" for t in topics]
    urls = image_urls or [f"https://images.example.net/{item['slug']}.jpg"]
    lines += ["", "images:", f"  - url: {quoted(rng.choice(urls))}", "    width: 1200", "    height: 675"]
    lines.append("    isCached: true" if gen != "archive" else f"    title: {quoted(item['title'])}")
    if gen == "rich" and others:
        lines += ["", "related:"]
        for other in rng.sample(others, min(len(others), rng.randint(1, 4))):
            oname, odomain = other["provider"]
            lines += [
                f"  - title: {quoted(other['title'])}",
                f"    excerpt: {quoted(excerpt(rng))}",
                f"    publishedDateTime: {other['date']}",
                f"    webUrl: {quoted(other['url'])}",
                "    type: article",
                "    provider:",
                f"      name: {oname}",
                f"      domain: {odomain}",
                f"    quality: {rng.randint(20, 120)}",
                "    images:",
                f"      - url: {quoted(rng.choice(urls))}",
                "        width: 1200",
                "        height: 675",
            ]
    secured = "".join(
        rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") for _ in range(300)
    )
    lines += ["", f'secured: "{secured}=="', "---", ""]
    return "\n".join(lines)


def write_folder(root: str, n: int, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    items = plan(rng, n)
    by_year: dict[int, list[dict]] = {}
    for item in items:
        by_year.setdefault(item["year"], []).append(item)
    for item in items:
        path = os.path.join(root, item["file"])
        os.makedirs(os.path.dirname(path), exist_ok=True)
        siblings = [o for o in by_year[item["year"]][:50] if o is not item]
        with open(path, "w", encoding="utf-8", newline="") as fh:
            fh.write(
                render(
                    rng,
                    item,
                    siblings,
                    logo_url=lambda d, g: f"{SITE_URL}{BASEURL}/assets/images/organizations/{d}-50x50.png",
                )
            )
    return items


def data_folder(n: int, seed: int = 7) -> str:
    """benchmarks/data/articles-N, written the first time a benchmark asks for it."""
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", f"articles-{n}")
    if not os.path.isdir(root):
        print(f"generating {n} articles in {root} ...", flush=True)
        write_folder(root, n, seed=seed)
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    write_folder(args.out, args.n, args.seed)
    print(f"wrote {args.n} articles under {args.out}")


if __name__ == "__main__":
    main()
