"""Write examples/newsroom/, the sample content folder that `make run` opens.

    python examples/make_newsroom.py

About 60 invented articles across the three schema generations, a _config.yml with
url and baseurl, small local images and provider logos, related links between
articles, a few CRLF and BOM files, and deliberately broken files under _broken/.
The output is committed; run this again only to change it.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import sys

from PIL import Image, ImageDraw

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "benchmarks"))
from generate import BASEURL, PROVIDERS, SITE_URL, plan, quoted, render

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "newsroom")
COLORS = [
    (52, 101, 164),
    (204, 0, 0),
    (78, 154, 6),
    (117, 80, 123),
    (196, 160, 0),
    (206, 92, 0),
    (32, 74, 135),
    (143, 89, 2),
]

CONFIG = f"""# Site settings for the sample newsroom
title: The Daily Newsroom
url: {SITE_URL}
baseurl: "{BASEURL}"
locale: "en-us"

collections:
  news:
    output: true
"""

BROKEN = {
    "invalid-yaml.md": '---\ntitle: "An unterminated quote\nquality: 40\npublished: false\n---\n',
    "never-closed.md": "---\ntitle: Front matter that never ends\nquality: 12\n\nThe body starts here.\n",
    "unsafe-tag.md": '---\ntitle: Smuggled object\nquality: !!python/object/apply:os.system ["echo hi"]\n---\n',
    "not-a-mapping.md": "---\n- just\n- a list\n---\n",
    "bad-indent.md": "---\ntitle: Mixed indentation\nprovider:\n  name: X\n   domain: x.example.com\n---\n",
}


def make_image(path: str, size: tuple[int, int], color, label: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    image = Image.new("RGB", size, color)
    draw = ImageDraw.Draw(image)
    w, h = size
    for i in range(0, w, max(4, w // 12)):
        draw.line([(i, 0), (i + h, h)], fill=tuple(min(255, c + 40) for c in color), width=max(1, w // 60))
    draw.text((w // 20, h // 2 - 6), label, fill=(255, 255, 255))
    image.save(path, quality=85)


def main() -> None:  # noqa: C901  (the sample's one recipe, step by step; its random draws in a fixed order)
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    rng = random.Random(2023)
    items = plan(rng, 58, years=range(2016, 2025))
    for item in items:
        folder = "_archive/_news" if item["generation"] == "archive" else "_news"
        item["file"] = f"{folder}/{item['date'][:10]}-{item['slug']}.md"

    with_logo = {domain for _, domain in PROVIDERS[:7]}
    for i, (name, domain) in enumerate(PROVIDERS):
        if domain in with_logo:
            make_image(
                os.path.join(OUT, "assets/images/organizations", f"{domain}-50x50.png"),
                (50, 50),
                COLORS[i % len(COLORS)],
                name[:2],
            )
    local_images = []
    for i in range(8):
        rel = f"assets/images/articles/photo-{i + 1}.jpg"
        make_image(os.path.join(OUT, rel), (480, 270) if i % 3 else (270, 360), COLORS[i], f"Photo {i + 1}")
        local_images.append(rel)

    def logo_url(domain: str, generation: str):
        rel = f"/assets/images/organizations/{domain}-50x50.png"
        if generation == "archive":
            return rel  # site-relative, as the old archive files write it
        if generation == "rich":
            return f"{SITE_URL}{BASEURL}{rel}"  # the site's own absolute URL
        return None

    for n, item in enumerate(items):
        choice = n % 4
        if choice == 0:
            urls = ["/" + rng.choice(local_images)]
        elif choice == 1:
            urls = [f"{SITE_URL}{BASEURL}/" + rng.choice(local_images)]
        elif choice == 2:
            urls = [f"https://images.example.net/{item['slug']}.jpg"]
        else:
            urls = ["/" + rng.choice(local_images)]
        others = [o for o in items if o is not item]
        has_logo = item["provider"][1] in with_logo and logo_url(item["provider"][1], item["generation"])
        text = render(rng, item, others, urls, logo_url=(logo_url if has_logo else None))
        # The article's own summary, not the generator's random clauses: clauses shared by chance
        # made unrelated sample articles look like one story told twice.
        own = quoted(f"{item['title']}, {item['provider'][0]} reports.")
        text = re.sub(r"^excerpt: .*$", lambda _, own=own: f"excerpt: {own}", text, count=1, flags=re.MULTILINE)
        if n % 15 == 7:
            text = text.replace("\n", "\r\n")  # some editors save CRLF; a save must keep it
        if n % 20 == 3:
            text = "\ufeff" + text
        path = os.path.join(OUT, item["file"])
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)

    with open(os.path.join(OUT, "_config.yml"), "w", encoding="utf-8") as fh:
        fh.write(CONFIG)
    with open(os.path.join(OUT, "README.md"), "w", encoding="utf-8") as fh:
        fh.write("# The Daily Newsroom\n\nA sample content folder for Reviewer. Every article in it is invented.\n")
    for name, text in BROKEN.items():
        path = os.path.join(OUT, "_broken", name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
    print(f"wrote {len(items)} articles and {len(BROKEN)} broken files under {OUT}")


if __name__ == "__main__":
    main()
