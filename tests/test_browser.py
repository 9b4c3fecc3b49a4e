"""The built site in a real browser, with every request beyond 127.0.0.1 blocked.

What a reader sees: pages load without errors, mathematics is typeset, figures show, the matrix
explorer's sliders redraw its figure with no kernel, launch buttons open notebooks that exist,
search finds the chapters' words, and a phone-sized screen needs no sideways scrolling. The last
test breaks a page on purpose and shows that these checks notice.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest
import yaml
from browser import Browser, horizontal_overflow, serve, untypeset_math
from conftest import ROOT

TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
PAGES = [f"{TOC['root']}.html"] + [
    f"{entry['file']}.html" for part in TOC["parts"] for entry in part["chapters"]
]
NOTEBOOK_PAGES = [p for p in PAGES if p.startswith(("chapters/", "exercises/"))]
MATH_PAGES = [*NOTEBOOK_PAGES, "glossary.html"]
WIDGET_PAGES = [  # notebooks that saved widget state, e.g. a tqdm progress bar
    page
    for page in NOTEBOOK_PAGES
    if "widgets" in nbformat.read(ROOT / page.replace(".html", ".ipynb"), as_version=4).metadata
]
PHONE = {"width": 375, "height": 812}


@pytest.fixture(scope="module")
def playwright():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(site: Path, playwright):
    with serve(site) as base_url:
        chromium = Browser(playwright, base_url)
        yield chromium
        chromium.close()


@pytest.mark.parametrize("page", [*PAGES, "search.html", "genindex.html"])
def test_page_loads_offline_without_errors(browser: Browser, page: str):
    visit = browser.visit(page)
    assert visit.problems == []
    assert visit.page.locator("main").first.inner_text().strip(), "the page has no text"


@pytest.mark.parametrize("page", MATH_PAGES)
def test_mathematics_is_typeset(browser: Browser, page: str):
    visit = browser.visit(page)
    assert visit.page.locator("mjx-container").count() > 0, "MathJax rendered nothing"
    assert untypeset_math(visit.page) == []
    assert visit.problems == []


@pytest.mark.parametrize("page", NOTEBOOK_PAGES)
def test_figures_are_present_with_a_size(browser: Browser, page: str):
    visit = browser.visit(page)  # broken or zero-size images are reported as problems
    assert visit.problems == []
    if page.startswith("chapters/"):
        assert visit.page.locator("article img").count() >= 3, "a chapter without figures"


def test_moving_a_slider_changes_the_figure_without_a_kernel(browser: Browser):
    visit = browser.visit("chapters/01_linear_algebra.html")
    explorer = visit.page.locator(".nnlib-matrix-explorer").first
    figure, readout = explorer.locator("svg").first, explorer.locator(".nnlib-mx-readout").first
    before = figure.inner_html(), readout.inner_text()
    slider = explorer.locator('input[type="range"][data-entry="c"]')
    slider.fill("1.5")  # fires the input event a reader's drag fires
    after = figure.inner_html(), readout.inner_text()
    assert after[0] != before[0], "the figure did not change"
    assert after[1] != before[1], "the readout did not change"
    assert visit.problems == []


def test_some_chapter_has_widgets():
    assert WIDGET_PAGES, "no notebook saves widget state: the next test would test nothing"


@pytest.mark.parametrize("page", WIDGET_PAGES)
def test_saved_widgets_render_without_a_kernel(browser: Browser, page: str):
    """Progress bars and other widgets are drawn from their saved state by the local manager."""
    visit = browser.visit(page)
    widgets = visit.page.locator(".jupyter-widgets")
    widgets.first.wait_for(timeout=10_000)
    assert visit.page.locator(".widget-hprogress, .jupyter-widget-hprogress").count() > 0
    assert visit.problems == []


@pytest.mark.parametrize("page", NOTEBOOK_PAGES)
def test_launch_buttons_open_notebooks_that_exist(browser: Browser, page: str):
    visit = browser.visit(page)
    links = visit.page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)")
    launches = [link for link in links if "colab.research" in link or "mybinder.org" in link]
    assert len(launches) == 2, launches
    for link in launches:
        match = re.search(r"(?:blob/main/|lab/tree/)(\S+?\.ipynb)$", link)
        assert match, f"launch link does not point at a notebook: {link}"
        assert (ROOT / match.group(1)).is_file(), f"{link} points at a missing notebook"
    assert visit.page.locator(".btn-launch-thebe").count() == 1, "no live-code button"


def test_live_code_loads_thebe_from_the_site_and_only_reaches_binder(browser: Browser):
    """"Live Code" loads thebe, its styles and its MathJax adapter from the site; the one request
    beyond it is to Binder (the network use a reader asks for, blocked here); the page keeps its
    MathJax 3, which typesets what thebe asks for through MathJax 2's API."""
    visit = browser.visit("chapters/01_linear_algebra.html")
    requested: list[str] = []
    visit.page.on("request", lambda request: requested.append(request.url))
    visit.page.locator(".btn-launch-thebe").first.evaluate("button => button.click()")
    visit.page.wait_for_function(
        "() => document.querySelectorAll('.thebe-run-button, .thebelab-run-button').length > 0",
        timeout=20_000,
    )
    for _ in range(100):  # thebe asks Binder for a server once the cells are live
        if any("mybinder.org" in problem for problem in visit.problems):
            break
        visit.page.wait_for_timeout(100)
    # thebe adds the adapter's <script> when it first typesets; wait until it has run
    visit.page.wait_for_function("() => window.MathJax && window.MathJax.Hub", timeout=20_000)
    local = [url.removeprefix(browser.base_url) for url in requested if "127.0.0.1" in url]
    assert "_static/vendor/thebe-0.9.3/lib/index.js" in local, local
    assert "_static/vendor/thebe-0.9.3/lib/thebe.css" in local, local
    assert any(url.startswith("_static/vendor/thebe-mathjax2.js") for url in local), local
    beyond = [url for url in requested if "127.0.0.1" not in url]
    assert beyond and all(url.startswith("https://mybinder.org/") for url in beyond), beyond
    unexpected = [
        problem
        for problem in visit.problems
        if "mybinder.org" not in problem
        and problem != "console error: Failed to load resource: net::ERR_FAILED"
    ]
    assert unexpected == []
    typeset = visit.page.evaluate(
        r"""async () => {
            const element = document.createElement('p');
            element.textContent = '\\(x^2\\)';
            document.querySelector('article').appendChild(element);
            await MathJax.Hub.Queue(['Typeset', MathJax.Hub, element]);
            return [MathJax.version, !!element.querySelector('mjx-container')];
        }"""
    )
    assert typeset[0].startswith("3.") and typeset[1], typeset


