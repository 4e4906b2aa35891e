"""A small OpenAPI fuzzer on hypothesis + hypothesis-jsonschema, in process over ASGI.

What schemathesis' default checks do, for the specs FastAPI serves: for every operation,
path and query parameters and JSON bodies drawn from the operation's own schemas (plus
junk bodies), sent with real credentials; every answer must be below 500, a status the
spec or the error contract names, and a 2xx body must match its response schema.
(schemathesis itself cannot be installed next to Rasa 3.6: it needs jsonschema >= 4.18.)
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx
import jsonschema
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

ERROR_CONTRACT = {400, 401, 403, 404, 405, 409, 413, 422, 429}
junk = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


@dataclass
class Operation:
    method: str
    path: str
    spec: dict[str, Any]
    components: dict[str, Any] = field(repr=False, default_factory=dict)

    def resolve(self, schema: Any, depth: int = 0) -> Any:
        """Inline ``#/components/schemas/...`` references (the fuzzer wants plain schemas)."""
        if depth > 20:
            return {}
        if isinstance(schema, dict):
            if "$ref" in schema:
                name = schema["$ref"].rsplit("/", 1)[-1]
                return self.resolve(copy.deepcopy(self.components[name]), depth + 1)
            return {key: self.resolve(value, depth + 1) for key, value in schema.items()}
        if isinstance(schema, list):
            return [self.resolve(item, depth + 1) for item in schema]
        return schema

    def parameters(self, where: str) -> list[dict[str, Any]]:
        return [p for p in self.spec.get("parameters", []) if p.get("in") == where]

    def body_schema(self) -> dict[str, Any] | None:
        content = self.spec.get("requestBody", {}).get("content", {})
        schema = content.get("application/json", {}).get("schema")
        return self.resolve(schema) if schema else None

    def response_schema(self, status: int) -> dict[str, Any] | None:
        answer = self.spec.get("responses", {}).get(str(status), {})
        schema = answer.get("content", {}).get("application/json", {}).get("schema")
        return self.resolve(schema) if schema else None

    def documented(self, status: int) -> bool:
        return str(status) in self.spec.get("responses", {}) or status in ERROR_CONTRACT


def operations(spec: dict[str, Any]) -> Iterator[Operation]:
    components = spec.get("components", {}).get("schemas", {})
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield Operation(method.upper(), path, operation, components)


@dataclass
class Request:
    method: str
    url: str
    params: dict[str, Any]
    body: Any
    has_body: bool
    headers: dict[str, str]


def requests(operation: Operation, known: dict[str, list[str]]) -> st.SearchStrategy[Request]:
    """Requests for ``operation``; ``known`` values per path parameter reach real rows."""

    @st.composite
    def build(draw: Callable) -> Request:
        url = operation.path
        for parameter in operation.parameters("path"):
            name = parameter["name"]
            # No "/" in a path value: Starlette decodes %2F before routing, so ".../accounts/%2F"
            # is the list route (a different operation), not this one with a strange id.
            text = st.text(min_size=1, max_size=30).filter(lambda v: "/" not in v)
            value = draw(st.sampled_from(known.get(name, ["x"])) | text)
            url = url.replace("{" + name + "}", quote(str(value), safe=""))
        params = {}
        for parameter in operation.parameters("query"):
            schema = operation.resolve(parameter.get("schema", {}))
            if draw(st.booleans()):
                value = draw(from_schema(schema) | st.text(max_size=20))
                if value is not None:
                    params[parameter["name"]] = value if isinstance(value, str) else str(value)
        headers = {}
        for parameter in operation.parameters("header"):
            schema = operation.resolve(parameter.get("schema", {}))
            if draw(st.integers(0, 4)) > 0:  # mostly present, sometimes missing
                value = draw(from_schema(schema).filter(_header_safe) | st.just("key-1"))
                headers[parameter["name"]] = value
        schema = operation.body_schema()
        body = None
        if schema is not None:
            body = draw(from_schema(schema) | junk)
        return Request(operation.method, url, params, body, schema is not None, headers)

    return build()


def send_and_check(
    client: httpx.Client, operation: Operation, request: Request,
    allowed_5xx: Callable[[httpx.Response], bool] = lambda _: False,
) -> httpx.Response:  # fmt: skip
    options: dict[str, Any] = {"params": request.params, "headers": request.headers}
    if request.has_body:
        options["json"] = request.body
    response = client.request(request.method, request.url, **options)
    where = f"{request.method} {request.url} {request.params} {request.body!r:.300}"
    if response.status_code >= 500:
        assert allowed_5xx(response), f"{response.status_code} for {where}: {response.text[:300]}"
        return response
    assert operation.documented(
        response.status_code
    ), f"undocumented {response.status_code}: {where}"
    assert response.headers.get("content-type", "").startswith("application/json"), where
    body = response.json()
    if response.status_code >= 400:
        assert isinstance(body.get("error", {}).get("code"), str), f"error shape: {where}: {body}"
    schema = operation.response_schema(response.status_code)
    if 200 <= response.status_code < 300 and schema:
        jsonschema.validate(body, optional_may_be_null(schema))
    return response


def _header_safe(value: object) -> bool:
    return isinstance(value, str) and value.isascii() and value.isprintable()


def optional_may_be_null(schema: Any) -> Any:
    """pydantic 1 writes ``x: str | None = None`` as an optional *string*, yet sends null."""
    if isinstance(schema, list):
        return [optional_may_be_null(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    result = {key: optional_may_be_null(value) for key, value in schema.items()}
    required = set(schema.get("required", []))
    properties = result.get("properties")
    if isinstance(properties, dict):
        result["properties"] = {
            name: prop if name in required else {"anyOf": [prop, {"type": "null"}]}
            for name, prop in properties.items()
        }
    return result
