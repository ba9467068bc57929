#!/usr/bin/env python3
"""Checks docs/config.schema.json with the jsonschema package (an independent validator).

Input (stdin): {"repo": PATH}. Output (stdout), JSON:
  schemaErrors  problems with the schema itself (Draft 2020-12 meta-schema)
  documents     [{"name", "part", "errors"}]: config.example.json, every ```json block of
                README.md and docs/*.md that is configuration, each against its part
  skipped       names of blocks that are not configuration (a webhook payload)
  examples      the schema's own "examples", for `vigil check`
  negatives     [{"name", "config", "errors"}]: broken configurations, each of which the
                schema must reject (and `vigil check` too: the Swift test runs it)
"""
import copy
import glob
import json
import os
import re
import sys

import jsonschema

repo = json.load(sys.stdin)["repo"]
schema = json.load(open(os.path.join(repo, "docs/config.schema.json"), encoding="utf-8"))
validator_class = jsonschema.Draft202012Validator
schema_errors = [error.message for error in validator_class(validator_class.META_SCHEMA).iter_errors(schema)]
validator = validator_class(schema, format_checker=jsonschema.FormatChecker())


def errors(instance, part=None):
    """Problems of `instance` against the whole schema, or one of its $defs / properties."""
    if part is None:
        target = validator
    else:
        kind, name = part
        sub = schema["$defs"][name] if kind == "def" else schema["properties"][name]
        target = validator_class({**sub, "$defs": schema["$defs"]}, format_checker=jsonschema.FormatChecker())
    return ["%s: %s" % (error.json_path, error.message) for error in target.iter_errors(instance)]


documents = []
skipped = []
example = json.load(open(os.path.join(repo, "config.example.json"), encoding="utf-8"))
documents.append({"name": "config.example.json", "part": "$", "errors": errors(example)})

top_level = set(schema["properties"])
source_types = set(schema["$defs"]["source"]["properties"]["type"]["enum"])
for path in [os.path.join(repo, "README.md")] + sorted(glob.glob(os.path.join(repo, "docs", "*.md"))):
    text = open(path, encoding="utf-8").read()
    for number, block in enumerate(re.findall(r"```json\n(.*?)```", text, re.S), 1):
        name = "%s block %d" % (os.path.relpath(path, repo), number)
        stripped = block.strip()
        # A fragment of the top level ("recipients": [...], "serve": {...}) becomes an object.
        instance = json.loads("{" + stripped + "}" if stripped.startswith('"') else stripped)
        if isinstance(instance, dict) and set(instance) <= top_level:
            for key, value in instance.items():
                documents.append({"name": name, "part": "$." + key, "errors": errors(value, ("property", key))})
        elif isinstance(instance, dict) and instance.get("type") in source_types and "id" in instance:
            documents.append({"name": name, "part": "source", "errors": errors(instance, ("def", "source"))})
        else:
            skipped.append(name)


def broken(name, change):
    config = copy.deepcopy(example)
    change(config)
    return {"name": name, "config": config, "errors": errors(config)}


negatives = [
    broken("unknown top-level key", lambda c: c.update({"source": []})),
    broken("misspelt source key", lambda c: c["sources"][0].update({"urll": "https://example.org"})),
    broken("maxDrop as a string", lambda c: c["sources"][0].update({"maxDrop": "0.2"})),
    broken("status word mapped to no canonical status", lambda c: c["sources"][0]["statusMap"].update({"x": "freed"})),
    broken("unknown output type", lambda c: c["outputs"].append({"id": "sms", "type": "sms"})),
    broken("rule without via", lambda c: c["rules"][0].pop("via")),
    broken("confirm with zero runs", lambda c: c["rules"][2].update({"confirm": {"runs": 0}})),
    broken("preference for an unknown event kind", lambda c: c["recipients"][2]["preferences"].update({"events": ["released"]})),
    broken("duration without a unit", lambda c: c["deadlines"][0].update({"overdue": "35"})),
    broken("source without key", lambda c: c["sources"][1].pop("key")),
    broken("secret with an unknown reference", lambda c: c["sources"][0].update({"headers": {"X-Key": "${vault:key}"}})),
]

json.dump({"schemaErrors": schema_errors, "documents": documents, "skipped": skipped,
           "examples": schema.get("examples", []), "negatives": negatives}, sys.stdout, ensure_ascii=False)
