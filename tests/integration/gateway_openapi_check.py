#!/usr/bin/python3
# Checks docs/gateway-openapi.yaml: it parses as YAML, is an OpenAPI 3.0 document whose every
# $ref resolves, every path parameter is declared, every operation has an operationId and
# responses, every operation that needs the token documents 401, and every error response is
# the Error schema. Prints one JSON object for the caller to compare with the running server:
#   {"operations": ["METHOD PATH", … sorted],
#    "schemas": {NAME: {"required": [...], "properties": [...]}, …}}   (object schemas)
# Exit 0 ok, 1 with one line per problem on stderr.
# Usage: gateway_openapi_check.py FILE
import json
import re
import sys

import yaml

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def main(path):
    problems = []
    try:
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as e:
        print(f"{path}: not readable as YAML: {e}", file=sys.stderr)
        return 1
    if not isinstance(doc, dict):
        print(f"{path}: not a YAML mapping", file=sys.stderr)
        return 1

    def resolve(ref):
        if not isinstance(ref, str) or not ref.startswith("#/"):
            problems.append(f"$ref {ref!r} is not a local reference")
            return None
        node = doc
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or part not in node:
                problems.append(f"$ref {ref} does not resolve")
                return None
            node = node[part]
        return node

    def deref(node):
        for _ in range(16):
            if isinstance(node, dict) and "$ref" in node:
                node = resolve(node["$ref"])
            else:
                return node
        problems.append("a $ref chain is longer than 16")
        return None

    def walk(node):
        if isinstance(node, dict):
            if "$ref" in node:
                resolve(node["$ref"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(doc)
    if not re.fullmatch(r"3\.0\.\d+", str(doc.get("openapi", ""))):
        problems.append(f"openapi is {doc.get('openapi')!r}, expected 3.0.x")
    info = doc.get("info") or {}
    if not info.get("title") or not info.get("version"):
        problems.append("info needs a title and a version")
    schemes = (doc.get("components") or {}).get("securitySchemes") or {}
    bearer = [n for n, s in schemes.items() if s.get("type") == "http" and s.get("scheme") == "bearer"]
    if not bearer:
        problems.append("components.securitySchemes has no http bearer scheme")
    global_security = doc.get("security") or []
    for requirement in global_security:
        for name in requirement:
            if name not in schemes:
                problems.append(f"security names an undefined scheme {name!r}")
    error_schema = "#/components/schemas/Error"
    if deref({"$ref": error_schema}) is None:
        problems.append("components.schemas.Error is missing")

    operations = []
    operation_ids = set()
    paths = doc.get("paths") or {}
    if not paths:
        problems.append("paths is empty")
    for route, item in paths.items():
        shared_params = item.get("parameters", [])
        declared_in_path = set(re.findall(r"\{([^}]+)\}", route))
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            where = f"{method.upper()} {route}"
            operations.append(where)
            op_id = op.get("operationId")
            if not op_id:
                problems.append(f"{where}: no operationId")
            elif op_id in operation_ids:
                problems.append(f"{where}: operationId {op_id} is used twice")
            operation_ids.add(op_id)
            params = [deref(p) or {} for p in shared_params + op.get("parameters", [])]
            path_params = {p.get("name") for p in params if p.get("in") == "path"}
            for name in declared_in_path:
                if name not in path_params:
                    problems.append(f"{where}: path parameter {{{name}}} is not declared")
            for p in params:
                if p.get("in") == "path" and not p.get("required"):
                    problems.append(f"{where}: path parameter {p.get('name')} must be required")
                if "schema" not in p and "content" not in p:
                    problems.append(f"{where}: parameter {p.get('name')} has no schema")
            responses = op.get("responses") or {}
            if not responses:
                problems.append(f"{where}: no responses")
            for code, response in responses.items():
                code = str(code)
                if not re.fullmatch(r"[1-5][0-9][0-9]", code):
                    problems.append(f"{where}: response code {code!r} is not an HTTP status")
                    continue
                r = deref(response) or {}
                if not r.get("description"):
                    problems.append(f"{where} {code}: no description")
                if code[0] in "45":
                    schema = ((r.get("content") or {}).get("application/json") or {}).get("schema") or {}
                    if schema.get("$ref") != error_schema:
                        problems.append(f"{where} {code}: an error response must be the Error schema")
            security = op.get("security", global_security)
            if security and "401" not in {str(c) for c in responses}:
                problems.append(f"{where}: needs a token but documents no 401")
            body = op.get("requestBody")
            if body is not None:
                body = deref(body) or {}
                if "application/json" not in (body.get("content") or {}):
                    problems.append(f"{where}: the request body is not application/json")

    for p in problems:
        print(f"{path}: {p}", file=sys.stderr)
    if problems:
        return 1
    schemas = {}
    for name, schema in ((doc.get("components") or {}).get("schemas") or {}).items():
        if schema.get("type") == "object" and "properties" in schema:
            schemas[name] = {"required": sorted(schema.get("required", [])),
                             "properties": sorted(schema["properties"])}
    print(json.dumps({"operations": sorted(operations), "schemas": schemas}))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: gateway_openapi_check.py FILE", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
