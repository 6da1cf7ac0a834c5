"""Same-story clusters: one story from several providers found, different stories kept apart."""

import json
from types import SimpleNamespace

import pytest

from reviewer.core.query import compile_query
from reviewer.core.same_story import SameStory, best_of
from tests.stories import pairs_of, stories, write_folder


def article(path, title, excerpt="", provider="", quality=None, date="2024-01-01"):
    return SimpleNamespace(
        relpath=path, title=title, excerpt=excerpt, provider=SimpleNamespace(name=provider), quality=quality,
        date=date, same=0,
    )  # fmt: skip


# One story told three ways, and its hard negatives: the same company doing something else,
# the same deed by another company, the same provider and topic.
FOLDER = [
    article("a.md", "Hugging Face raises $40 million for its natural language processing library",
            "The New York start-up Hugging Face said on Thursday it raised $40 million led by Addition.", "TechCrunch"),
    article("b.md", "Hugging Face lands $40M to grow its NLP library | VentureBeat",
            "In a round led by Addition, Hugging Face secured $40 million, the New York company said.", "VentureBeat"),
    article("c.md", "Exclusive: NLP start-up Hugging Face closes $40 million round",
            "Hugging Face, based in New York, closed a $40 million round led by Addition on Thursday.", "Axios"),
    article("d.md", "Hugging Face releases Transformers 4.0 with faster tokenizers",
            "The New York company Hugging Face shipped a new major version of its library.", "TechCrunch"),
    article("e.md", "Cohere raises $40 million for its natural language processing platform",
            "The Toronto start-up Cohere said on Thursday it raised $40 million led by Index.", "TechCrunch"),
    article("f.md", "Deep demand forecasting with Amazon SageMaker",
            "Use Amazon SageMaker to forecast demand with deep learning models.", "AWS"),
    article("g.md", "Semantic segmentation data labeling and model training using Amazon SageMaker",
            "Label data for semantic segmentation with Amazon SageMaker Ground Truth and train a model.", "AWS"),
]  # fmt: skip


def test_one_story_from_three_providers_is_one_cluster_and_its_neighbours_are_not():
    same = SameStory()
    same.add(FOLDER)
    assert same.clusters() == [["a.md", "b.md", "c.md"]]
    assert same.cluster_of("d.md") == []
    assert same.cluster_of("e.md") == []
    assert same.score("b.md", "c.md") >= same.threshold
    assert same.score("a.md", "c.md") >= same.threshold
    assert max(same.similarity("a.md", x) for x in ("d.md", "e.md", "f.md")) < 0.4  # far below: not borderline


def test_adding_and_removing_one_by_one_gives_the_clusters_of_all_at_once():
    items = stories(600, seed=4)
    articles = [article(i.relpath, i.title, i.excerpt, i.provider) for i in items]
    whole = SameStory()
    whole.add(articles)
    steps = SameStory()
    for start in range(0, len(articles), 100):
        steps.add(articles[start : start + 100])
    assert steps.clusters() == whole.clusters()
    gone = [p for cluster in whole.clusters()[:5] for p in cluster]
    steps.remove(gone)
    assert not any(p in gone for c in steps.clusters() for p in c)
    assert len(steps) == len(articles) - len(gone)


def test_a_changed_article_leaves_its_cluster_and_another_joins():
    same = SameStory()
    same.add(FOLDER)
    same.add([
        article("b.md", "Quarterly results of a bakery in Porto", "Bread sales rose.", "VentureBeat"),
        article("d.md", "Hugging Face gets $40 million from Addition for its NLP library",
                "New York's Hugging Face raised $40 million on Thursday in a round led by Addition.", "TechCrunch"),
    ])  # fmt: skip
    assert same.clusters() == [["a.md", "c.md", "d.md"]]


def test_generated_stories_are_found_with_few_mistakes():
    """The labelled set of the benchmark, small: most same-story pairs found, few wrong ones."""
    items = stories(2000, seed=21)
    same = SameStory()
    same.add([article(i.relpath, i.title, i.excerpt, i.provider) for i in items])
    found = {(a, b) for c in same.clusters() for a in c for b in c if a < b and same.score(a, b)}
    truth = pairs_of(items)
    assert len(found & truth) / len(truth) > 0.9  # recall (0.998 measured at 5,000 and 20,000)
    assert len(found & truth) / len(found) > 0.7  # precision (0.71-0.78: generated hard negatives)


def test_the_best_is_the_highest_quality_then_the_earliest():
    a = article("a.md", "x", quality=50, date="2024-01-02")
    b = article("b.md", "x", quality=80, date="2024-01-03")
    c = article("c.md", "x", quality=80, date="2024-01-01")
    d = article("d.md", "x", quality=None, date="2023-01-01")
    assert best_of([a, b, c, d]) is c


def test_same_query_terms():
    one, three = article("a.md", "x"), article("b.md", "y")
    one.same, three.same = 0, 3
    assert [compile_query("same:yes")(x) for x in (one, three)] == [False, True]
    assert [compile_query("same:no")(x) for x in (one, three)] == [True, False]
    assert [compile_query("same:3")(x) for x in (one, three)] == [False, True]
    assert compile_query("same:4")(three) is False
    with pytest.raises(Exception, match="same: takes yes, no, or a cluster size"):
        compile_query("same:1")


def test_the_command_line_prints_the_clusters(tmp_path, capsys):
    from reviewer.cli import main

    items = stories(200, seed=8)
    write_folder(str(tmp_path), items)
    assert main(["same", str(tmp_path), "--json", "--no-index"]) == 0
    clusters = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert clusters
    assert all(c["size"] == len(c["articles"]) >= 2 for c in clusters)
    assert all(0.5 <= c["similarity"] <= 1 for c in clusters)
    story_of = {i.relpath: i.story for i in items}
    right = sum(len({story_of[a["path"]] for a in c["articles"]}) == 1 for c in clusters)
    assert right / len(clusters) > 0.8
    assert main(["same", str(tmp_path), "--no-index", "--threshold", "0.9"]) == 0
    text = capsys.readouterr().out
    assert 0 < text.count("articles, similarity") <= len(clusters)


def test_a_threshold_out_of_range_is_refused(tmp_path, capsys):
    from reviewer.cli import main

    with pytest.raises(SystemExit):
        main(["same", str(tmp_path), "--threshold", "2"])
    assert "the threshold goes from 0.5 to 0.95" in capsys.readouterr().err