def test_search_finds_a_term_from_a_chapter(browser: Browser):
    visit = browser.visit("search.html?q=eigenvector")
    results = visit.page.locator("#search-results li a")
    results.first.wait_for(timeout=10_000)
    hrefs = results.evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert any("chapters/01_linear_algebra" in h for h in hrefs), hrefs
    assert visit.problems == []


@pytest.mark.parametrize("page", PAGES)
def test_a_phone_sized_screen_shows_text_and_figures_without_sideways_scrolling(
    browser: Browser, page: str
):
    visit = browser.visit(page, **PHONE)
    assert horizontal_overflow(visit.page) == []
    paragraph = visit.page.locator("article p").first.bounding_box()
    assert paragraph and 0 < paragraph["width"] <= PHONE["width"], paragraph
    widths = visit.page.eval_on_selector_all(
        "article img", "imgs => imgs.map(i => i.getBoundingClientRect().width)"
    )
    assert all(0 < w <= PHONE["width"] for w in widths), widths
    assert visit.problems == []


def test_the_checks_fail_on_a_broken_page(site: Path, tmp_path: Path, playwright):
    """Break a copy of one page four ways; every break is reported."""
    broken = tmp_path / "html"
    shutil.copytree(site, broken)
    page = broken / "preface.html"
    html = page.read_text()
    sabotage = (
        "<script>notDefinedAnywhere();</script>"
        '<script src="https://cdn.example.org/library.js"></script>'
        '<p>Raw maths: $$x^2$$</p><img src="missing-figure.png" alt="gone">'
    )
    page.write_text(html.replace("</article>", sabotage + "</article>", 1))

    with serve(broken) as base_url:
        chromium = Browser(playwright, base_url)
        try:
            visit = chromium.visit("preface.html")
            problems = "\n".join(visit.problems + untypeset_math(visit.page))
        finally:
            chromium.close()
    assert "notDefinedAnywhere" in problems
    assert "blocked request to https://cdn.example.org/library.js" in problems
    assert "missing-figure.png" in problems
    assert "untypeset maths" in problems
