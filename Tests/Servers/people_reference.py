#!/usr/bin/env python3
"""Independent implementations for Vigil's people matcher (JSON in on stdin, out on stdout).

    people_reference.py jw      {"pairs": [[a, b], ...]}  → {"similarity": [...]}   (jellyfish)
    people_reference.py latin   {"names": [...]}          → {"latin": [...]}        (PyICU)

`latin` romanises as NameNormalizer documents it, with Debian's ICU instead of the one
Foundation bundles: Armenian-Latin/BGN, Russian-Latin/BGN (then the aspiration-mark fix),
the Azerbaijani folds, apostrophes dropped, Any-Latin; Latin-ASCII, lowercase, parts split
at anything but a letter and joined by one space.
"""
import json
import re
import sys

AZ = {"ə": "a", "Ə": "a", "ş": "sh", "Ş": "sh", "ç": "ch", "Ç": "ch", "ğ": "gh", "Ğ": "gh",
      "ı": "i", "İ": "i", "ö": "o", "Ö": "o", "ü": "u", "Ü": "u"}
MARKS = "'`\u2019\u2018\u02bc\u02bb\u02b9\u02ba\u00b4"


def latin(names):
    import icu
    armenian = icu.Transliterator.createInstance("Armenian-Latin/BGN")
    russian = icu.Transliterator.createInstance("Russian-Latin/BGN")
    rest = icu.Transliterator.createInstance("Any-Latin; Latin-ASCII")
    out = []
    for name in names:
        if any("\u0530" <= c <= "\u058f" for c in name):
            name = armenian.transliterate(name).replace("\u2019vo", "\u2019o")
        if any("\u0400" <= c <= "\u04ff" for c in name):
            name = russian.transliterate(name)
        name = "".join(AZ.get(c, c) for c in name if c not in MARKS)
        if any(ord(c) > 127 for c in name):
            name = rest.transliterate(name)
        out.append(" ".join(re.findall("[a-z]+", name.lower())))
    return out


def main():
    request = json.load(sys.stdin)
    if sys.argv[1] == "jw":
        import jellyfish
        json.dump({"similarity": [jellyfish.jaro_winkler_similarity(a, b) for a, b in request["pairs"]]}, sys.stdout)
    else:
        json.dump({"latin": latin(request["names"])}, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
