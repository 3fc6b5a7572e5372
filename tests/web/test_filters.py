"""The dashboard's view filter: parsing query strings, matching, paging and bookmarkable links, on every list page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from tripwire.errors import InputError
from tripwire.web.filters import ViewFilter, parse_filter

from .conftest import GREEN_ZONE, K1


@pytest.fixture()
def client(busy_app) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(busy_app)


def _incident_rows(html: str) -> list[str]:
    body = html.split('<table class="list" id="incidents">', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<a href="/incidents/([^"]+)">', body)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"since": "", "until": "", "country": "", "actor": "", "status": "", "q": ""}, ViewFilter()),
        ({"since": "2020-01-01", "country": "iq"}, ViewFilter(since=dt.date(2020, 1, 1), country="IQ")),
        ({"actor": " Kataib-Hezbollah ", "status": "WATCH", "q": "green"}, ViewFilter(actor="kataib-hezbollah", status="watch", q="green")),
        ({"page": "3", "limit": "10"}, ViewFilter(page=3, limit=10)),
    ],
)
def test_query_strings_parse_blank_meaning_unset(query: dict[str, str], expected: ViewFilter) -> None:
    assert parse_filter(**query) == expected


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"since": "27/12/2019"}, "since"),
        ({"since": "2020-02-01", "until": "2020-01-01"}, "since"),
        ({"country": "IRQ"}, "country"),
        ({"status": "red"}, "status"),
        ({"page": "0"}, "page"),
        ({"limit": "501"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_bad_values_name_the_parameter(query: dict[str, str], parameter: str) -> None:
    with pytest.raises(InputError) as err:
        parse_filter(**query)
    assert err.value.detail == {"parameter": parameter}


views = st.builds(
    ViewFilter,
    since=st.none() | st.dates(dt.date(1990, 1, 1), dt.date(2009, 12, 31)),
    until=st.none() | st.dates(dt.date(2010, 1, 1), dt.date(2030, 12, 31)),
    country=st.none() | st.from_regex(r"[A-Z]{2}", fullmatch=True),
    actor=st.none() | st.from_regex(r"[a-z][a-z-]{0,30}", fullmatch=True),
    status=st.none() | st.sampled_from(["clear", "watch", "tripped"]),
    q=st.none() | st.text(min_size=1, max_size=40).map(str.strip).filter(bool),
    page=st.integers(1, 1000),
    limit=st.integers(1, 500),
)


@given(views)
def test_a_view_survives_its_own_link(view: ViewFilter) -> None:
    from urllib.parse import parse_qsl

    assert parse_filter(**dict(parse_qsl(view.query()[1:]))) == view


@pytest.mark.parametrize(
    ("query", "count", "every"),
    [
        ({}, 50, None),
        ({"limit": "500"}, 62, None),
        ({"country": "SY", "limit": "500"}, 20, "Al-Tanf garrison|Mission Support Site Conoco"),
        ({"country": "JO"}, 10, "Tower 22"),
        ({"since": "2024-01-01", "until": "2024-01-31"}, 6, None),
        ({"actor": "kataib-hezbollah", "limit": "500"}, 21, None),  # every third of sixty, plus K-1 (alleged)
        ({"status": "watch"}, 1, "K-1 Air Base"),
        ({"q": "green zone"}, 1, "Green Zone"),
        ({"country": "SY", "q": "tanf"}, 10, "Al-Tanf garrison"),
    ],
)
def test_incidents_page_filters(client: TestClient, query: dict[str, str], count: int, every: str | None) -> None:
    response = client.get("/incidents", params=query)
    assert response.status_code == 200
    ids = _incident_rows(response.text)
    assert len(ids) == count
    if every:
        places = re.findall(r'<a href="/incidents/[^"]+">([^<]+)</a>', response.text.split('id="incidents"', 1)[1])
        assert all(re.fullmatch(every, p) for p in places), places


def test_paging_walks_the_whole_filtered_list_once(client: TestClient) -> None:
    seen: list[str] = []
    url = "/incidents?country=IQ&limit=7"
    while url:
        html = client.get(url).text
        seen += _incident_rows(html)
        nxt = re.search(r'<a rel="next" href="([^"]+)"', html)
        url = nxt.group(1).replace("&amp;", "&") if nxt else ""
        if nxt:
            assert "country=IQ" in url and "limit=7" in url  # the link keeps the view
    assert len(seen) == len(set(seen)) == 32  # 30 attacks on Iraqi bases, K-1 and the Green Zone
    dates = [s[:10] for s in seen]
    assert dates == sorted(dates, reverse=True)


def test_a_page_past_the_end_shows_the_last(client: TestClient) -> None:
    html = client.get("/incidents", params={"limit": 25, "page": 99}).text
    assert len(_incident_rows(html)) == 12 and "51–62 of 62" in html and '<strong aria-current="page">3</strong>' in html


def test_the_form_shows_the_view_it_rendered(client: TestClient) -> None:
    html = client.get("/incidents", params={"country": "sy", "status": "", "since": "2024-01-01", "limit": 25}).text
    assert '<form class="filters" id="filters" method="get" action="/incidents">' in html
    assert 'name="country" value="SY"' in html and 'name="since" value="2024-01-01"' in html
    assert '<option value="25" selected>' in html and 'href="/incidents">Clear filters</a>' in html


@pytest.mark.parametrize("path", ["/", "/incidents", "/timeline", "/map", "/chain"])
def test_every_list_page_has_the_filter_form_and_refuses_bad_values(client: TestClient, path: str) -> None:
    assert 'id="filters"' in client.get(path).text
    response = client.get(path, params={"since": "yesterday"})
    assert response.status_code == 400
    assert response.json()["error"]["detail"] == {"parameter": "since"}


@pytest.mark.parametrize(
    ("query", "incidents"),
    [({}, [K1.id, GREEN_ZONE.id]), ({"status": "watch"}, [K1.id]), ({"status": "clear"}, [GREEN_ZONE.id]), ({"country": "SY"}, []), ({"limit": "1", "page": "2"}, [GREEN_ZONE.id])],
)
def test_board_filters_and_pages(client: TestClient, query: dict[str, str], incidents: list[str]) -> None:
    html = client.get("/", params=query).text
    body = html.split('id="board"', 1)[1].split("</table>", 1)[0]
    assert re.findall(r'<a href="/incidents/([^"]+)">', body) == incidents


def test_timeline_filters_and_pages(client: TestClient) -> None:
    html = client.get("/timeline", params={"country": "JO"}).text
    listed = html.split('<ol class="timeline">', 1)[1].split("</ol>", 1)[0]
    assert listed.count("<li") == 10 and "Tower 22" in listed and "airstrike" not in listed
    page2 = client.get("/timeline", params={"limit": 10, "page": 2}).text
    assert "11–20 of 64" in page2  # 62 incidents and 2 actions
