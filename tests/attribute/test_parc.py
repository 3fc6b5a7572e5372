"""PARC ACH .achz import/export: round trips, tolerant reading, hostile archives."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tripwire.attribute.ach import AchEvidence, AchHypothesis, AchMatrix, Consistency, ach_matrix
from tripwire.attribute.parc import parse_project_xml, project_xml, read_achz, read_achz_bytes, write_achz
from tripwire.errors import DocumentTooLarge, InputError, ParseError
from tripwire.model import AttributionKind, AttributionStatement, Hypothesis, Incident, Source

FIXTURES = Path(__file__).parent / "fixtures"
C = Consistency


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


# -- round trips ------------------------------------------------------------------

# XML 1.0 cannot carry most control characters; everything else must survive.
_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n\t\r"), max_size=40)
_label = _text.filter(lambda s: s != "")
_cell = st.sampled_from(list(Consistency))
_level = st.sampled_from(["high", "medium", "low"])
_date = st.one_of(st.none(), st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))


@st.composite
def matrices(draw: st.DrawFn) -> AchMatrix:
    labels = draw(st.lists(_label, min_size=1, max_size=5, unique=True))
    hyps = tuple(AchHypothesis(label, draw(_text)) for label in labels)
    rows = tuple(
        AchEvidence(
            label=draw(_label),
            cells=tuple(draw(_cell) for _ in hyps),
            source=draw(_text),
            credibility=draw(_level),
            relevance=draw(_level),
            kind=draw(_text),
            date=draw(_date),
        )
        for _ in range(draw(st.integers(0, 6)))
    )
    return AchMatrix(hypotheses=hyps, evidence=rows, title=draw(_text), method="parc-achz")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(matrix=matrices())
def test_write_then_read_is_identity(matrix: AchMatrix, tmp_path: Path) -> None:
    path = write_achz(matrix, tmp_path / "m.achz")
    assert read_achz(path) == matrix


def test_engine_derived_matrix_round_trips_apart_from_provenance(kb, tmp_path: Path) -> None:
    incident = Incident(
        id="i1",
        weapon="rocket",
        attributions=(
            AttributionStatement(actor="saraya-awliya-al-dam", kind=AttributionKind.CLAIMED, asserted_by=Source(speaker="statement", speaker_id="militia-telegram")),
            AttributionStatement(actor="iran", kind=AttributionKind.DENIED, asserted_by=Source(speaker="ministry", speaker_id="iran-government")),
        ),
    )
    m = ach_matrix(incident, [Hypothesis(perpetrator="kataib-hezbollah"), Hypothesis(perpetrator="isis")], kb)
    back = read_achz(write_achz(m, tmp_path / "e.achz"))
    assert back.evidence == m.evidence and back.hypotheses == m.hypotheses and back.title == m.title
    assert back.ranking() == m.ranking()


# -- tolerant reading --------------------------------------------------------------


def test_reads_a_different_dialect(tmp_path: Path) -> None:
    path = tmp_path / "variant.achz"
    path.write_bytes(_zip({"content/project.xml": (FIXTURES / "parc-variant.xml").read_bytes(), "thumbnail.png": b"\x89PNG"}))
    m = read_achz(path)
    assert m.title == "Who fired at Erbil airport?"
    assert m.labels == ("Iran-aligned militia, independently", "Iran-aligned militia, on Iranian orders", "Islamic State")
    assert m.hypotheses[1].description == "Tehran ordered this attack"
    claim, denial, weapon = m.evidence
    assert claim.cells == (C.C, C.C, C.II)
    assert (claim.kind, claim.date, claim.source, claim.credibility, claim.relevance) == ("Claim", dt.date(2021, 2, 16), "Sabereen News", "low", "high")
    assert denial.cells == (C.N, C.I, C.N)  # NA -> N, "-" -> I, missing -> N
    assert (denial.credibility, denial.relevance, denial.date) == ("medium", "medium", None)
    assert weapon.cells == (C.C, C.N, C.II)  # from the separate ratings block
    assert [label for label, _ in m.ranking()][0] == "Iran-aligned militia, independently"


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        (b"<project><hypotheses/></project>", "no hypotheses"),
        (b"<project><hypotheses><hypothesis id='a' name='x'/></hypotheses><evidence><item><rating hypothesis='a'>maybe</rating></item></evidence></project>", "unknown consistency rating"),
        (b"<project><hypotheses><hypothesis name='x'/></hypotheses><evidence><item credibility='sky-high'/></evidence></project>", "credibility"),
        (b"<project><hypotheses><hypothesis name='x'/></hypotheses><evidence><item date='last week'/></evidence></project>", "not a date"),
        (b"<project><hypotheses><hypothesis name='x'/><hypothesis name='x'/></hypotheses></project>", "both labelled"),
        (b"<project><unclosed></project>", "does not parse"),
    ],
)
def test_bad_project_xml_is_a_parse_error(xml: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message):
        read_achz_bytes(_zip({"project.xml": xml}))


# -- hostile archives ------------------------------------------------------------------


def test_not_a_zip_is_a_parse_error(tmp_path: Path) -> None:
    path = tmp_path / "fake.achz"
    path.write_text("<project/>", encoding="utf-8")
    with pytest.raises(ParseError, match="not a ZIP"):
        read_achz(path)


def test_truncated_zip_is_a_parse_error() -> None:
    data = _zip({"project.xml": b"<project/>" * 200})
    with pytest.raises(ParseError):
        read_achz_bytes(data[: len(data) // 2])


def test_archive_without_xml_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="no XML"):
        read_achz_bytes(_zip({"readme.txt": b"hello"}))


def test_zip_bomb_is_refused_before_decompressing() -> None:
    bomb = _zip({"project.xml": b"<project>" + b" " * 30_000_000 + b"</project>"})
    assert len(bomb) < 100_000
    with pytest.raises(DocumentTooLarge, match="zip bomb|expand"):
        read_achz_bytes(bomb)


def test_total_uncompressed_size_is_limited() -> None:
    data = _zip({"project.xml": b"<project/>", "pad.bin": b"x" * 5000}, compression=zipfile.ZIP_STORED)
    with pytest.raises(DocumentTooLarge, match="limit"):
        read_achz_bytes(data, max_uncompressed=4000)


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.achz"
    path.write_bytes(_zip({"project.xml": b"<project/>"}))
    with pytest.raises(DocumentTooLarge):
        read_achz(path, max_bytes=10)


@pytest.mark.parametrize("name", ["../../etc/project.xml", "/abs/project.xml", "a/../../project.xml", "C:/project.xml", "dir\\..\\project.xml"])
def test_path_traversal_names_are_refused(name: str) -> None:
    with pytest.raises(ParseError, match="archive folder|unsafe"):
        read_achz_bytes(_zip({name: b"<project/>"}))


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<project><title>&lol3;</title><hypotheses><hypothesis name="x"/></hypotheses></project>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE p [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<project><title>&secret;</title><hypotheses><hypothesis name="x"/></hypotheses></project>"""


