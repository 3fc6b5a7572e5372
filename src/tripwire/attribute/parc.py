"""Read and write PARC ACH 2.0 project files (``.achz``) as :class:`~tripwire.attribute.ach.AchMatrix`.

An ``.achz`` file is a ZIP archive holding one XML project: hypotheses,
evidence (with type, date, source, credibility, relevance) and the matrix of
consistency ratings. No public specification of the layout could be found, so
the reader accepts the structure documented in ``docs/ach-and-calibration.md``
and is deliberately tolerant: element and attribute names are matched without
regard to case or namespace, a value may be an attribute or a child element,
unknown elements are ignored, missing fields take defaults and missing
ratings are neutral (``N``). The writer emits exactly that structure, so
``read_achz(write_achz(m))`` gives ``m`` back.

The archive is hostile input until proven otherwise: the reader refuses
archives over the size limits before decompressing anything (zip bombs),
member names that try to escape a folder (path traversal), anything that is
not a ZIP, and XML carrying a DOCTYPE (so no entity expansion and no external
entities); the XML is parsed with entity resolution and network access off.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from lxml import etree

from ..errors import DocumentTooLarge, InputError, ParseError
from .ach import LEVELS, AchEvidence, AchHypothesis, AchMatrix, Consistency

#: Largest .achz file read, in bytes.
MAX_ARCHIVE_BYTES = 20_000_000
#: Largest total uncompressed size of the archive's members, in bytes.
MAX_UNCOMPRESSED_BYTES = 50_000_000
#: Most members an archive may hold.
MAX_MEMBERS = 256
#: Highest compression ratio accepted for a member larger than 1 MB.
MAX_RATIO = 200

PROJECT_MEMBER = "project.xml"

_RATING_WORDS = {
    "cc": "CC",
    "++": "CC",
    "very consistent": "CC",
    "veryconsistent": "CC",
    "c": "C",
    "+": "C",
    "consistent": "C",
    "n": "N",
    "neutral": "N",
    "na": "N",
    "n/a": "N",
    "not applicable": "N",
    "notapplicable": "N",
    "": "N",
    "i": "I",
    "-": "I",
    "inconsistent": "I",
    "ii": "II",
    "--": "II",
    "very inconsistent": "II",
    "veryinconsistent": "II",
}


def read_achz(path: str | Path, *, max_bytes: int = MAX_ARCHIVE_BYTES, max_uncompressed: int = MAX_UNCOMPRESSED_BYTES) -> AchMatrix:
    """Read a PARC ACH ``.achz`` project into an :class:`AchMatrix`.

    Raises :class:`~tripwire.errors.ParseError` for anything that is not a
    well-formed project and :class:`~tripwire.errors.DocumentTooLarge` for
    archives over the size limits.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if size > max_bytes:
        raise DocumentTooLarge(f"{path} is {size} bytes; the limit for ACH projects is {max_bytes}", detail={"size": size, "limit": max_bytes})
    data = path.read_bytes()
    return read_achz_bytes(data, name=str(path), max_uncompressed=max_uncompressed)


def read_achz_bytes(data: bytes, *, name: str = "<bytes>", max_uncompressed: int = MAX_UNCOMPRESSED_BYTES) -> AchMatrix:
    """Like :func:`read_achz`, from the archive's bytes."""
    xml = _project_xml(data, name, max_uncompressed)
    return parse_project_xml(xml, name=name)


def _project_xml(data: bytes, name: str, max_uncompressed: int) -> bytes:
    if not data.startswith(b"PK"):
        raise ParseError(f"{name} is not an .achz file (not a ZIP archive)")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise ParseError(f"{name} is not a readable ZIP archive: {exc}") from exc
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise DocumentTooLarge(f"{name} holds {len(infos)} files; at most {MAX_MEMBERS} are accepted")
        total = 0
        for info in infos:
            _check_member_name(info.filename, name)
            total += info.file_size
            if info.file_size > 1_000_000 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise DocumentTooLarge(f"{name}: member {info.filename!r} expands {info.file_size // max(info.compress_size, 1)}-fold; refusing a likely zip bomb")
        if total > max_uncompressed:
            raise DocumentTooLarge(f"{name} would expand to {total} bytes; the limit is {max_uncompressed}", detail={"size": total, "limit": max_uncompressed})
        xml_members = [i for i in infos if not i.is_dir() and i.filename.lower().endswith((".xml", ".ach"))]
        if not xml_members:
            raise ParseError(f"{name} holds no XML project file")
        chosen = next((i for i in xml_members if PurePosixPath(i.filename).name.lower() == PROJECT_MEMBER), xml_members[0])
        try:
            with zf.open(chosen) as fh:
                # never trust the declared size: read at most one byte past it
                xml = fh.read(min(chosen.file_size, max_uncompressed) + 1)
        except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError, EOFError, OSError) as exc:
            raise ParseError(f"{name}: cannot decompress {chosen.filename!r}: {exc}") from exc
        if len(xml) > chosen.file_size or len(xml) > max_uncompressed:
            raise DocumentTooLarge(f"{name}: member {chosen.filename!r} is larger than its header says; refusing it")
        return xml


