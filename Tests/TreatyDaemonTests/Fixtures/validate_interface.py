"""Validates the interface document and method results.

usage: validate_interface.py META_SCHEMA DOCUMENT [RESULTS]

RESULTS, when given, is a JSON object {method: result}: each result is validated against its method's
result schema (with the document's components in scope). Prints one line per problem and exits 1 if any.
"""
import json
import sys

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

meta = json.load(open(sys.argv[1]))
document = json.load(open(sys.argv[2]))
registry = Registry().with_resources([
    (meta["$id"], Resource.from_contents(meta, default_specification=DRAFT7)),
    ("https://json-schema.org/draft-07/schema", Resource.from_contents(jsonschema.Draft7Validator.META_SCHEMA)),
])
problems = []
for error in jsonschema.Draft7Validator(meta, registry=registry).iter_errors(document):
    problems.append(f"document: {error.json_path}: {error.message}")
for name, schema in document.get("components", {}).get("schemas", {}).items():
    try:
        jsonschema.Draft7Validator.check_schema(schema)
    except jsonschema.SchemaError as error:
        problems.append(f"schema {name}: {error.message}")
if len(sys.argv) > 3:
    results = json.load(open(sys.argv[3]))
    methods = {m["name"]: m for m in document["methods"]}
    for name, result in sorted(results.items()):
        schema = {"allOf": [methods[name]["result"]["schema"]], "components": document["components"]}
        validator = jsonschema.Draft7Validator(schema, registry=registry)
        for error in validator.iter_errors(result):
            problems.append(f"{name}: {error.json_path}: {error.message}")
for problem in problems:
    print(problem)
sys.exit(1 if problems else 0)
