#!/usr/bin/env python3
"""Writes a one-page PDF list of invented people, laid out as a table (as official lists
are printed), to the path given as the only argument. No PDF library: the file is
written by hand, with the standard Helvetica font, so only the Python standard library is needed."""
import sys

rows = [
    ("LIST OF PERSONS HELD (INVENTED DATA)", None, None),
    ("No.", "Full name", "Status"),
    ("VG-101", "Arman Petrosyan", "detained"),
    ("VG-102", "Lilit Hakobyan", "released"),
    ("VG-103", "Davit Grigoryan", "sentenced"),
    ("Page 1 of 1", None, None),
]
lines = ["BT", "/F1 11 Tf"]
y = 780
for first, second, third in rows:
    for x, text in ((60, first), (180, second), (400, third)):
        if text is None:
            continue
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        lines.append(f"1 0 0 1 {x} {y} Tm ({escaped}) Tj")
    y -= 24
lines.append("ET")
content = "\n".join(lines).encode("latin-1")

objects = [
    b"<< /Type /Catalog /Pages 2 0 R >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
]
output = bytearray(b"%PDF-1.4\n")
offsets = []
for number, body in enumerate(objects, start=1):
    offsets.append(len(output))
    output += b"%d 0 obj\n" % number + body + b"\nendobj\n"
xref = len(output)
output += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
for offset in offsets:
    output += b"%010d 00000 n \n" % offset
output += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
with open(sys.argv[1], "wb") as handle:
    handle.write(output)