def _check_member_name(member: str, name: str) -> None:
    if "\x00" in member or "\\" in member or member.startswith("/") or re.match(r"^[A-Za-z]:", member):
        raise ParseError(f"{name}: unsafe file name {member!r} in archive")
    if any(part == ".." for part in PurePosixPath(member).parts):
        raise ParseError(f"{name}: file name {member!r} tries to leave the archive folder")


# ---------------------------------------------------------------------------
# XML
# ---------------------------------------------------------------------------


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False, remove_comments=True, remove_pis=True)


def _local(tag: object) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower().replace("_", "").replace("-", "")


def _children(el: etree._Element, *names: str) -> list[etree._Element]:
    wanted = set(names)
    return [c for c in el if _local(c.tag) in wanted]


def _first(el: etree._Element, *names: str) -> etree._Element | None:
    for c in el.iter():
        if c is not el and _local(c.tag) in names:
            return c
    return None


def _field(el: etree._Element, *names: str, default: str = "") -> str:
    """A value given as an attribute or as a direct child element's text."""
    for key, value in el.attrib.items():
        if _local(key) in names:
            return str(value)
    for c in el:
        if _local(c.tag) in names:
            return c.text or ""
    return default


def parse_project_xml(xml: bytes, *, name: str = "<xml>") -> AchMatrix:
    """Parse the XML project held in an ``.achz`` archive."""
    head = xml[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in xml.lower():
        raise ParseError(f"{name}: the project XML declares a DOCTYPE or entities, which ACH projects never need; refusing it")
    try:
        root = etree.fromstring(xml, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"{name}: project XML does not parse: {exc}") from exc
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None:  # the byte check above misses UTF-16 and a DOCTYPE after a long comment
        raise ParseError(f"{name}: the project XML declares a DOCTYPE or entities, which ACH projects never need; refusing it")
    title = _field(root, "title", "name")
    hyp_parent = _first(root, "hypotheses")
    hyp_elems = _children(hyp_parent, "hypothesis") if hyp_parent is not None else [c for c in root.iter() if _local(c.tag) == "hypothesis"]
    hyp_ids: list[str] = []
    hypotheses: list[AchHypothesis] = []
    for i, el in enumerate(hyp_elems):
        label = _field(el, "label", "name", "title", "text")
        if not label and el.text and el.text.strip() and len(el) == 0:
            label = el.text
        label = label or f"H{i + 1}"
        hid = _field(el, "id", default=f"h{i + 1}")
        if label in {h.label for h in hypotheses}:
            raise ParseError(f"{name}: two hypotheses are both labelled {label!r}")
        hyp_ids.append(hid)
        hypotheses.append(AchHypothesis(label=label, description=_field(el, "description", "notes")))
    if not hypotheses:
        raise ParseError(f"{name}: the project has no hypotheses")
    ev_elems = _evidence_items(root, hyp_parent)
    ratings = _ratings(root, name)
    evidence: list[AchEvidence] = []
    for j, el in enumerate(ev_elems):
        eid = _field(el, "id", default=f"e{j + 1}")
        inline = {_field(r, "hypothesis", "hypothesisid", "hyp"): _rating(_field(r, "value", "rating", "consistency") or (r.text or ""), name) for r in el.iter() if r is not el and _local(r.tag) in {"rating", "cell"}}
        cells = tuple(inline.get(hid) or ratings.get((eid, hid), Consistency.N) for hid in hyp_ids)
        evidence.append(
            AchEvidence(
                label=_field(el, "label", "description", "name", "text") or f"E{j + 1}",
                cells=cells,
                source=_field(el, "source"),
                credibility=_level(_field(el, "credibility"), name),
                relevance=_level(_field(el, "relevance"), name),
                kind=_field(el, "type", "kind"),
                date=_date(_field(el, "date"), name),
            )
        )
    return AchMatrix(hypotheses=tuple(hypotheses), evidence=tuple(evidence), title=title, method="parc-achz")


_EVIDENCE_TAGS = {"evidence", "evidenceitem", "item"}


def _evidence_items(root: etree._Element, hyp_parent: etree._Element | None) -> list[etree._Element]:
    """Evidence elements: <Evidence>/<EvidenceItem>/<Item> that are not containers of further ones."""
    out = []
    for el in root.iter():
        if _local(el.tag) not in _EVIDENCE_TAGS:
            continue
        if hyp_parent is not None and any(a is hyp_parent for a in el.iterancestors()):
            continue
        if any(_local(c.tag) in _EVIDENCE_TAGS for c in el.iterdescendants()):
            continue  # a container such as <Evidence><Item/>...</Evidence>
        out.append(el)
    return out


def _ratings(root: etree._Element, name: str) -> dict[tuple[str, str], Consistency]:
    out: dict[tuple[str, str], Consistency] = {}
    parent = _first(root, "ratings", "matrix", "consistency")
    if parent is None:
        return out
    for r in parent.iter():
        if r is parent or _local(r.tag) not in {"rating", "cell"}:
            continue
        eid = _field(r, "evidence", "evidenceid", "ev")
        hid = _field(r, "hypothesis", "hypothesisid", "hyp")
        if eid and hid:
            out[(eid, hid)] = _rating(_field(r, "value", "rating", "consistency") or (r.text or ""), name)
    return out


def _rating(text: str, name: str) -> Consistency:
    key = " ".join(text.strip().lower().split())
    if key not in _RATING_WORDS:
        raise ParseError(f"{name}: unknown consistency rating {text!r} (expected CC, C, N, NA, I or II)")
    return Consistency(_RATING_WORDS[key])


def _level(text: str, name: str) -> str:
    key = text.strip().lower()
    if not key:
        return "medium"
    if key in LEVELS:
        return key
    if key in {"h", "hi"}:
        return "high"
    if key in {"m", "med", "moderate"}:
        return "medium"
    if key in {"l", "lo"}:
        return "low"
    raise ParseError(f"{name}: credibility/relevance must be high, medium or low, got {text!r}")


def _date(text: str, name: str) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    for fmt in ("%m/%d/%Y", "%d %b %Y", "%b %d, %Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ParseError(f"{name}: evidence date {text!r} is not a date (expected YYYY-MM-DD)")


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def project_xml(matrix: AchMatrix) -> bytes:
    """The XML project for ``matrix`` in the layout :func:`parse_project_xml` reads."""
    root = etree.Element("ACHProject", version="2.0")
    try:
        etree.SubElement(root, "Title").text = matrix.title
        hyps = etree.SubElement(root, "Hypotheses")
        for i, h in enumerate(matrix.hypotheses):
            el = etree.SubElement(hyps, "Hypothesis", id=f"h{i + 1}")
            etree.SubElement(el, "Label").text = h.label
            etree.SubElement(el, "Description").text = h.description
        evs = etree.SubElement(root, "EvidenceList")
        ratings = etree.SubElement(root, "Ratings")
        for j, row in enumerate(matrix.evidence):
            el = etree.SubElement(evs, "Evidence", id=f"e{j + 1}")
            etree.SubElement(el, "Label").text = row.label
            etree.SubElement(el, "Type").text = row.kind
            etree.SubElement(el, "Date").text = row.date.isoformat() if row.date else ""
            etree.SubElement(el, "Source").text = row.source
            etree.SubElement(el, "Credibility").text = row.credibility.capitalize()
            etree.SubElement(el, "Relevance").text = row.relevance.capitalize()
            for i, cell in enumerate(row.cells):
                etree.SubElement(ratings, "Rating", evidence=f"e{j + 1}", hypothesis=f"h{i + 1}", value=cell.value)
    except ValueError as exc:  # control characters XML 1.0 cannot carry
        raise InputError(f"the ACH matrix holds text XML cannot store: {exc}") from exc
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def write_achz(matrix: AchMatrix, path: str | Path) -> Path:
    """Write ``matrix`` as a PARC-style ``.achz`` archive (one ``project.xml``); returns the path."""
    path = Path(path)
    payload = project_xml(matrix)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(PROJECT_MEMBER, payload)
    try:
        path.write_bytes(buf.getvalue())
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return path
