"""`caio diff` and `caio init --service-id`, through main(argv).

`caio diff` must agree with the change list of the portal's review admin, which calls
caio_integration.contracts.compare on the stored parsed contracts: every case of
test_sdk_changes.py is run through the command and its JSON is compared with compare()."""

from __future__ import annotations

import json

import pytest
import yaml
from test_sdk_changes import RULES

from caio_integration.cli import exits, main
from caio_integration.contracts import compare, read_template, validate_text
from caio_integration.contracts.changes import MAJOR_BUMP_MISSING


@pytest.fixture
def base(contract_data):
    """As in test_sdk_changes.py: the valid contract without documentation_url, edited."""
    return lambda **edits: contract_data(at={"documentation_url": None, **edits})


def write(tmp_path, name: str, data: dict) -> str:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return str(path)


def caio(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("bump", ["1.1.0", "2.0.0"])
@pytest.mark.parametrize(("rule", "edits", "kind", "breaking"), RULES, ids=[r[0] for r in RULES])
def test_caio_diff_agrees_with_the_review_change_list_on_every_case(
        tmp_path, capsys, base, bump, rule, edits, kind, breaking):
    old = write(tmp_path, "old.yaml", base())
    new = write(tmp_path, "new.yaml", base(version=bump, **edits))
    code, out, _ = caio(capsys, "diff", "--format", "json", old, new)
    # What the admin computes: compare() over the parsed contracts the portal stores.
    expected = compare(validate_text(open(old).read()).data, validate_text(open(new).read()).data)
    report = json.loads(out)
    assert report["changes"] == [json.loads(json.dumps(c.to_dict())) for c in expected]
    assert kind in {c["kind"] for c in report["changes"]}
    assert report["breaking"] is breaking
    missing_bump = breaking and bump == "1.1.0"
    assert report["major_bump_missing"] is missing_bump
    assert (MAJOR_BUMP_MISSING in {c.kind for c in expected}) is missing_bump
    assert code == (exits.INVALID if missing_bump else exits.OK)


def test_caio_diff_prints_the_changes_with_breaking_ones_flagged(tmp_path, capsys, base):
    old = write(tmp_path, "old.yaml", base())
    new = write(tmp_path, "new.yaml", base(version="1.1.0", capabilities=["text_generation"],
                                           name="Renamed"))
    code, out, _ = caio(capsys, "diff", old, new)
    assert code == exits.INVALID
    lines = out.splitlines()
    assert lines[0] == f"{old} (1.0.0) -> {new} (1.1.0): 3 changes, 2 breaking."
    assert lines[1].startswith("  BREAKING  major_bump_missing  /version: Breaking change "
                               "without a major version bump: 1.0.0 to 1.1.0")
    assert lines[2] == ("  BREAKING  capability_removed  /capabilities: Capability translation "
                        "removed.")
    assert lines[3] == "            field_changed       /name: name changed."
    assert lines[4] == "Breaking changes need a major version bump (exit status 1)."


def test_caio_diff_of_identical_contracts_exits_0(tmp_path, capsys, base):
    path = write(tmp_path, "same.yaml", base())
    code, out, _ = caio(capsys, "diff", path, path)
    assert code == exits.OK
    assert out == f"{path} (1.0.0) -> {path} (1.0.0): 0 changes, 0 breaking.\n"


def test_caio_diff_exits_2_on_a_missing_file_or_a_file_that_is_no_contract(tmp_path, capsys,
                                                                            base):
    good = write(tmp_path, "good.yaml", base())
    code, _, err = caio(capsys, "diff", good, str(tmp_path / "missing.yaml"))
    assert code == exits.USAGE and "cannot open" in err
    broken = tmp_path / "broken.yaml"
    broken.write_text("a: [1, 2\n")
    code, _, err = caio(capsys, "diff", str(broken), good)
    assert code == exits.USAGE and "cannot be read as a contract" in err


def test_caio_diff_compares_a_contract_with_errors_but_warns(tmp_path, capsys, base):
    old = write(tmp_path, "old.yaml", base())
    new = write(tmp_path, "new.yaml", base(version="2.0.0", name=""))
    code, _, err = caio(capsys, "diff", old, new)
    assert code == exits.OK and "has 1 error" in err and "compared anyway" in err


# --- init -----------------------------------------------------------------------------------

def test_init_with_a_service_id_writes_a_valid_contract_with_that_id(tmp_path, capsys,
                                                                    monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = caio(capsys, "init", "--service-id", "acme-summarizer")
    assert code == exits.OK
    assert out == ("Wrote contract.yaml from simple_service for acme-summarizer. Check it with: "
                   "caio validate contract.yaml\n")
    text = (tmp_path / "contract.yaml").read_text()
    result = validate_text(text)
    assert result.valid and result.data["service_id"] == "acme-summarizer"
    # Only the id changed; the template's comments are kept.
    assert text == read_template("simple_service").replace("service_id: my-service",
                                                           "service_id: acme-summarizer")


def test_init_combines_a_template_with_a_service_id_and_quotes_a_yaml_keyword(tmp_path,
                                                                            capsys):
    out = tmp_path / "c.yaml"
    code, _, _ = caio(capsys, "init", "--template", "custom_llm", "--service-id", "yes",
                      "-o", str(out))
    assert code == exits.OK
    result = validate_text(out.read_text())
    assert result.valid and result.data["service_id"] == "yes"
    assert result.data["name"] == yaml.safe_load(read_template("custom_llm"))["name"]


def test_init_refuses_a_malformed_service_id(tmp_path, capsys):
    code, _, err = caio(capsys, "init", "--service-id", "Bad_Id", "-o", str(tmp_path / "c.yaml"))
    assert code == exits.USAGE and "is not a service id" in err
    assert not (tmp_path / "c.yaml").exists()
