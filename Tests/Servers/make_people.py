#!/usr/bin/env python3
"""Writes a cross-script evaluation set for Vigil's people matcher (invented people).

    make_people.py OUTDIR [--persons N] [--seed S] [--synthetic]

Each invented person is rendered as four sources would list them: Armenian script (hy),
Russian Cyrillic (ru), English Latin (en) and Azerbaijani Latin (az), with the variation
those lists really show: the Armenian h dropped in Russian forms, -yan/-ian/-jan endings,
patronymics present or not, surname first, initials, typos, birth dates missing. Hard
negatives are built in: shared given names, shared surnames, and namesakes (same name,
different birth date). With --synthetic, surnames are built from syllables, for sets
larger than the hand-written stems allow (benchmarks). Writes hy.json, ru.json, en.json, az.json (arrays of
{"id", "name", "born"?}) and truth.json ({"SOURCE:KEY": person id}).
"""
import json
import os
import random
import sys

# Given names: Armenian, Russian, English, Azerbaijani Latin; sex.
GIVEN = [
    ("Ռուբեն", "Рубен", "Ruben", "Ruben", "m"), ("Դավիթ", "Давид", "Davit", "Davit", "m"),
    ("Հովհաննես", "Ованес", "Hovhannes", "Hovhannes", "m"), ("Արայիկ", "Араик", "Arayik", "Arayik", "m"),
    ("Լևոն", "Левон", "Levon", "Levon", "m"), ("Գագիկ", "Гагик", "Gagik", "Qaqik", "m"),
    ("Աշոտ", "Ашот", "Ashot", "Aşot", "m"), ("Արմեն", "Армен", "Armen", "Armen", "m"),
    ("Նարեկ", "Нарек", "Narek", "Narek", "m"), ("Տիգրան", "Тигран", "Tigran", "Tiqran", "m"),
    ("Վահե", "Ваге", "Vahe", "Vahe", "m"), ("Սամվել", "Самвел", "Samvel", "Samvel", "m"),
    ("Մհեր", "Мгер", "Mher", "Mher", "m"), ("Գոռ", "Гор", "Gor", "Qor", "m"),
    ("Էդգար", "Эдгар", "Edgar", "Edqar", "m"), ("Հայկ", "Айк", "Hayk", "Hayk", "m"),
    ("Վարդան", "Вардан", "Vardan", "Vardan", "m"), ("Մանվել", "Манвел", "Manvel", "Manvel", "m"),
    ("Կարեն", "Карен", "Karen", "Karen", "m"), ("Վիգեն", "Виген", "Vigen", "Viqen", "m"),
    ("Խաչիկ", "Хачик", "Khachik", "Xaçik", "m"), ("Շանթ", "Шант", "Shant", "Şant", "m"),
    ("Սերոբ", "Сероб", "Serob", "Serob", "m"), ("Արթուր", "Артур", "Artur", "Artur", "m"),
    ("Գևորգ", "Геворг", "Gevorg", "Gevorq", "m"), ("Ալեքսան", "Алексан", "Aleksan", "Aleksan", "m"),
    ("Մարիամ", "Мариам", "Mariam", "Məryəm", "f"), ("Անի", "Ани", "Ani", "Ani", "f"),
    ("Լիլիթ", "Лилит", "Lilit", "Lilit", "f"), ("Սիրանուշ", "Сирануш", "Siranush", "Siranuş", "f"),
    ("Նարինե", "Нарине", "Narine", "Narine", "f"), ("Անահիտ", "Анаит", "Anahit", "Anahit", "f"),
    ("Գայանե", "Гаянэ", "Gayane", "Qayane", "f"), ("Արմինե", "Арминэ", "Armine", "Armine", "f"),
]

