"""API compatibility (the plan's Risk 3): the generated schema keeps everything in the committed
snapshot, and the checker (integrations/api/compat.py) catches each kind of break."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from integrations.api.compat import added_operations, breaking_changes, main

SNAPSHOT = Path(__file__).resolve().parents[2] / "integrations" / "api" / "openapi.snapshot.json"


@pytest.mark.smoke
@pytest.mark.django_db
def test_the_generated_schema_keeps_everything_in_the_snapshot(tmp_path, capsys):
    current = tmp_path / "openapi.json"
    call_command("spectacular", "--format", "openapi-json", "--file", str(current))
    assert main([str(SNAPSHOT), str(current)]) == 0, capsys.readouterr().err
    snapshot = json.loads(SNAPSHOT.read_text())
    assert breaking_changes(snapshot, json.loads(current.read_text())) == []


# --- the checker on small hand-made schemas ---------------------------------------------------

def api() -> dict:
    """A small API in spectacular's style: components, $refs, allOf, enums, split requests."""
    return {
        "openapi": "3.0.3",
        "paths": {
            "/things/": {
                "get": {
                    "parameters": [{"in": "query", "name": "q", "required": False,
                                    "schema": {"type": "string", "maxLength": 100}}],
                    "responses": {"200": {"content": {"application/json": {"schema": {
                        "type": "array", "items": {"$ref": "#/components/schemas/Thing"}}}}}},
                },
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": {
                        "$ref": "#/components/schemas/ThingRequest"}}}},
                    "responses": {"201": {"content": {"application/json": {"schema": {
                        "$ref": "#/components/schemas/Thing"}}}},
                        "400": {"content": {"application/json": {"schema": {
                            "$ref": "#/components/schemas/Error"}}}}},
                },
            },
            "/things/{id}/": {"get": {
                "parameters": [{"in": "path", "name": "id", "required": True,
                                "schema": {"type": "integer"}}],
                "responses": {"200": {"content": {"application/json": {"schema": {
                    "$ref": "#/components/schemas/Thing"}}}}}}},
        },
        "components": {"schemas": {
            "Thing": {"type": "object", "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "status": {"$ref": "#/components/schemas/StatusEnum"},
                "note": {"type": "string", "nullable": True},
                "created_at": {"type": "string", "format": "date-time"},
                "parent": {"allOf": [{"$ref": "#/components/schemas/Thing"}], "nullable": True},
            }, "required": ["id", "name", "status", "created_at"]},
            "ThingRequest": {"type": "object", "properties": {
                "name": {"type": "string", "maxLength": 60},
                "size": {"type": "number", "minimum": 0},
                "kind": {"$ref": "#/components/schemas/KindEnum"},
                "tags": {"type": "array", "items": {"type": "string"}},
                "note": {"type": "string", "nullable": True},
            }, "required": ["name"]},
            "StatusEnum": {"type": "string", "enum": ["active", "deprecated"]},
            "KindEnum": {"type": "string", "enum": ["small", "large"]},
            "Error": {"type": "object", "properties": {"code": {"type": "string"}},
                      "required": ["code"]},
        }},
    }


ONE = "GET /things/{id}/, response 200 (application/json)"


def changed(edit) -> list[str]:
    old = api()
    new = copy.deepcopy(old)
    edit(new, new["components"]["schemas"])
    return breaking_changes(old, new)


def test_the_same_schema_breaks_nothing():
    assert breaking_changes(api(), api()) == []


def test_a_recursive_schema_is_compared_without_looping():
    problems = changed(lambda new, s: s["Thing"]["properties"].pop("note"))  # Thing.parent: Thing
    assert [p for p in problems if p.startswith(ONE)] == [
        f"{ONE} `note`: field removed", f"{ONE} `parent.note`: field removed"]


def test_a_removed_path_is_a_break():
    problems = changed(lambda new, s: new["paths"].pop("/things/{id}/"))
    assert problems == ["/things/{id}/: path removed"]


def test_a_removed_operation_is_a_break():
    problems = changed(lambda new, s: new["paths"]["/things/"].pop("post"))
    assert problems == ["POST /things/: operation removed"]


def test_a_removed_response_field_is_a_break_wherever_it_is_used():
    problems = changed(lambda new, s: s["Thing"]["properties"].pop("name"))
    assert "GET /things/, response 200 (application/json) `[].name`: field removed" in problems
    assert "POST /things/, response 201 (application/json) `name`: field removed" in problems
    assert f"{ONE} `name`: field removed" in problems


def test_a_response_field_that_may_now_be_absent_is_a_break():
    problems = changed(lambda new, s: s["Thing"]["required"].remove("status"))
    assert f"{ONE} `status`: may now be absent (no longer required)" in problems


def test_a_response_field_that_may_now_be_null_is_a_break():
    problems = changed(lambda new, s: s["Thing"]["properties"]["name"].update(nullable=True))
    assert f"{ONE} `name`: may now be null" in problems


def test_a_removed_enum_value_is_a_break_in_answers_and_in_requests():
    problems = changed(lambda new, s: (s["StatusEnum"]["enum"].remove("deprecated"),
                                       s["KindEnum"]["enum"].remove("large")))
    assert f"{ONE} `status`: enum value(s) removed: 'deprecated'" in problems
    assert "POST /things/, request body (application/json) `kind`: enum value(s) removed: " \
           "'large'" in problems


def test_a_newly_required_request_field_is_a_break():
    problems = changed(lambda new, s: (s["ThingRequest"]["required"].append("size"),
                                       s["ThingRequest"]["properties"].update(
                                           color={"type": "string"}),
                                       s["ThingRequest"]["required"].append("color")))
    assert problems == [
        "POST /things/, request body (application/json) `color`: field is now required",
        "POST /things/, request body (application/json) `size`: field is now required"]


