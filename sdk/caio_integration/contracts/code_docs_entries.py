"""The text of the diagnostics reference, one entry per code (see ``codes.py``).

Order: reading the file (YAML), then the shape of the document, then the schema's checks, then
the rules beyond the schema. Examples are short on purpose: a fragment triggers other codes
too (usually ``required``), and the reference only promises that its own code appears.
"""

from __future__ import annotations

from typing import Any

from .loader import MAX_ALIASES, MAX_BYTES, MAX_DEPTH, MAX_NODES, MAX_SCALAR
from .parsed import MAX_PROBLEMS

ENTRIES: list[dict[str, Any]] = [
    # --- reading the file ----------------------------------------------------------------
    dict(code="too-large", severity="error", title="The file is too large",
         meaning=f"A contract is at most {MAX_BYTES:,} bytes (256 KiB). Larger files are refused "
                 "before they are read.",
         fix="Shorten the descriptions; a contract describes a service, it does not document it. "
             "Link to longer documentation with `documentation_url`.",
         example='service_id: big-service\ndescription: "xxxxxxxx... (more than 256 KiB)"\n',
         build=lambda: "service_id: big-service\ndescription: " + "x" * (MAX_BYTES + 1) + "\n"),
    dict(code="encoding", severity="error", title="The file is not UTF-8",
         meaning="Contracts are UTF-8 text. The file holds a byte sequence that is not UTF-8, "
                 "usually because an editor saved it as Latin-1 or Windows-1252.",
         fix="Save the file as UTF-8 (most editors have an encoding menu; `iconv -f latin1 -t "
             "utf-8` converts it).",
         example="service_id: cafe-service\nname: Café (saved as Latin-1)\n",
         build=lambda: "service_id: cafe-service\nname: Café\n".encode("latin-1")),
    dict(code="invalid-character", severity="error", title="A character a contract cannot hold",
         meaning="The text holds a control character YAML does not allow, a NUL (U+0000), or a "
                 "lone surrogate written as an escape. No contract needs one, and the portal's "
                 "database cannot store it.",
         fix="Remove the character. In a double-quoted string, look for escapes such as `\\0`, "
             "`\\x00` or `\\ud800`.",
         example='service_id: nul-service\nname: "Tab\\0Name"\n'),
    dict(code="syntax", severity="error", title="YAML syntax error",
         meaning="The text is not valid YAML, so nothing else could be checked. The position is "
                 "where the YAML reader gave up; the mistake is often on the line before.",
         fix="Check indentation (spaces, not tabs), the colon after each key, and that quotes and "
             "brackets are closed.",
         example="service_id: broken\nname: [unclosed\n"),
    dict(code="multiple-documents", severity="error", title="More than one YAML document",
         meaning="A contract file holds one YAML document; this one has a `---` separator "
                 "followed by a second document.",
         fix="Put each contract in its own file, or remove the second `---`.",
         example="service_id: first\n---\nservice_id: second\n"),
    dict(code="too-deep", severity="error", title="Nested too deeply",
         meaning=f"The document nests mappings or lists more than {MAX_DEPTH} levels deep. No "
                 "contract needs that; it protects the portal from hostile input.",
         fix="Flatten the structure: a contract uses at most four levels.",
         example="service_id: deep\nx: [[[[[[[[ ... ]]]]]]]]  # 65 levels\n",
         build=lambda: "service_id: deep\nx: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
         + "\n"),
    dict(code="too-many-nodes", severity="error", title="Too many values",
         meaning=f"The document holds more than {MAX_NODES:,} values. A contract needs a few "
                 "dozen.",
         fix="Remove the generated lists; list only what the service really supports.",
         example="service_id: huge\ntags: [a, a, a, ...]  # 20,001 values\n",
         build=lambda: "service_id: huge\ntags: [" + ", ".join(["a"] * (MAX_NODES + 1)) + "]\n"),
    dict(code="scalar-too-long", severity="error", title="A value is too long",
         meaning=f"One value is longer than {MAX_SCALAR:,} characters.",
         fix="Shorten the value; use `documentation_url` for long texts.",
         example='service_id: long-value\ndescription: "xxxx... (65,537 characters)"\n',
         build=lambda: "service_id: long-value\ndescription: " + "x" * (MAX_SCALAR + 1) + "\n"),
    dict(code="duplicate-key", severity="error", title="A key appears twice",
         meaning="The same key is set twice in one mapping. YAML readers disagree on which value "
                 "wins, so the validator refuses to guess.",
         fix="Keep one of the two lines.",
         example="service_id: twice\nname: First name\nname: Second name\n"),
    dict(code="complex-key", severity="error", title="A key that is not a plain value",
         meaning="A mapping, a list or an alias is used as a key. Contract keys are plain words.",
         fix="Write the key as a plain word such as `name`.",
         example="service_id: odd-keys\n? [a, b]\n: value\n"),
    dict(code="merge-key", severity="error", title="Merge keys are not supported",
         meaning="The document uses YAML's merge key (`<<`). Its behaviour differs between YAML "
                 "readers, so contracts do not use it.",
         fix="Write the keys out in full.",
         example="service_id: merged\nbase: &base\n  p95_ms: 100\nguarantees:\n  latency:\n"
                 "    <<: *base\n"),
    dict(code="unknown-alias", severity="error", title="An alias with no anchor",
         meaning="An alias (`*name`) refers to an anchor (`&name`) that is not defined before it.",
         fix="Define the anchor first, or write the value out.",
         example="service_id: alias\nname: *missing\n"),
    dict(code="too-many-aliases", severity="error", title="Too many aliases",
         meaning=f"The document uses more than {MAX_ALIASES} aliases.",
         fix="Write the values out; a contract rarely needs aliases at all.",
         example="service_id: aliases\nv: &v x\nlist: [*v, *v, *v, ...]  # 101 aliases\n",
         build=lambda: "service_id: aliases\nv: &v x\nlist: [" + ", ".join(["*v"] * (
             MAX_ALIASES + 1)) + "]\n"),
    dict(code="alias-expansion", severity="error", title="Aliases expand too far",
         meaning=f"Aliases that refer to other aliases would expand to more than {MAX_NODES:,} "
                 "values (the \"billion laughs\" attack).",
         fix="Write the values out without nested aliases.",
         example="service_id: laughs\na: &a [x, x, x, x, x, x, x, x, x, x]\n"
                 "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                 "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                 "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                 "e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"),
    dict(code="unsupported-tag", severity="error", title="A YAML tag is not allowed",
         meaning="A value carries a YAML tag such as `!!python/object` or `!!binary`. Contracts "
                 "hold plain values only.",
         fix="Remove the tag.",
         example="service_id: tagged\nname: !!binary aGVsbG8=\n"),
    dict(code="bad-scalar", severity="error", title="A value cannot be read as its type",
         meaning="A value carries an explicit type tag (for example `!!int`) that it cannot be "
                 "read as.",
         fix="Write an ordinary value, or quote it to make it text.",
         example="service_id: bad-number\nconstraints:\n  max_tokens: !!int many\n"),
    dict(code="not-finite", severity="error", title="A number is not finite",
         meaning="A number is `.inf` or `.nan`. Guarantees and prices are ordinary numbers.",
         fix="Write an ordinary number.",
         example="service_id: infinite\ncost:\n  per_request: .inf\n"),
    dict(code="ambiguous-scalar", severity="error", title="YAML reads the value as another type",
         meaning="An unquoted value that looks like text to you is read by YAML as a number, a "
                 "boolean or a date: `version: 3.10` is the number 3.1, `no` is false.",
         fix='Put the value in quotes: `version: "3.10"`.',
         example="service_id: ambiguous\nname: Ambiguous\nversion: 3.10\ncapabilities: "
                 "[text_generation]\n"),
    # --- the document as a whole ---------------------------------------------------------
    dict(code="empty", severity="error", title="The contract is empty",
         meaning="The file holds no YAML value (it is empty, or only comments).",
         fix="Start from a template: `caio init --template simple_service`.",
         example="# only a comment\n"),
    dict(code="not-a-mapping", severity="error", title="The contract is not a mapping",
         meaning="The top level of a contract is a mapping of keys to values; this file holds a "
                 "list or a single value.",
         fix="Write one `key: value` per line, starting with `service_id`.",
         example="- service_id: in-a-list\n"),
    dict(code="too-many-problems", severity="info", title="Only the first problems are listed",
         meaning=f"The contract has more than {MAX_PROBLEMS} problems of one kind; the list stops "
                 "there. The verdict (invalid) is already certain.",
         fix="Fix the problems listed and validate again.",
         example="service_id: many\nx1: 1\nx2: 2\nx3: 3\n...  # 201 unknown keys\n",
         build=lambda: "service_id: many\n" + "".join(f"x{i}: {i}\n" for i in range(
             MAX_PROBLEMS + 1))),
    dict(code="internal-error", severity="error", title="The validator failed",
         meaning="The validator met a bug while reading this contract. The contract may be fine.",
         fix="Report the contract to the portal's maintainers (an issue with the contract "
             "attached); a later version of the validator will judge it.",
         example=None,
         no_example="It only appears when the validator itself has a bug; no contract is meant "
                    "to trigger it."),
    # --- the schema ----------------------------------------------------------------------
    dict(code="required", severity="error", title="A required field is missing",
         meaning="A field the schema requires is absent. At the top level these are "
                 "`service_id`, `name`, `version` and `capabilities`; some sections require "
                 "fields of their own.",
         fix="Add the field; the hint shows a line to copy.",
         example="service_id: no-version\nname: No version\ncapabilities: [text_generation]\n"),
    dict(code="unknown-key", severity="error", title="A key the schema does not know",
         meaning="The key is not part of contract schema v1, often a typo. Unknown keys are "
                 "errors so that a misspelt guarantee is never silently ignored.",
         fix="Use the suggested spelling (the hint says \"Did you mean ...\"), or remove the key.",
         example="service_id: typo\nname: Typo\nversion: \"1.0.0\"\ncapabilities: "
                 "[text_generation]\ndescripton: misspelt\n"),
    dict(code="type", severity="error", title="A value of the wrong type",
         meaning="The value is of another type than the field needs: text where a number is "
                 "expected, a single value where a list is expected, or no value at all.",
         fix="Write a value of the type the message names; see the contract reference for each "
             "field's type.",
         example="service_id: wrong-type\nname: Wrong type\nversion: \"1.0.0\"\ncapabilities: "
                 "text_generation\n"),
    dict(code="pattern", severity="error", title="A value is not in the expected format",
         meaning="The text does not match the field's format: a `service_id` of 3-63 lowercase "
                 "letters, digits and hyphens, a Semantic Version, a snake_case capability, an "
                 "ISO code.",
         fix="Follow the format in the hint; the contract reference lists each field's rule.",
         example="service_id: My_Service\n"),
    dict(code="min-length", severity="error", title="A text is too short",
         meaning="The text is empty or shorter than the field allows.",
         fix="Write a value, or remove the key if the field is optional.",
         example='service_id: short\nname: ""\n'),
    dict(code="max-length", severity="error", title="A text is too long",
         meaning="The text is longer than the field allows (the message gives the limit).",
         fix="Shorten it.",
         example="service_id: long-name\nname: " + "N" * 101 + "\n"),
    dict(code="minimum", severity="error", title="A number is below its minimum",
         meaning="The number is smaller than the field allows, for example a negative price.",
         fix="Use a number at least as large as the message says.",
         example="service_id: negative\ncost:\n  per_request: -1\n"),
    dict(code="maximum", severity="error", title="A number is above its maximum",
         meaning="The number is larger than the field allows, for example an accuracy above 1.",
         fix="Accuracy is a fraction: write 0.95, not 95.",
         example="service_id: too-accurate\nguarantees:\n  accuracy:\n    min: 95\n"),
    dict(code="exclusive-minimum", severity="error", title="A number must be greater than a limit",
         meaning="The number must be strictly greater than a limit, for example a latency above "
                 "0 ms.",
         fix="Use a number greater than the limit the message names.",
         example="service_id: instant\nguarantees:\n  latency:\n    p95_ms: 0\n"),
    dict(code="exclusive-maximum", severity="error", title="A number must be less than a limit",
         meaning="The number must be strictly less than a limit.",
         fix="Use a number less than the limit the message names.",
         example=None,
         no_example="No field of contract schema v1 has such a limit yet; the validator knows "
                    "the code for the schema versions to come."),
    dict(code="enum", severity="error", title="A value outside a fixed list",
         meaning="The field accepts only the values the message lists.",
         fix="Use one of the listed values.",
         example=None,
         no_example="No field of contract schema v1 has a fixed list of values yet; the "
                    "validator knows the code for the schema versions to come."),
    dict(code="min-items", severity="error", title="A list is too short",
         meaning="The list must have at least the number of items the message says; "
                 "`capabilities` needs at least one.",
         fix="Add an item.",
         example="service_id: no-capabilities\ncapabilities: []\n"),
    dict(code="max-items", severity="error", title="A list is too long",
         meaning="The list has more items than the field allows (the message gives the limit).",
         fix="Keep the items that matter most.",
         example="service_id: many-tags\ntags: [" + ", ".join(f"t{i}" for i in range(21))
                 + "]\n"),
    dict(code="unique-items", severity="error", title="A list repeats an item",
         meaning="The same item appears twice in a list that must not repeat.",
         fix="Remove the repeated entry.",
         example="service_id: repeated\ncapabilities: [text_generation, text_generation]\n"),
    dict(code="https-required", severity="error", title="A URL must use https",
         meaning="`endpoint` and `documentation_url` must be `https://` URLs.",
         fix="Serve the service over TLS and write its `https://` address.",
         example="service_id: plain-http\nendpoint: http://api.example.com/v1\n"),
    dict(code="invalid-url", severity="error", title="A URL is not valid",
         meaning="The URL starts with `https://` but its host or port cannot be right (a space, "
                 "a port above 65535, a broken IPv6 address).",
         fix="Write a URL such as `https://api.example.com/v1`.",
         example="service_id: bad-port\nendpoint: https://api.example.com:99999/v1\n"),
    # --- rules beyond the schema ---------------------------------------------------------
    dict(code="latency-order", severity="error", title="p95 latency above p99",
         meaning="`guarantees.latency.p95_ms` is larger than `p99_ms`. The 95th percentile can "
                 "never exceed the 99th.",
         fix="Make `p95_ms` less than or equal to `p99_ms`.",
         example="service_id: latency\nguarantees:\n  latency:\n    p95_ms: 300\n"
                 "    p99_ms: 200\n"),
    dict(code="placeholder-text", severity="warning", title="Template text left in the contract",
         meaning="A value is still a template's placeholder (its service ID, name or description), "
                 "or an address is at a domain reserved for examples (example.com/.net/.org, "
                 ".example). It is a warning: the contract stays valid, but the text would reach "
                 "the catalogue.",
         fix="Write your service's own name and description, and real addresses (or remove the "
             "optional keys).",
         example='service_id: acme-chat\nname: My AI Service\nversion: "1.0.0"\n'
                 'capabilities: [text_generation]\n'),
    dict(code="unknown-capability", severity="warning", title="A capability outside the "
         "vocabulary",
         meaning="The capability is well formed but not in CAIO's vocabulary, so clients that "
                 "search by the vocabulary will not find the service by it. It is a warning: the "
                 "contract stays valid.",
         fix="Use the suggested name from the vocabulary (listed in the contract reference), or "
             "keep yours if nothing fits.",
         example="service_id: new-skill\ncapabilities: [text_generaton]\n"),
    dict(code="unknown-language", severity="error", title="Not an ISO 639-1 language",
         meaning="A two-letter code in `constraints.supported_languages` is not an ISO 639-1 "
                 "language.",
         fix="Use a code such as `en`, `es`, `fr` or `zh`.",
         example="service_id: languages\nconstraints:\n  supported_languages: [en, xx]\n"),
    dict(code="unknown-currency", severity="error", title="Not an ISO 4217 currency",
         meaning="`cost.currency` is three capital letters but not an ISO 4217 currency.",
         fix="Use a code such as `USD`, `EUR` or `GBP`.",
         example="service_id: currency\ncost:\n  per_request: 0.01\n  currency: XYZ\n"),
    dict(code="default-currency", severity="info", title="No currency: USD is assumed",
         meaning="`cost` gives prices without a `currency`, so they are read as US dollars. A "
                 "note, not a problem.",
         fix="Add `currency: USD` (or another ISO 4217 code) to make it explicit.",
         example="service_id: dollars\ncost:\n  per_request: 0.01\n"),
]
