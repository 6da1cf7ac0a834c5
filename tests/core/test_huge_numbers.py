"""A number too large to count or print is a problem for its file: never a run-wide error."""

import pytest

from reviewer.cli import main
from reviewer.core.library import scan

HUGE = {
    "hex-quality": ("quality: 0x" + "f" * 3571, 3, "quality is a number of about 4,300 digits"),
    "zeros-quality": ("quality: 1" + "0" * 400, 3, "quality is a number of 401 digits"),
    "hex-heat": ("quality: 5\nheat: 0x" + "1" * 20, 4, "heat is a number of 23 digits"),
    "hex-elsewhere": ("quality: 5\nnotes:\n  - 0x" + "f" * 4000, 5, "a number of about 4,817 digits"),
    # YAML 1.1 integers with no run of 15 digits: a search for such runs let them through
    "underscores": ("quality: 9_007_199_254_740_993", 3, "quality is a number of 16 digits"),
    "sexagesimal": ("heat: 99999999999:59:59:59", 3, "heat is a number of 17 digits"),
}


@pytest.mark.parametrize("name", sorted(HUGE))
def test_a_huge_number_is_a_problem_with_its_line(tmp_path, name):
    yaml_text, line, message = HUGE[name]
    (tmp_path / "bad.md").write_text(f"---\ntitle: Bad\n{yaml_text}\n---\n")
    (tmp_path / "good.md").write_text("---\ntitle: Good\nquality: 9007199254740992\n---\n")  # 2**53: counted
    result = scan(str(tmp_path))
    assert [a.title for a in result.articles] == ["Good"]
    [problem] = result.problems
    assert (problem.kind, problem.line) == ("invalid-value", line)
    assert message in problem.message


def test_every_command_answers_past_one_huge_number(tmp_path, capsys):
    for i in range(20):
        (tmp_path / f"a{i:02}.md").write_text(f"---\ntitle: Fine {i}\nquality: {i}\npublished: false\n---\n")
    (tmp_path / "huge.md").write_text("---\ntitle: Huge\nquality: 0x" + "f" * 3600 + "\n---\n")
    (tmp_path / "big.md").write_text("---\ntitle: Big\nquality: 1" + "0" * 400 + "\n---\n")
    root = str(tmp_path)
    assert main(["list", root]) == 1
    assert capsys.readouterr().out.count("Fine") == 20
    assert main(["check", root]) == 1
    out = capsys.readouterr().out
    assert "huge.md:3: invalid-value" in out
    assert "big.md:3: invalid-value" in out
    assert main(["stats", root]) in (0, 1)
    assert "9.5" in capsys.readouterr().out  # the mean quality of the twenty
    assert main(["set", "--published", "true", "--where", "published:false", root]) == 1
    assert capsys.readouterr().out.count("published false -> true") == 20


def test_on_a_copy_of_the_real_site_one_huge_article_is_named_and_the_rest_listed(corpus_copy, capsys):
    site = corpus_copy / "everyday-ai"
    victim = next(p for p in sorted((site / "_news").glob("*.md")) if "\nquality:" in p.read_text())
    text = victim.read_text()
    start = text.index("\nquality:") + 1
    end = text.index("\n", start)
    victim.write_text(text[:start] + "quality: 0x" + "f" * 3600 + text[end:])
    total = len(scan(str(corpus_copy)).articles)  # the copy, with the victim a problem
    assert main(["list", "--no-index", str(corpus_copy)]) == 1
    assert len(capsys.readouterr().out.splitlines()) == total
    assert main(["stats", "--no-index", str(corpus_copy)]) in (0, 1)
    assert "quality" in capsys.readouterr().out
    assert main(["check", "--no-index", str(corpus_copy)]) == 1
    assert f"{victim.name}:" in capsys.readouterr().out
