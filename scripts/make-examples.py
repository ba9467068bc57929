#!/usr/bin/env python3
"""Writes the fictional example snapshots in examples/snapshots/ and the crosswalk
examples/people.csv.

Every name is invented from syllables; none is a real person. The story follows the
December 2023 case: 55 people held, then a release of 32, one sentence handed down and one
transfer between the two snapshots. The JSON list writes names in Latin script with keys
VG-…; the CSV list writes the same people in Cyrillic, surname first, with its own keys
RU-…, and is one release behind in its "after" snapshot (a disagreement between sources).
"""
import csv
import io
import json
import random
from pathlib import Path

rng = random.Random(20231213)
GIVEN = ["Aram", "Davit", "Levon", "Narek", "Samvel", "Tigran", "Vahe", "Gor", "Artak", "Hayk",
         "Ani", "Lusine", "Mariam", "Nare", "Siranush", "Anahit", "Karen", "Ruben", "Sevak", "Edgar"]
STEMS = ["Vardo", "Kelo", "Tamra", "Heno", "Zarbe", "Morok", "Selvi", "Astro", "Plani", "Duro",
         "Gavri", "Melko", "Torvi", "Narvi", "Besko", "Ulma", "Oskri", "Feran", "Lirva", "Pesho"]
SUFFIX = ["yantz", "unian", "evrian", "ikhian", "ossian"]
# The same names in Cyrillic, as a Russian-language list writes them.
CYRILLIC = {
    "Aram": "Арам", "Davit": "Давид", "Levon": "Левон", "Narek": "Нарек", "Samvel": "Самвел",
    "Tigran": "Тигран", "Vahe": "Ваге", "Gor": "Гор", "Artak": "Артак", "Hayk": "Айк", "Ani": "Ани",
    "Lusine": "Лусине", "Mariam": "Мариам", "Nare": "Наре", "Siranush": "Сирануш", "Anahit": "Анаит",
    "Karen": "Карен", "Ruben": "Рубен", "Sevak": "Севак", "Edgar": "Эдгар",
    "Vardo": "Вардо", "Kelo": "Кело", "Tamra": "Тамра", "Heno": "Эно", "Zarbe": "Зарбе", "Morok": "Морок",
    "Selvi": "Селви", "Astro": "Астро", "Plani": "Плани", "Duro": "Дуро", "Gavri": "Гаври", "Melko": "Мелко",
    "Torvi": "Торви", "Narvi": "Нарви", "Besko": "Беско", "Ulma": "Ульма", "Oskri": "Оскри", "Feran": "Феран",
    "Lirva": "Лирва", "Pesho": "Пешо",
    "yantz": "янц", "unian": "унян", "evrian": "еврян", "ikhian": "ихян", "ossian": "оссян",
}


def cyrillic(name):
    """'Davit Duroossian' → 'Дуроосян Давид' (surname first)."""
    given, surname = name.split(" ")
    stem = next(s for s in STEMS if surname.startswith(s))
    return CYRILLIC[stem] + CYRILLIC[surname[len(stem):]] + " " + CYRILLIC[given]
PLACES = ["Detention centre No. 1", "Detention centre No. 2", "Penal colony East", "Military prison North"]
GROUPS = [("civilians-2020", "civilian", "14.11.2020", 6),
          ("soldiers-2020-12", "soldier", "13.12.2020", 26),
          ("checkpoint-2021-05", "civilian", "27.05.2021", 5),
          ("checkpoint-2023-08", "civilian", "29.08.2023", 4),
          ("held-civilians", "civilian", "03.03.2021", 6),
          ("political-leaders", "politician", "03.10.2023", 8)]

people = []
used = set()
number = 0
for group, role, detained, count in GROUPS:
    for _ in range(count):
        number += 1
        while True:
            name = f"{rng.choice(GIVEN)} {rng.choice(STEMS)}{rng.choice(SUFFIX)}"
            if name not in used:
                used.add(name)
                break
        year = rng.randint(1958, 2002)
        people.append({
            "id": f"VG-{number:03d}",
            "name": name,
            "born": f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{year}",
            "group": group,
            "role": role,
            "detained_on": detained,
            "status": "on_trial" if role == "politician" else "detained",
            "charges": "Art. 318 (illegal border crossing)" if role != "politician" else "Art. 279 (organising armed groups)",
            "sentence": "",
            "place": rng.choice(PLACES),
            "last_icrc_visit": "" if role == "politician" else "2023-11-02",
        })

before = [dict(p) for p in people]
after = [dict(p) for p in people]
# The release of 32: every soldier captured in December 2020 and the civilians of 2020 and May 2021...
released = [p for p in after if p["group"] in ("soldiers-2020-12", "civilians-2020")][:32]
for p in released:
    p["status"] = "released"
    p["place"] = ""
# ... one sentence handed down to a political leader ...
leader = next(p for p in after if p["role"] == "politician")
leader["status"] = "sentenced"
leader["sentence"] = "20 years"
# ... and one transfer.
moved = next(p for p in after if p["group"] == "held-civilians")
moved["status"] = "transferred"
moved["place"] = "Penal colony East" if moved["place"] != "Penal colony East" else "Detention centre No. 2"

# The Russian-language list is one release behind: it still lists the last released person as held.
late = next(p for p in reversed(after) if p["status"] == "released")
lagging = [dict(next(b for b in before if b["id"] == p["id"])) if p is late else dict(p) for p in after]

FR = {"detained": "détenu", "on_trial": "procès en cours", "sentenced": "condamné",
      "released": "libéré", "transferred": "transféré"}
RU = {"detained": "Заключен под стражу", "on_trial": "Идёт суд", "sentenced": "Осужден",
      "released": "Освобожден", "transferred": "Переведен"}

out = Path(__file__).resolve().parent.parent / "examples" / "snapshots"
out.mkdir(parents=True, exist_ok=True)
for label, snapshot, csv_snapshot, date in (
        ("before", before, before, "2023-12-01"), ("after", after, lagging, "2023-12-13")):
    document = {
        "note": "FICTIONAL DATA for Vigil's examples: every name is invented.",
        "published": date,
        "prisoners": [dict(p, status=FR[p["status"]]) for p in snapshot],
    }
    (out / f"detainees-{label}.json").write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["ID", "ФИО", "Дата рождения", "Статус", "Приговор", "Место содержания"])
    for p in csv_snapshot:
        writer.writerow(["RU-" + p["id"][3:], cyrillic(p["name"]), p["born"], RU[p["status"]], p["sentence"],
                         p["place"]])
    (out / f"detainees-{label}.csv").write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))
# The team's crosswalk names the political leaders (a sponsor adopts "leader-1", whichever list reports).
leaders = [p for p in people if p["role"] == "politician"]
rows = ["person,source,key,name"]
for number, p in enumerate(leaders, 1):
    rows.append(f"leader-{number},example-json,{p['id']},{p['name']}")
    rows.append(f"leader-{number},example-csv,RU-{p['id'][3:]},{p['name']}")
(out.parent / "people.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
print(f"wrote {len(people)} people, {len(released)} released, to {out}")