@pytest.mark.parametrize("xml", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_entity_declarations_are_refused(xml: bytes) -> None:
    with pytest.raises(ParseError, match="DOCTYPE|entities"):
        read_achz_bytes(_zip({"project.xml": xml}))
    with pytest.raises(ParseError):
        parse_project_xml(xml)


DISGUISED = [
    EXTERNAL_ENTITY.decode().replace('version="1.0"', 'version="1.0" encoding="UTF-16"').encode("utf-16"),
    EXTERNAL_ENTITY.replace(b"?>", b"?><!--" + b" padding " * 600 + b"-->", 1),
    b"<?xml version='1.0'?><!-- " + b"x" * 5000 + b' --><!DOCTYPE project SYSTEM "http://127.0.0.1:1/x.dtd"><project><hypotheses><hypothesis name="x"/></hypotheses></project>',
]


@pytest.mark.parametrize("xml", DISGUISED, ids=["utf-16", "after-a-long-comment", "external-dtd-after-a-comment"])
def test_a_doctype_is_refused_however_it_is_disguised(xml: bytes) -> None:
    assert b"<!doctype" not in xml[:4096].lower()  # what the byte check alone saw
    with pytest.raises(ParseError, match="DOCTYPE"):
        parse_project_xml(xml)
    with pytest.raises(ParseError, match="DOCTYPE"):
        read_achz_bytes(_zip({"project.xml": xml}))


def test_write_refuses_text_xml_cannot_hold(tmp_path: Path) -> None:
    m = AchMatrix(hypotheses=(AchHypothesis("bell\x07"),), evidence=())
    with pytest.raises(InputError):
        write_achz(m, tmp_path / "x.achz")


def test_written_project_is_plain_xml_with_one_member(tmp_path: Path) -> None:
    m = AchMatrix(hypotheses=(AchHypothesis("H1"), AchHypothesis("H2")), evidence=(AchEvidence("e", (C.CC, C.II)),))
    path = write_achz(m, tmp_path / "p.achz")
    with zipfile.ZipFile(path) as zf:
        assert zf.namelist() == ["project.xml"]
        assert zf.read("project.xml") == project_xml(m)
    assert b'value="CC"' in project_xml(m)
