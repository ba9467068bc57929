#!/usr/bin/env python3
"""The cssselect oracle: reads {"html": "...", "selectors": [...]} as JSON on stdin and
writes, for each selector, the data-n attributes of the elements cssselect's translation
selects with lxml (document order), or {"error": "..."} when cssselect refuses it."""
import json
import sys

import cssselect
import lxml.html

request = json.load(sys.stdin)
document = lxml.html.document_fromstring(request["html"])
translator = cssselect.HTMLTranslator()
results = []
for selector in request["selectors"]:
    try:
        xpath = translator.css_to_xpath(selector)
    except cssselect.SelectorError as error:
        results.append({"error": str(error)})
        continue
    results.append({"selected": [element.get("data-n") or element.tag for element in document.xpath(xpath)]})
json.dump(results, sys.stdout)
