"""Image addresses resolve to local files first, the site's own URLs included."""

from reviewer.core.site import Site, is_safe_link, resolve_image
from tests.helpers import CORPUS, EXAMPLES


def site_folder(tmp_path):
    (tmp_path / "_config.yml").write_text('url: https://example.github.io\nbaseurl: "/ai"\n')
    logo = tmp_path / "assets" / "images" / "logo.png"
    logo.parent.mkdir(parents=True)
    logo.write_bytes(b"png")
    (tmp_path / "_news").mkdir()
    (tmp_path / "_news" / "pic.jpg").write_bytes(b"jpg")
    return Site.load(str(tmp_path)), str(tmp_path / "_news" / "a.md"), str(logo)


def test_config_url_and_baseurl(tmp_path):
    site, _, _ = site_folder(tmp_path)
    assert (site.url, site.baseurl, site.prefix) == ("https://example.github.io", "/ai", "https://example.github.io/ai")


def test_site_relative_baseurl_relative_and_absolute_site_urls_are_local(tmp_path):
    site, article, logo = site_folder(tmp_path)
    for url in (
        "/assets/images/logo.png",
        "/ai/assets/images/logo.png",
        "https://example.github.io/ai/assets/images/logo.png",
    ):
        assert resolve_image(url, article, site).location == logo, url


def test_relative_to_article(tmp_path):
    site, article, _ = site_folder(tmp_path)
    source = resolve_image("pic.jpg", article, site)
    assert source.kind == "local"
    assert source.location.endswith("_news/pic.jpg")


def test_remote_missing_and_escaping_paths(tmp_path):
    site, article, _ = site_folder(tmp_path)
    assert resolve_image("https://cdn.example.com/x.jpg", article, site).kind == "remote"
    assert resolve_image("//cdn.example.com/x.jpg", article, site).location == "https://cdn.example.com/x.jpg"
    assert resolve_image("/missing.png", article, site).kind == "none"
    assert resolve_image("../../../../etc/passwd", article, site).kind == "none"
    assert resolve_image("file:///etc/passwd", article, site).kind == "none"
    assert resolve_image("", article, site).kind == "none"


def test_links_that_may_open():
    assert is_safe_link("https://x.org")
    assert is_safe_link("mailto:a@b.org")
    assert is_safe_link("HTTP://x")
    assert not is_safe_link("javascript:alert(1)")
    assert not is_safe_link("file:///etc/passwd")


def test_examples_logos_resolve_locally():
    site = Site.load(str(EXAMPLES))
    source = resolve_image(
        site.prefix + "/assets/images/organizations/northwind.example.com-50x50.png",
        str(EXAMPLES / "_news" / "x.md"),
        site,
    )
    assert source.kind == "local"


def test_corpus_config_is_read():
    if not CORPUS.is_dir():
        import pytest

        pytest.skip(f"the shared corpus is not at {CORPUS}")
    site = Site.load(str(CORPUS / "everyday-ai"))
    assert site.prefix == "https://everyday-cc.github.io/ai"