# Surname stems (the surname is stem + -յան / -ян / -yan): Armenian, Russian, English, Azerbaijani.
STEMS = [
    ("Վարդան", "Вардан", "Vardan", "Vardan"), ("Հակոբ", "Акоп", "Hakob", "Hakob"),
    ("Հարություն", "Арутюн", "Harutyun", "Arutyun"), ("Խաչատր", "Хачатр", "Khachatr", "Xaçatr"),
    ("Ղազար", "Казар", "Ghazar", "Qazar"), ("Գևորգ", "Геворк", "Gevorg", "Gevorq"),
    ("Պետրոս", "Петрос", "Petros", "Petros"), ("Սարգս", "Саркис", "Sargs", "Sarkis"),
    ("Մկրտչ", "Мкртч", "Mkrtch", "Mkrtç"), ("Ավետիս", "Аветис", "Avetis", "Avetis"),
    ("Գրիգոր", "Григор", "Grigor", "Qriqor"), ("Մարգար", "Маргар", "Margar", "Marqar"),
    ("Ղուկաս", "Гукас", "Ghukas", "Qukas"), ("Մանուկ", "Манук", "Manuk", "Manuk"),
    ("Ստեփան", "Степан", "Stepan", "Stepan"), ("Մելիք", "Мелик", "Melik", "Melik"),
    ("Թովմաս", "Товмас", "Tovmas", "Tovmas"), ("Զաքար", "Закар", "Zakar", "Zakar"),
    ("Բաղդասար", "Багдасар", "Baghdasar", "Bağdasar"), ("Քոչար", "Кочар", "Kochar", "Koçar"),
    ("Ներսիս", "Нерсис", "Nersis", "Nersis"), ("Սիմոն", "Симон", "Simon", "Simon"),
    ("Առաքել", "Аракел", "Arakel", "Arakel"), ("Եղիազար", "Егиазар", "Yeghiazar", "Yeğiazar"),
    ("Մովսես", "Мовсес", "Movses", "Movses"), ("Դանիել", "Даниел", "Daniel", "Daniel"),
    ("Բաբաջան", "Бабаджан", "Babajan", "Babacan"), ("Ալավերդ", "Алаверд", "Alaverd", "Alaverd"),
    ("Թադևոս", "Тадевос", "Tadevos", "Tadevos"), ("Կարապետ", "Карапет", "Karapet", "Karapet"),
    ("Շահբազ", "Шахбаз", "Shahbaz", "Şahbaz"), ("Համբարձում", "Амбарцум", "Hambardzum", "Ambarsum"),
    ("Մինաս", "Минас", "Minas", "Minas"), ("Հովսեփ", "Овсеп", "Hovsep", "Ovsep"),
    ("Պողոս", "Погос", "Poghos", "Poqos"), ("Ասատր", "Асатр", "Asatr", "Asatr"),
    ("Գասպար", "Гаспар", "Gaspar", "Qaspar"), ("Սահակ", "Саак", "Sahak", "Saak"),
    ("Օհան", "Оган", "Ohan", "Ohan"), ("Ղարիբ", "Гариб", "Gharib", "Qarib"),
]

SOURCES = ["hy", "ru", "en", "az"]

# Syllables for invented surname stems (--synthetic, for large sets): Armenian, Russian,
# English, Azerbaijani.
SYLLABLES = [
    ("վար", "вар", "var", "var"), ("դան", "дан", "dan", "dan"), ("մել", "мел", "mel", "mel"),
    ("իք", "ик", "ik", "ik"), ("սար", "сар", "sar", "sar"), ("գիս", "гис", "gis", "qis"),
    ("պետ", "пет", "pet", "pet"), ("րոս", "рос", "ros", "ros"), ("մին", "мин", "min", "min"),
    ("աս", "ас", "as", "as"), ("թով", "тов", "tov", "tov"), ("մաս", "мас", "mas", "mas"),
    ("զաք", "зак", "zak", "zak"), ("կար", "кар", "kar", "kar"), ("ներ", "нер", "ner", "ner"),
    ("սես", "сес", "ses", "ses"), ("բաբ", "баб", "bab", "bab"), ("լուս", "лус", "lus", "lus"),
    ("խաչ", "хач", "khach", "xaç"), ("շահ", "шах", "shah", "şah"), ("ղազ", "газ", "ghaz", "qaz"),
    ("տեր", "тер", "ter", "ter"), ("ոսկ", "оск", "osk", "osk"), ("ան", "ан", "an", "an"),
    ("ավ", "ав", "av", "av"), ("ետ", "ет", "et", "et"), ("իս", "ис", "is", "is"), ("ուն", "ун", "un", "un"),
]


def synthetic_given(rng):
    """A given name from two syllables (half the time), for lists as varied as real ones."""
    if rng.random() < 0.5:
        return rng.choice(GIVEN)
    parts = [rng.choice(SYLLABLES) for _ in range(2)]
    forms = tuple("".join(p[i] for p in parts).capitalize() for i in range(4))
    return forms + (rng.choice("mf"),)


