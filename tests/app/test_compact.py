"""Shared equal parts and packed results: the same models and answers in less memory."""

from __future__ import annotations

import json
import pickle

import pytest

from tests.redlines.scenarios import al_asad, green_zone, irgc_result, kirkuk, militia_result
from tripwire.app.compact import PackedResults, Sharing, pack, share_equal_parts, unpack
from tripwire.jsonable import to_jsonable
from tripwire.model import Incident


def _incidents() -> list[Incident]:
    """Realistic incidents, each twice as the store would give them: equal content, separate objects."""
    out = []
    for make in (kirkuk, green_zone, al_asad):
        out += [make(), make().model_copy(update={"id": make().id + "-again"})]
    return [Incident.model_validate_json(i.model_dump_json()) for i in out]


def test_sharing_leaves_every_model_equal_and_shares_what_is_equal() -> None:
    incidents = _incidents()
    before = [(i.model_dump(), i.model_dump_json(), hash(i), i.model_fields_set) for i in incidents]
    share_equal_parts(incidents)
    assert [(i.model_dump(), i.model_dump_json(), hash(i), i.model_fields_set) for i in incidents] == before
    first, again = incidents[0], incidents[1]
    assert first.__pydantic_fields_set__ is again.__pydantic_fields_set__  # one field set per model class and fields given
    assert first.place is not None and again.place is not None and first.place.name is again.place.name  # short strings: one object
    claim, claim_again = first.attributions[0], again.attributions[0]
    assert claim.__pydantic_fields_set__ is claim_again.__pydantic_fields_set__  # models inside models too


def test_sharing_survives_pickling_and_copies_do_not_change_the_shared_parts() -> None:
    sharing = Sharing()
    incidents = [sharing.share(i) for i in _incidents()]
    back = pickle.loads(pickle.dumps(incidents))
    assert back == incidents and back[0].__pydantic_fields_set__ is back[1].__pydantic_fields_set__
    shared = incidents[0].__pydantic_fields_set__
    snapshot = set(shared)
    changed = incidents[0].model_copy(update={"summary": "changed"})
    assert changed.summary == "changed" and set(shared) == snapshot and incidents[1].summary == _incidents()[1].summary


@pytest.fixture()
def results():  # type: ignore[no-untyped-def]
    return {
        kirkuk().id: militia_result(kirkuk().id, ordered=0.4, supported=0.3, independent=0.1, isis=0.1, unknown=0.1, with_intervals=True),
        al_asad().id: irgc_result(al_asad().id, executed=0.8),
    }


def test_packed_results_answer_as_the_dict_they_were_made_from(results) -> None:  # type: ignore[no-untyped-def]
    packed = PackedResults.of(results)
    assert len(packed) == 2 and list(packed) == list(results) and green_zone().id not in packed and kirkuk().id in packed
    assert packed == results and dict(packed.items()) == results
    assert packed[kirkuk().id].model_dump() == results[kirkuk().id].model_dump()
    assert packed.get(green_zone().id) is None
    with pytest.raises(KeyError):
        packed[green_zone().id]
    assert packed[kirkuk().id] is not packed[kirkuk().id]  # unpacked afresh: nothing held but the packed bytes
    assert json.dumps(to_jsonable(packed)) == json.dumps(to_jsonable(results))  # what `brief -f json` prints


@pytest.mark.parametrize("which", ["kirkuk", "al_asad"])
def test_a_packed_result_is_smaller_and_unpacks_to_the_same_floats(results, which) -> None:  # type: ignore[no-untyped-def]
    result = results[kirkuk().id if which == "kirkuk" else al_asad().id]
    blob = pack(result)
    assert len(blob) < len(pickle.dumps(result)) and unpack(blob).model_dump() == result.model_dump()
