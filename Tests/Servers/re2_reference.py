#!/usr/bin/env python3
"""Matches patterns with RE2 itself (google-re2 from PyPI), the engine CEL's `matches`
specifies, so Vigil's linear-time matcher can be checked against it. Reads JSON from stdin,
{"cases": [[pattern, text], ...]}, and prints a list: {"match": bool} or {"error": true}."""
import json
import sys

import re2

request = json.load(sys.stdin)
results = []
for pattern, text in request["cases"]:
    try:
        compiled = re2.compile(pattern)
    except Exception:
        results.append({"error": True})
        continue
    results.append({"match": compiled.search(text) is not None})
json.dump(results, sys.stdout)