def synthetic_stem(rng):
    parts = [rng.choice(SYLLABLES) for _ in range(rng.choice([2, 3]))]
    return tuple("".join(p[i] for p in parts).capitalize() for i in range(4))


def typo(rng, word):
    """One keyboard slip inside the word (never its first letter)."""
    if len(word) < 5:
        return word
    i = rng.randrange(2, len(word) - 1)
    kind = rng.choice(["swap", "drop", "double"])
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind == "drop":
        return word[:i] + word[i + 1:]
    return word[:i] + word[i] + word[i:]


def render(rng, person, source):
    given = person["given"]
    stem = person["stem"]
    father = person["father"]
    female = given[4] == "f"
    if source == "hy":
        surname = stem[0] + "յան"
        first = given[0]
        parts = [first, surname]
        if rng.random() < 0.15:
            parts = [first, father[0] + "ի", surname]  # genitive patronymic, official style
        if rng.random() < 0.3:
            parts = [parts[-1]] + parts[:-1]
        return " ".join(parts)
    if source == "ru":
        surname = stem[1] + "ян"
        patronymic = father[1] + ("овна" if female else "ович")
        parts = [surname, given[1]]
        if rng.random() < 0.5:
            parts.append(patronymic)
        if rng.random() < 0.25:
            parts = parts[1:2] + ([parts[2]] if len(parts) > 2 else []) + [parts[0]]
        return " ".join(parts)
    if source == "en":
        ending = rng.choices(["yan", "ian", "jan"], weights=[6, 3, 1])[0]
        surname = stem[2] + ending
        first = given[2]
        if rng.random() < 0.1:
            surname = typo(rng, surname)
        elif rng.random() < 0.1:
            first = typo(rng, first)
        if rng.random() < 0.1:
            first = first[0] + "."
        parts = [first, surname]
        if rng.random() < 0.15:
            parts = [surname, first]
        return " ".join(parts)
    surname = stem[3] + "yan"
    first = given[3]
    parts = [surname, first] if rng.random() < 0.6 else [first, surname]
    return " ".join(parts)


def born(rng):
    return "%04d-%02d-%02d" % (rng.randrange(1950, 2004), rng.randrange(1, 13), rng.randrange(1, 29))


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    out = args[0]
    count = int(args[args.index("--persons") + 1]) if "--persons" in args else 360
    synthetic = "--synthetic" in args
    seed = int(args[args.index("--seed") + 1]) if "--seed" in args else 2026
    rng = random.Random(seed)
    persons = []
    used = set()
    while len(persons) < count:
        given = synthetic_given(rng) if synthetic else rng.choice(GIVEN)
        stem = synthetic_stem(rng) if synthetic else rng.choice(STEMS)
        if (given[2], stem[2]) in used:
            continue
        used.add((given[2], stem[2]))
        father = rng.choice([g for g in GIVEN if g[4] == "m"])
        persons.append({"id": "T%04d" % len(persons), "given": given, "stem": stem, "father": father, "born": born(rng)})
    # Namesakes: same given name and surname, another birth date (a different person).
    for original in rng.sample(persons[:count], count // 12):
        twin = dict(original)
        twin["id"] = "T%04d" % len(persons)
        twin["born"] = born(rng)
        twin["father"] = rng.choice([g for g in GIVEN if g[4] == "m"])
        persons.append(twin)
    os.makedirs(out, exist_ok=True)
    truth = {}
    born_share = {"hy": 1.0, "ru": 0.95, "en": 0.8, "az": 0.7}
    for source in SOURCES:
        records = []
        for person in persons:
            if rng.random() > 0.85:
                continue  # not every list names everyone
            key = "%s-%04d" % (source.upper(), len(records) + 1)
            record = {"id": key, "name": render(rng, person, source)}
            if rng.random() < born_share[source]:
                record["born"] = person["born"]
            records.append(record)
            truth["%s:%s" % (source, key)] = person["id"]
        rng.shuffle(records)
        with open(os.path.join(out, source + ".json"), "w", encoding="utf-8") as handle:
            json.dump(records, handle, ensure_ascii=False, indent=0)
    with open(os.path.join(out, "truth.json"), "w", encoding="utf-8") as handle:
        json.dump(truth, handle, ensure_ascii=False, indent=0, sort_keys=True)
    print("%d persons (%d namesakes), %d records" % (len(persons), count // 12, len(truth)))


if __name__ == "__main__":
    main()
