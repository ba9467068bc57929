#!/usr/bin/env python3
"""Parses stored messages with Python's email package (an implementation independent of
Vigil's) and prints JSON: for each file, its decoded headers, raw headers, envelope and parts."""
import json
import sys
from email import policy
from email.parser import BytesParser
from pathlib import Path

result = []
for name in sys.argv[1:]:
    path = Path(name)
    raw = path.read_bytes()
    message = BytesParser(policy=policy.default).parsebytes(raw)
    raw_message = BytesParser(policy=policy.compat32).parsebytes(raw)
    parts = []
    for part in message.walk():
        if part.is_multipart():
            continue
        parts.append({
            "content_type": part.get_content_type(),
            "charset": part.get_content_charset(),
            "transfer_encoding": part.get("Content-Transfer-Encoding"),
            "body": part.get_content(),
        })
    lines = raw.split(b"\r\n")
    result.append({
        "file": str(path),
        "envelope": json.loads(path.with_suffix(".json").read_text()),
        "headers": {key: str(value) for key, value in message.items()},
        "raw_headers": {key: value for key, value in raw_message.items()},
        "content_type": message.get_content_type(),
        "parts": parts,
        "longest_line": max(len(line) for line in lines),
        "bare_lf": b"\n" in raw.replace(b"\r\n", b""),
        "defects": [str(defect) for defect in message.defects],
    })
json.dump(result, sys.stdout, ensure_ascii=False)
