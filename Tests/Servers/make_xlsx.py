#!/usr/bin/env python3
"""Writes the XLSX fixtures of Vigil's tests into the folder given as the only argument:

  list.xlsx    openpyxl: a cover sheet, then "Detained" with two title lines, the header on
               row 3, shared and rich-text strings, Armenian and Cyrillic names, real date
               cells (built-in and custom formats), a number, a boolean and a blank row
  inline.xlsx  hand-made: inline strings and no shared strings part, 1904 date system
  bomb.xlsx    hand-made: a sheet that inflates to 16 MB from about 16 KB
"""
import datetime
import sys
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

folder = Path(sys.argv[1])

book = openpyxl.Workbook()
cover = book.active
cover.title = "About"
cover["A1"] = "Invented data for Vigil's tests"
sheet = book.create_sheet("Detained")
sheet["A1"] = "List of detained persons"
sheet["A2"] = "Exported 2026-11-30"
sheet.append(["No.", "Full name", "Status", "Detained on", "Cell", "Minor"])
rows = [
    ("VG-1", "Արման Պետրոսյան", "detained", datetime.date(2024, 3, 12), 4, False),
    ("VG-2", CellRichText(["Lilit ", TextBlock(InlineFont(b=True), "Hakobyan")]), "released",
     datetime.date(2024, 5, 1), 12, True),
    ("VG-3", "Иванов Иван Иванович", "sentenced", datetime.datetime(2024, 6, 1, 9, 30), None, False),
]
for row in rows:
    sheet.append(list(row))
sheet.append([])
sheet.append(["VG-4", "Ani Mkrtchyan", "detained", datetime.date(2023, 12, 31), 7, False])
sheet["D4"].number_format = "dd.mm.yyyy"
sheet["D5"].number_format = "yyyy-mm-dd"
sheet["D8"].number_format = '[$-409]d\\ mmmm\\ yyyy;@'
book.save(folder / "list.xlsx")

WORKBOOK = """<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<workbookPr date1904="1"/><sheets><sheet name="People" sheetId="1" r:id="rId1"/></sheets></workbook>"""
RELS = """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
 Target="worksheets/people.xml"/></Relationships>"""
STYLES = """<?xml version="1.0" encoding="UTF-8"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>"""
SHEET = """<?xml version="1.0" encoding="UTF-8"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c><c r="B1" t="inlineStr"><is><t>name</t></is></c>
<c r="C1" t="inlineStr"><is><t>since</t></is></c></row>
<row r="2"><c r="A2" t="inlineStr"><is><t>IN-1</t></is></c><c r="B2" t="inlineStr"><is><r><t>Anna </t></r><r><rPr><b/></rPr><t>Lee</t></r></is></c>
<c r="C2" s="1"><v>43000</v></c></row>
</sheetData></worksheet>"""
with zipfile.ZipFile(folder / "inline.xlsx", "w", zipfile.ZIP_DEFLATED) as archive:
    archive.writestr("xl/workbook.xml", WORKBOOK)
    archive.writestr("xl/_rels/workbook.xml.rels", RELS)
    archive.writestr("xl/styles.xml", STYLES)
    archive.writestr("xl/worksheets/people.xml", SHEET)

with zipfile.ZipFile(folder / "bomb.xlsx", "w", zipfile.ZIP_DEFLATED) as archive:
    archive.writestr("xl/workbook.xml", WORKBOOK)
    archive.writestr("xl/_rels/workbook.xml.rels", RELS)
    padding = b"<!--" + b" " * (16 << 20) + b"-->"
    archive.writestr("xl/worksheets/people.xml", b'<?xml version="1.0"?><worksheet>' + padding + b"</worksheet>")
