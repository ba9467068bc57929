#!/usr/bin/env python3
"""Evaluates CEL expressions with cel-python (the reference implementation the tests check
Vigil's evaluator against). Reads JSON from stdin: {"activation": {...}, "expressions": [...]}
and prints a JSON list: each result as {"value": <json>} or {"error": true}."""
import json
import sys

import celpy
from celpy import celtypes


def to_json(value):
    if isinstance(value, (celtypes.BoolType, bool)):
        return bool(value)
    if isinstance(value, (celtypes.IntType, celtypes.UintType, int)):
        return {"int": int(value)}
    if isinstance(value, (celtypes.DoubleType, float)):
        return {"double": float(value)}
    if isinstance(value, str):
        return str(value)
    if isinstance(value, list):
        return [to_json(item) for item in value]
    if isinstance(value, dict):
        return {"map": sorted([[to_json(k), to_json(v)] for k, v in value.items()], key=json.dumps)}
    if value is None or isinstance(value, type(None)):
        return None
    return {"other": str(value)}


request = json.load(sys.stdin)
environment = celpy.Environment()
activation = {name: celpy.json_to_cel(value) for name, value in request["activation"].items()}
results = []
for expression in request["expressions"]:
    try:
        program = environment.program(environment.compile(expression))
        value = program.evaluate(activation)
        if isinstance(value, celpy.CELEvalError):
            results.append({"error": True})
        else:
            results.append({"value": to_json(value)})
    except Exception:
        results.append({"error": True})
json.dump(results, sys.stdout)