def test_a_removed_request_field_is_a_break_because_unknown_fields_are_refused():
    problems = changed(lambda new, s: s["ThingRequest"]["properties"].pop("tags"))
    assert problems == ["POST /things/, request body (application/json) `tags`: field removed"]


@pytest.mark.parametrize(("field", "narrower", "message"), [
    ("size", {"type": "integer", "minimum": 0}, "type changed from number to integer"),
    ("name", {"type": "integer"}, "type changed from string to integer"),
    ("tags", {"type": "array", "items": {"type": "integer"}},
     "`tags[]`: type changed from string to integer"),
    ("note", {"type": "string"}, "null is no longer accepted"),
    ("name", {"type": "string", "maxLength": 30}, "maxLength tightened from 60 to 30"),
    ("size", {"type": "number", "minimum": 1}, "minimum tightened from 0 to 1"),
    ("name", {"type": "string", "maxLength": 60, "format": "email"},
     "format changed from none to email"),
    ("name", {"type": "string", "maxLength": 60, "enum": ["a"]}, "now limited to the values 'a'"),
])
def test_a_narrowed_request_type_is_a_break(field, narrower, message):
    problems = changed(lambda new, s: s["ThingRequest"]["properties"].update({field: narrower}))
    assert len(problems) == 1 and message in problems[0], problems


def test_a_changed_response_type_or_format_is_a_break():
    problems = changed(lambda new, s: s["Thing"]["properties"].update(
        id={"type": "string"}, created_at={"type": "string", "format": "date"}))
    assert f"{ONE} `id`: type changed from integer to string" in problems
    assert f"{ONE} `created_at`: format changed from date-time to date" in problems


def test_parameters_may_not_be_removed_narrowed_or_newly_required():
    def edit(new, s):
        get = new["paths"]["/things/"]["get"]
        get["parameters"][0]["schema"]["maxLength"] = 10
        get["parameters"].append({"in": "query", "name": "page", "required": True,
                                  "schema": {"type": "integer"}})
        new["paths"]["/things/{id}/"]["get"]["parameters"][0]["schema"] = {"type": "number"}
    problems = changed(edit)
    assert "GET /things/, query parameter `q`: maxLength tightened from 100 to 10" in problems
    assert "GET /things/: new required query parameter `page`" in problems
    assert len(problems) == 2  # an integer parameter that now takes any number: wider
    removed = changed(lambda new, s: new["paths"]["/things/"]["get"].pop("parameters"))
    assert removed == ["GET /things/: query parameter `q` removed"]


def test_removed_responses_media_types_and_bodies_are_breaks():
    def edit(new, s):
        post = new["paths"]["/things/"]["post"]
        post["responses"].pop("400")
        post["requestBody"]["required"] = True
        new["paths"]["/things/"]["get"]["responses"]["200"]["content"] = {
            "text/csv": {"schema": {"type": "string"}}}
    assert changed(edit) == [
        "GET /things/: response 200 is no longer application/json",
        "POST /things/: the request body is now required",
        "POST /things/: response 400 removed"]
    no_body = changed(lambda new, s: new["paths"]["/things/"]["post"].pop("requestBody"))
    assert no_body == ["POST /things/: the request body is no longer accepted"]
    yaml_only = changed(lambda new, s: new["paths"]["/things/"]["post"]["requestBody"].update(
        content={"text/yaml": {"schema": {"type": "string"}}}))
    assert yaml_only == ["POST /things/: request body is no longer application/json"]


def test_additions_and_renamed_components_are_not_breaks():
    def edit(new, s):
        s["Thing"]["properties"]["color"] = {"type": "string"}
        s["Thing"]["required"].append("color")
        s["StatusEnum"]["enum"].append("withdrawn")
        s["KindEnum"]["enum"].append("medium")
        s["ThingRequest"]["properties"]["color"] = {"type": "string"}
        s["ThingRequest"]["properties"]["name"]["maxLength"] = 200
        s["ThingRequest"]["properties"]["size"] = {"type": "number", "nullable": True}
        s["ThingInput"] = s.pop("ThingRequest")
        new["paths"]["/things/"]["post"]["requestBody"]["content"]["application/json"][
            "schema"] = {"$ref": "#/components/schemas/ThingInput"}
        new["paths"]["/things/"]["post"]["requestBody"]["content"]["text/yaml"] = {
            "schema": {"type": "string"}}
        new["paths"]["/things/"]["post"]["responses"]["409"] = {"description": "conflict"}
        new["paths"]["/things/{id}/"]["delete"] = {"responses": {"204": {}}}
        new["paths"]["/other/"] = {"get": {"responses": {"200": {}}}}
    old = api()
    new = copy.deepcopy(old)
    edit(new, new["components"]["schemas"])
    assert breaking_changes(old, new) == []
    assert added_operations(old, new) == ["DELETE /things/{id}/", "GET /other/"]


def test_the_command_line_exits_1_on_a_break_and_says_how_to_record_it(tmp_path, capsys):
    old, new = api(), api()
    new["paths"].pop("/things/{id}/")
    (tmp_path / "old.json").write_text(json.dumps(old))
    (tmp_path / "new.json").write_text(json.dumps(new))
    assert main([str(tmp_path / "old.json"), str(tmp_path / "new.json")]) == 1
    err = capsys.readouterr().err
    assert "/things/{id}/: path removed" in err and "CHANGELOG.md" in err
    assert main([str(tmp_path / "new.json"), str(tmp_path / "old.json")]) == 0
    assert "1 new operation(s): GET /things/{id}/" in capsys.readouterr().out
