"""The Images API stand-in: its logic directly (fast), then through the real openai SDK."""

from __future__ import annotations

import asyncio
import base64
import copy
import datetime
import http.client
import io
import json
import struct
import sys
import urllib.error
import urllib.request
import zlib
from typing import Any, Callable, Dict, List, Mapping, Sequence, Tuple

import pytest

from dalle_migrate.catalog import DATA_FILE, Catalog, CatalogError, default_catalog
from dalle_migrate.emulator import EmulatorServer, ImagesAPI, LoggedRequest, parse_multipart, serve, tiny_png

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

TODAY = datetime.date(2026, 11, 25)
AUTH = {"Authorization": "Bearer test"}
GENERATE = "/v1/images/generations"
EDIT = "/v1/images/edits"
VARIATION = "/v1/images/variations"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG = tiny_png((200, 30, 30))


@pytest.fixture(scope="module")
def api() -> ImagesAPI:
    return ImagesAPI(default_catalog(), TODAY)


# -- helpers -------------------------------------------------------------------------------------
def post_json(
    api: ImagesAPI, path: str, body: Mapping[str, Any], headers: Mapping[str, str] = AUTH
) -> Tuple[int, Dict[str, str], Dict[str, Any]]:
    status, response_headers, payload = api.handle("POST", path, dict(headers), json.dumps(body).encode())
    return status, response_headers, json.loads(payload)


def multipart(fields: Sequence[Tuple[str, Any]]) -> Tuple[Dict[str, str], bytes]:
    """A form body the way the SDK writes it; a bytes value is sent as a PNG file part."""
    boundary = "testboundary1234"
    parts = []
    for name, value in fields:
        if isinstance(value, bytes):
            head = f'Content-Disposition: form-data; name="{name}"; filename="{name}.png"\r\nContent-Type: image/png'
            data = value
        else:
            head = f'Content-Disposition: form-data; name="{name}"'
            data = str(value).encode()
        parts.append(f"--{boundary}\r\n{head}\r\n\r\n".encode() + data + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return {**AUTH, "Content-Type": f"multipart/form-data; boundary={boundary}"}, body


def post_form(api: ImagesAPI, path: str, fields: Sequence[Tuple[str, Any]]) -> Tuple[int, Dict[str, Any]]:
    headers, body = multipart(fields)
    status, _, payload = api.handle("POST", path, headers, body)
    return status, json.loads(payload)


def error(body: Mapping[str, Any]) -> Dict[str, Any]:
    assert set(body) == {"error"}
    assert set(body["error"]) == {"message", "type", "param", "code"}
    return dict(body["error"])


def generate_error(api: ImagesAPI, **fields: Any) -> Dict[str, Any]:
    status, _, body = post_json(api, GENERATE, {"prompt": "a red fox", **fields})
    assert status == 400, body
    return error(body)


def png_size(data: bytes) -> Tuple[int, int]:
    assert data.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def decoded_png(b64: str) -> bytes:
    data = base64.b64decode(b64)
    assert data.startswith(PNG_SIGNATURE)
    return data


with open(DATA_FILE, "rb") as _fh:
    CATALOG_DATA = tomllib.load(_fh)


def catalog_with(change: Callable[[Dict[str, Any]], None]) -> Catalog:
    """The packaged catalogue with ``change`` applied to (a copy of) its data."""
    data = copy.deepcopy(CATALOG_DATA)
    change(data)
    return Catalog(data, origin="<test>")


def stream_events(payload: bytes) -> List[Dict[str, Any]]:
    events = []
    for block in payload.decode().strip().split("\n\n"):
        event_line, data_line = block.split("\n")
        data = json.loads(data_line[len("data: ") :])
        assert event_line == "event: " + data["type"]
        events.append(data)
    return events


# -- models --------------------------------------------------------------------------------------
@pytest.mark.parametrize("model", ["dall-e-3", "dall-e-2", "gpt-image-1"])
def test_retired_model_does_not_exist(api: ImagesAPI, model: str) -> None:
    err = generate_error(api, model=model)
    assert err == {
        "message": f"The model '{model}' does not exist.",
        "type": "invalid_request_error",
        "param": None,
        "code": "model_not_found",
    }


@pytest.mark.parametrize("model", ["gpt-image-9", "gpt-image-2.6-sunburst"])
def test_unknown_and_undocumented_models_do_not_exist(api: ImagesAPI, model: str) -> None:
    assert generate_error(api, model=model)["message"] == f"The model '{model}' does not exist."


@pytest.mark.parametrize("body", [{}, {"model": None}])
def test_omitted_model_falls_back_to_retired_dall_e_2(api: ImagesAPI, body: Dict[str, Any]) -> None:
    assert generate_error(api, **body)["message"] == "The model 'dall-e-2' does not exist."


def test_model_without_the_endpoint_does_not_exist(api: ImagesAPI) -> None:
    old_api = ImagesAPI(default_catalog(), datetime.date(2026, 1, 1))  # dall-e-3 still served
    status, _, body = post_json(old_api, EDIT, {"model": "dall-e-3", "prompt": "x", "image": "file-1"})
    assert status == 400 and error(body)["code"] == "model_not_found"
    status, _, _ = post_json(old_api, GENERATE, {"model": "dall-e-3", "prompt": "x"})
    assert status == 200


@pytest.mark.parametrize("model", ["gpt-image-2", "gpt-image-2-2026-04-21", "gpt-image-2.5-flare", "gpt-image-1.5"])
def test_served_models_generate(api: ImagesAPI, model: str) -> None:
    status, _, body = post_json(api, GENERATE, {"model": model, "prompt": "a red fox"})
    assert status == 200, body


def test_today_decides_which_deprecated_models_are_served() -> None:
    catalog = default_catalog()
    before = ImagesAPI(catalog, datetime.date(2026, 11, 25))
    after = ImagesAPI(catalog, datetime.date(2026, 12, 1))
    for model in ("gpt-image-1.5", "gpt-image-1.5-2025-12-16", "gpt-image-1-mini"):
        assert post_json(before, GENERATE, {"model": model, "prompt": "x"})[0] == 200
        status, _, body = post_json(after, GENERATE, {"model": model, "prompt": "x"})
        assert status == 400 and error(body)["message"] == f"The model '{model}' does not exist."
    assert "gpt-image-2" in after.models and "gpt-image-1.5" not in after.models


def test_models_argument_restricts_what_is_served() -> None:
    api = ImagesAPI(default_catalog(), TODAY, models=["gpt-image-2"])
    assert api.models == ("gpt-image-2",)
    assert post_json(api, GENERATE, {"model": "gpt-image-1.5", "prompt": "x"})[0] == 400
    assert post_json(api, GENERATE, {"model": "gpt-image-2", "prompt": "x"})[0] == 200
    with pytest.raises(ValueError, match="gpt-image-99"):
        ImagesAPI(default_catalog(), TODAY, models=["gpt-image-99"])


# -- parameters ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name, value", [("response_format", "b64_json"), ("response_format", None), ("style", "vivid")])
def test_dall_e_parameters_are_unknown_to_gpt_image_models(api: ImagesAPI, name: str, value: Any) -> None:
    err = generate_error(api, model="gpt-image-2", **{name: value})
    assert err == {
        "message": f"Unknown parameter: '{name}'.",
        "type": "invalid_request_error",
        "param": name,
        "code": "unknown_parameter",
    }


def test_field_outside_the_parameter_table_is_unknown(api: ImagesAPI) -> None:
    assert generate_error(api, model="gpt-image-2", colour="red")["message"] == "Unknown parameter: 'colour'."
    # moderation exists on generate only
    status, _, body = post_json(api, EDIT, {"model": "gpt-image-2", "prompt": "x", "image": "f", "moderation": "low"})
    assert status == 400 and error(body)["param"] == "moderation"


@pytest.mark.parametrize("quality", ["hd", "standard"])
def test_dall_e_3_quality_is_invalid_for_gpt_image_2(api: ImagesAPI, quality: str) -> None:
    err = generate_error(api, model="gpt-image-2", quality=quality)
    assert err == {
        "message": f"Invalid value: '{quality}'. Supported values are: 'low', 'medium', 'high', and 'auto'.",
        "type": "invalid_request_error",
        "param": "quality",
        "code": "invalid_value",
    }


def test_quality_values_differ_per_model(api: ImagesAPI) -> None:
    assert post_json(api, GENERATE, {"model": "gpt-image-2.5-sunburst", "prompt": "x", "quality": "xhigh"})[0] == 200
    assert generate_error(api, model="gpt-image-2", quality="xhigh")["param"] == "quality"


@pytest.mark.parametrize(
    "size, message",
    [
        ("256x256", "Invalid size '256x256'. The image must have at least 655,360 pixels (256x256 has 65,536)."),
        ("1920x1080", "Invalid size '1920x1080'. Width and height must both be divisible by 16."),
        ("4096x1024", "Invalid size '4096x1024'. The longest edge must be at most 3840px."),
        ("big", "Invalid size 'big'. Sizes are written WIDTHxHEIGHT (or 'auto')."),
    ],
)
def test_bad_custom_sizes(api: ImagesAPI, size: str, message: str) -> None:
    err = generate_error(api, model="gpt-image-2", size=size)
    assert (err["message"], err["param"], err["code"]) == (message, "size", "invalid_value")


@pytest.mark.parametrize("size", ["1792x1024", "1024x1792", "1024x1024", "2048x1152", "auto"])
def test_good_custom_sizes(api: ImagesAPI, size: str) -> None:
    status, _, body = post_json(api, GENERATE, {"model": "gpt-image-2", "prompt": "x", "size": size})
    assert status == 200, body
    assert body["size"] == (size if size != "auto" else "1024x1024")


def test_fixed_size_list_answers_like_any_enumerated_value(api: ImagesAPI) -> None:
    # the API's own text for a DALL-E 3 size sent to gpt-image-1 (spec section 6)
    err = generate_error(api, model="gpt-image-1.5", size="1254x836")
    assert err == {
        "message": "Invalid value: '1254x836'. Supported values are: '1024x1024', '1024x1536', '1536x1024', and 'auto'.",
        "type": "invalid_request_error",
        "param": "size",
        "code": "invalid_value",
    }


def test_custom_size_problem_answers_with_its_reason(api: ImagesAPI) -> None:
    err = generate_error(api, model="gpt-image-2", size="1792x936")  # spec section 6
    assert (err["message"], err["code"]) == ("Invalid size '1792x936'. Width and height must both be divisible by 16.",
                                             "invalid_value")


def test_size_rules_name_their_error() -> None:
    rules = default_catalog().size_rules
    assert rules["custom_wxh"].error == "invalid_size"
    assert {rules[name].error for name in ("fixed_gpt_image_1x", "dall_e_2", "dall_e_3")} == {"invalid_value"}


def test_emulator_answers_a_size_with_the_error_its_rule_names() -> None:
    def fixed_rule_says_invalid_size(data: Dict[str, Any]) -> None:
        data["size_rules"]["fixed_gpt_image_1x"]["error"] = "invalid_size"

    api = ImagesAPI(catalog_with(fixed_rule_says_invalid_size), TODAY)
    err = generate_error(api, model="gpt-image-1.5", size="1792x1024")
    assert err["message"] == (
        "Invalid size '1792x1024'. Supported values are: '1024x1024', '1024x1536', '1536x1024', and 'auto'."
    )


@pytest.mark.parametrize(
    "n, message",
    [
        (0, "Invalid 'n': integer below minimum value. Expected a value >= 1, but got 0 instead."),
        (11, "Invalid 'n': integer above maximum value. Expected a value <= 10, but got 11 instead."),
    ],
)
def test_n_out_of_range(api: ImagesAPI, n: int, message: str) -> None:
    err = generate_error(api, model="gpt-image-2", n=n)
    assert (err["message"], err["param"]) == (message, "n")


@pytest.mark.parametrize("value", ["2", 2.5, True])
def test_integers_must_be_json_integers(api: ImagesAPI, value: Any) -> None:
    err = generate_error(api, model="gpt-image-2", n=value)
    assert err["param"] == "n" and err["code"] == "invalid_type"


def test_output_compression_range(api: ImagesAPI) -> None:
    assert generate_error(api, model="gpt-image-2", output_compression=101)["code"] == "integer_above_max_value"
    assert post_json(api, GENERATE, {"model": "gpt-image-2", "prompt": "x", "output_compression": 0})[0] == 200


def test_null_values_of_accepted_parameters_mean_default(api: ImagesAPI) -> None:
    body = {"model": "gpt-image-2", "prompt": "x", "quality": None, "n": None, "size": None}
    status, _, answer = post_json(api, GENERATE, body)
    assert status == 200 and len(answer["data"]) == 1


def test_missing_prompt(api: ImagesAPI) -> None:
    status, _, body = post_json(api, GENERATE, {"model": "gpt-image-2"})
    assert status == 400
    assert error(body) == {
        "message": "Missing required parameter: 'prompt'.",
        "type": "invalid_request_error",
        "param": "prompt",
        "code": "missing_required_parameter",
    }


def test_edit_without_image(api: ImagesAPI) -> None:
    status, body = post_form(api, EDIT, [("model", "gpt-image-2"), ("prompt", "x")])
    assert status == 400 and error(body)["message"] == "Missing required parameter: 'image'."


# -- edits ---------------------------------------------------------------------------------------
INPUT_FIDELITY_MESSAGE = "The model 'gpt-image-2' does not support the 'input_fidelity' parameter."


def test_input_fidelity_is_rejected_for_gpt_image_2(api: ImagesAPI) -> None:
    status, body = post_form(api, EDIT, [("model", "gpt-image-2"), ("prompt", "x"), ("input_fidelity", "high"), ("image", PNG)])
    assert status == 400
    assert error(body) == {
        "message": INPUT_FIDELITY_MESSAGE,
        "type": "image_generation_user_error",
        "param": "input_fidelity",
        "code": "invalid_input_fidelity_model",
    }


def test_input_fidelity_null_is_still_sent(api: ImagesAPI) -> None:
    status, _, body = post_json(api, EDIT, {"model": "gpt-image-2", "prompt": "x", "image": "file-1", "input_fidelity": None})
    assert status == 400 and error(body)["message"] == INPUT_FIDELITY_MESSAGE


def test_input_fidelity_per_model(api: ImagesAPI) -> None:
    fields = [("prompt", "x"), ("input_fidelity", "high"), ("image", PNG)]
    assert post_form(api, EDIT, [("model", "gpt-image-1.5"), *fields])[0] == 200
    status, body = post_form(api, EDIT, [("model", "gpt-image-1-mini"), *fields])
    assert status == 400 and error(body)["message"] == "Invalid value: 'high'. Supported values are: 'low'."


def test_edit_form_single_and_listed_images(api: ImagesAPI) -> None:
    status, body = post_form(api, EDIT, [("model", "gpt-image-2"), ("prompt", "x"), ("n", "2"), ("image", PNG)])
    assert status == 200 and len(body["data"]) == 2
    assert body["usage"]["input_tokens_details"]["image_tokens"] > 0
    status, body = post_form(api, EDIT, [("model", "gpt-image-2"), ("prompt", "x"), ("image[]", PNG), ("image[]", PNG)])
    assert status == 200, body
    assert api.log[-1].params["image"] == ["<file image[].png, %d bytes>" % len(PNG)] * 2


def test_form_values_are_converted(api: ImagesAPI) -> None:
    base = [("model", "gpt-image-2"), ("prompt", "x"), ("image", PNG)]
    status, body = post_form(api, EDIT, [*base, ("n", "11")])
    assert status == 400 and error(body)["code"] == "integer_above_max_value"
    status, body = post_form(api, EDIT, [*base, ("n", "two")])
    assert status == 400 and error(body)["code"] == "invalid_type"
    status, body = post_form(api, EDIT, [*base, ("stream", "false"), ("output_compression", "50")])
    assert status == 200 and "data" in body


def test_edit_json_body_with_images_list(api: ImagesAPI) -> None:
    body = {"model": "gpt-image-2", "prompt": "x", "images": [{"file_id": "file-1"}, {"image_url": "https://x/y.png"}]}
    status, _, answer = post_json(api, EDIT, body)
    assert status == 200, answer
    assert api.log[-1].params["image"] == body["images"]  # the JSON spelling "images" is read as "image"


def test_json_spellings_come_from_the_edit_endpoint(api: ImagesAPI) -> None:
    catalog = default_catalog()
    assert catalog.endpoint("edit").json_fields == {"images": "image"}
    assert catalog.endpoint("generate").json_fields == {}
    # only the edit endpoint knows the "images" spelling
    assert generate_error(api, model="gpt-image-2", images=[{"file_id": "f"}])["message"] == "Unknown parameter: 'images'."


# -- image counts --------------------------------------------------------------------------------
def test_edit_image_count_is_recorded() -> None:
    rule = default_catalog().params("gpt-image-2", "edit")["image"]
    assert (rule.min_items, rule.max_items) == (1, 16)


def test_edit_takes_up_to_16_images(api: ImagesAPI) -> None:
    images = [{"file_id": f"file-{i}"} for i in range(17)]
    status, _, answer = post_json(api, EDIT, {"model": "gpt-image-2", "prompt": "x", "images": images[:16]})
    assert status == 200, answer
    assert answer["usage"]["input_tokens_details"]["image_tokens"] == 16 * default_catalog().response.input_tokens_per_image
    status, _, answer = post_json(api, EDIT, {"model": "gpt-image-2", "prompt": "x", "images": images})
    assert status == 400
    assert error(answer) == {
        "message": "Invalid 'images': array too long. Expected an array with maximum length 16, "
        "but got an array with length 17 instead.",
        "type": "invalid_request_error",
        "param": "images",  # named as sent
        "code": "array_above_max_length",
    }
    assert api.log[-1].param == "images"


def test_edit_form_with_too_many_images(api: ImagesAPI) -> None:
    status, body = post_form(api, EDIT, [("model", "gpt-image-2"), ("prompt", "x"), *[("image[]", PNG)] * 17])
    assert status == 400 and error(body)["code"] == "array_above_max_length" and error(body)["param"] == "image"


def test_edit_with_an_empty_image_list(api: ImagesAPI) -> None:
    status, _, answer = post_json(api, EDIT, {"model": "gpt-image-2", "prompt": "x", "images": []})
    assert status == 400 and error(answer)["code"] == "empty_array"
    assert error(answer)["message"] == (
        "Invalid 'images': empty array. Expected an array with minimum length 1, but got an empty array instead."
    )


def test_dall_e_2_edits_took_one_image() -> None:
    old_api = ImagesAPI(default_catalog(), datetime.date(2026, 1, 1))  # dall-e-2 still served
    fields = [("model", "dall-e-2"), ("prompt", "x")]
    assert post_form(old_api, EDIT, [*fields, ("image", PNG)])[0] == 200
    status, body = post_form(old_api, EDIT, [*fields, ("image[]", PNG), ("image[]", PNG)])
    assert status == 400 and error(body)["code"] == "array_above_max_length"


def test_multipart_parsing_keeps_bytes_and_nesting() -> None:
    blob = bytes(range(256)) * 3 + b"\r\n--testboundary\r\n\r"
    headers, body = multipart([("prompt", "café"), ("image[]", blob), ("image[]", PNG), ("svg[model]", "m"), ("svg[effort]", "low")])
    fields = parse_multipart(headers["Content-Type"], body)
    assert fields["prompt"] == "café"
    assert [f.data for f in fields["image"]] == [blob, PNG]
    assert fields["svg"] == {"model": "m", "effort": "low"}
    with pytest.raises(ValueError):
        parse_multipart("multipart/form-data", b"garbage")


# -- variations ----------------------------------------------------------------------------------
@pytest.mark.parametrize("fields", [[], [("model", "dall-e-2")]])
def test_variations_answer_dall_e_2_not_found(api: ImagesAPI, fields: List[Tuple[str, Any]]) -> None:
    status, body = post_form(api, VARIATION, [("image", PNG), *fields])
    assert status == 400 and error(body)["message"] == "The model 'dall-e-2' does not exist."


def test_variations_with_a_gpt_image_model_say_the_endpoint_is_retired(api: ImagesAPI) -> None:
    status, body = post_form(api, VARIATION, [("image", PNG), ("model", "gpt-image-2")])
    err = error(body)
    assert status == 400 and err["type"] == "invalid_request_error"
    assert err["message"] == default_catalog().endpoint("variation").retired_message
    assert err["code"] == default_catalog().errors["endpoint_retired"]["code"]


# -- transport-level answers ---------------------------------------------------------------------
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer "}])
def test_missing_auth(api: ImagesAPI, headers: Dict[str, str]) -> None:
    status, _, body = post_json(api, GENERATE, {"model": "gpt-image-2", "prompt": "x"}, headers=headers)
    assert status == 401
    assert "API key" in error(body)["message"]
    assert body == default_catalog().error("missing_api_key").body()


def test_transport_errors_are_read_from_the_catalogue() -> None:
    def reword(data: Dict[str, Any]) -> None:
        data["errors"]["missing_api_key"]["message"] = "No key."
        data["errors"]["invalid_url"]["status"] = 405

    api = ImagesAPI(catalog_with(reword), TODAY)
    status, _, body = post_json(api, GENERATE, {"model": "gpt-image-2", "prompt": "x"}, headers={})
    assert (status, error(body)["message"]) == (401, "No key.")
    assert post_json(api, "/v1/images/nothing", {})[0] == 405


def test_header_names_are_case_insensitive(api: ImagesAPI) -> None:
    assert post_json(api, GENERATE, {"model": "gpt-image-2", "prompt": "x"}, {"authorization": "bearer k"})[0] == 200


def test_paths(api: ImagesAPI) -> None:
    body = {"model": "gpt-image-2", "prompt": "x"}
    assert post_json(api, "/images/generations", body)[0] == 200
    assert post_json(api, GENERATE + "?trace=1", body)[0] == 200
    assert post_json(api, "/v1/images/nothing", body)[0] == 404
    assert api.handle("GET", GENERATE, AUTH, b"")[0] == 404


def test_bad_json_body(api: ImagesAPI) -> None:
    status, _, payload = api.handle("POST", GENERATE, AUTH, b"{not json")
    assert status == 400 and error(json.loads(payload))["code"] == "invalid_body"
    assert api.handle("POST", GENERATE, AUTH, b"[1]")[0] == 400


# -- successful answers --------------------------------------------------------------------------
def test_valid_generate_returns_n_decodable_pngs(api: ImagesAPI) -> None:
    status, headers, body = post_json(api, GENERATE, {"model": "gpt-image-2", "prompt": "a red fox", "n": 3})
    assert status == 200 and headers["Content-Type"] == "application/json"
    assert len(body["data"]) == 3
    images = [decoded_png(item["b64_json"]) for item in body["data"]]
    assert all(set(item) == {"b64_json"} for item in body["data"])  # never url / revised_prompt
    assert len(set(images)) == 3
    width, height = png_size(images[0])
    raw = zlib.decompress(images[0][images[0].index(b"IDAT") + 4 :])
    assert len(raw) == height * (1 + 3 * width)
    assert isinstance(body["created"], int)
    assert body["output_format"] == "png" and body["quality"] == "auto" and body["background"] == "auto"
    usage = body["usage"]
    assert set(usage["input_tokens_details"]) == {"image_tokens", "text_tokens"}
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]


def test_response_echoes_requested_settings(api: ImagesAPI) -> None:
    request = {"model": "gpt-image-2", "prompt": "x", "output_format": "jpeg", "quality": "high",
               "background": "opaque", "size": "1536x1024"}
    status, _, body = post_json(api, GENERATE, request)
    assert status == 200
    assert {k: body[k] for k in ("output_format", "quality", "background", "size")} == {
        "output_format": "jpeg", "quality": "high", "background": "opaque", "size": "1536x1024"}


def test_stream_answers_server_sent_events(api: ImagesAPI) -> None:
    request = {"model": "gpt-image-2", "prompt": "x", "stream": True, "partial_images": 1}
    status, headers, payload = api.handle("POST", GENERATE, AUTH, json.dumps(request).encode())
    assert status == 200 and headers["Content-Type"].startswith("text/event-stream")
    events = [block.split("\n") for block in payload.decode().strip().split("\n\n")]
    types = []
    for event_line, data_line in events:
        data = json.loads(data_line[len("data: ") :])
        assert event_line == "event: " + data["type"]
        decoded_png(data["b64_json"])
        types.append(data["type"])
    assert types == ["image_generation.partial_image", "image_generation.completed"]


def test_stream_must_be_boolean(api: ImagesAPI) -> None:
    assert generate_error(api, model="gpt-image-2", stream="yes")["code"] == "invalid_type"
    status, body = post_form(api, EDIT, [("model", "gpt-image-2"), ("prompt", "x"), ("image", PNG), ("stream", "yes")])
    assert status == 400 and error(body)["code"] == "invalid_type" and error(body)["param"] == "stream"


def test_stream_is_a_boolean_rule() -> None:
    rules = default_catalog().params("gpt-image-2", "generate")
    assert rules["stream"].is_boolean and rules["stream"].default is False
    assert not rules["n"].is_boolean


def test_stream_event_types_come_from_the_catalogue() -> None:
    catalog = default_catalog()
    assert catalog.endpoint("generate").stream_events == {
        "partial_image": "image_generation.partial_image", "completed": "image_generation.completed"}
    assert catalog.endpoint("edit").stream_event("completed") == "image_edit.completed"

    def rename(data: Dict[str, Any]) -> None:
        data["endpoints"]["generate"]["stream_events"] = {"partial_image": "gen.partial", "completed": "gen.done"}

    api = ImagesAPI(catalog_with(rename), TODAY)
    request = {"model": "gpt-image-2", "prompt": "x", "stream": True, "partial_images": 2}
    status, _, payload = api.handle("POST", GENERATE, AUTH, json.dumps(request).encode())
    assert status == 200
    assert [event["type"] for event in stream_events(payload)] == ["gen.partial", "gen.partial", "gen.done"]


def test_partial_images_cost_output_tokens(api: ImagesAPI) -> None:
    costs = default_catalog().response
    assert costs.output_tokens_per_partial_image == 100  # spec section 4.2
    request = {"model": "gpt-image-2", "prompt": "x", "stream": True, "partial_images": 3}
    _, _, payload = api.handle("POST", GENERATE, AUTH, json.dumps(request).encode())
    completed = stream_events(payload)[-1]
    assert completed["usage"]["output_tokens"] == costs.output_tokens_per_image + 3 * costs.output_tokens_per_partial_image


def test_response_settings_and_defaults_come_from_the_catalogue() -> None:
    catalog = default_catalog()
    assert catalog.response.settings == ("background", "output_format", "quality", "size")
    assert catalog.params("gpt-image-2", "generate")["output_format"].default == "png"

    def change(data: Dict[str, Any]) -> None:
        data["response"]["settings"] = ["output_format", "moderation"]
        data["profiles"]["gpt_image"]["generate"]["output_format"]["default"] = "webp"

    api = ImagesAPI(catalog_with(change), TODAY)
    status, _, body = post_json(api, GENERATE, {"model": "gpt-image-2", "prompt": "x"})
    assert status == 200
    assert set(body) == {"created", "data", "output_format", "moderation", "usage"}
    assert (body["output_format"], body["moderation"]) == ("webp", "auto")


def test_usage_token_counts_come_from_the_catalogue() -> None:
    def change(data: Dict[str, Any]) -> None:
        data["response"].update(input_tokens_per_image=7, output_tokens_per_image=11)

    api = ImagesAPI(catalog_with(change), TODAY)
    status, body = post_form(api, EDIT, [("model", "gpt-image-2"), ("prompt", "two words"), ("n", "3"),
                                         ("image[]", PNG), ("image[]", PNG)])
    assert status == 200
    assert body["usage"] == {"input_tokens": 16, "input_tokens_details": {"image_tokens": 14, "text_tokens": 2},
                             "output_tokens": 33, "total_tokens": 49}


# -- the default model ---------------------------------------------------------------------------
def test_api_default_model_is_recorded() -> None:
    assert default_catalog().api_default_model == "dall-e-2"


def test_api_default_model_comes_from_the_catalogue() -> None:
    def change(data: Dict[str, Any]) -> None:
        data["meta"]["api_default_model"] = "gpt-image-2"

    api = ImagesAPI(catalog_with(change), TODAY)
    status, _, body = post_json(api, GENERATE, {"prompt": "x"})
    assert status == 200, body


def test_unknown_api_default_model_is_a_catalogue_error() -> None:
    def change(data: Dict[str, Any]) -> None:
        data["meta"]["api_default_model"] = "gpt-image-99"

    with pytest.raises(CatalogError, match="api_default_model"):
        catalog_with(change)


# -- what the stand-in needs from the catalogue --------------------------------------------------
@pytest.mark.parametrize(
    "change, gap",
    [
        (lambda data: data["meta"].pop("api_default_model"), "[meta] api_default_model"),
        (lambda data: data["errors"].pop("missing_api_key"), "[errors.missing_api_key]"),
        (lambda data: data["size_rules"]["custom_wxh"].pop("error"), "[size_rules.custom_wxh] error"),
        (lambda data: data["endpoints"]["edit"].pop("stream_events"), "[endpoints.edit] stream_events.completed"),
    ],
)
def test_emulator_refuses_a_catalogue_without_its_facts(change: Callable[[Dict[str, Any]], None], gap: str) -> None:
    catalog = catalog_with(change)
    with pytest.raises(CatalogError) as caught:
        ImagesAPI(catalog, TODAY)
    assert gap in str(caught.value)


def test_catalogue_checks_new_rule_attributes() -> None:
    def bad_type(data: Dict[str, Any]) -> None:
        data["profiles"]["gpt_image"]["generate"]["stream"]["type"] = "bool"

    def bad_size_error(data: Dict[str, Any]) -> None:
        data["size_rules"]["dall_e_3"]["error"] = "no_such_error"

    with pytest.raises(CatalogError, match="unknown type"):
        catalog_with(bad_type)
    with pytest.raises(CatalogError, match="no_such_error"):
        catalog_with(bad_size_error)


# -- the log -------------------------------------------------------------------------------------
def test_log_names_the_failing_parameter() -> None:
    api = ImagesAPI(default_catalog(), TODAY)
    post_json(api, GENERATE, {"model": "gpt-image-2", "prompt": "x", "quality": "hd"})
    post_json(api, GENERATE, {"model": "gpt-image-2", "prompt": "x"})
    failed, passed = api.log
    assert failed == LoggedRequest(
        method="POST", path=GENERATE, model="gpt-image-2", params={"model": "gpt-image-2", "prompt": "x", "quality": "hd"},
        status=400, error="Invalid value: 'hd'. Supported values are: 'low', 'medium', 'high', and 'auto'.", param="quality",
    )
    assert failed.line() == (
        "POST /v1/images/generations model=gpt-image-2 -> 400 Invalid value: 'hd'. "
        "Supported values are: 'low', 'medium', 'high', and 'auto'. [param: quality]"
    )
    assert passed.ok and passed.status == 200 and passed.line().endswith("-> 200 OK")


# -- through a real socket -----------------------------------------------------------------------
def test_raw_http_without_auth_gets_401(images_api: EmulatorServer, api_log: List[LoggedRequest]) -> None:
    request = urllib.request.Request(images_api.base_url + "/images/generations", data=b"{}", method="POST")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=5)
    assert caught.value.code == 401
    assert json.loads(caught.value.read())["error"]["type"] == "invalid_request_error"
    assert api_log[-1].status == 401


def test_chunked_request_body(images_api: EmulatorServer) -> None:
    host, port = images_api.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=5)
    body = json.dumps({"model": "gpt-image-2", "prompt": "chunked"}).encode()
    headers = {**AUTH, "Content-Type": "application/json", "Transfer-Encoding": "chunked"}
    connection.request("POST", "/v1/images/generations", body=iter([body[:10], body[10:]]), headers=headers,
                       encode_chunked=True)
    response = connection.getresponse()
    assert response.status == 200, response.read()
    assert len(json.loads(response.read())["data"]) == 1
    connection.close()


def test_log_stream_and_quiet_stderr(capfd: pytest.CaptureFixture[str]) -> None:
    stream = io.StringIO()
    server = serve(default_catalog(), TODAY, log_stream=stream)
    try:
        assert server.base_url.startswith("http://127.0.0.1:") and server.base_url.endswith("/v1")
        request = urllib.request.Request(
            server.base_url + "/images/generations", method="POST", headers={**AUTH, "Content-Type": "application/json"},
            data=json.dumps({"model": "dall-e-3", "prompt": "x"}).encode(),
        )
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(request, timeout=5)
    finally:
        server.shutdown()
    assert stream.getvalue() == (
        "POST /v1/images/generations model=dall-e-3 -> 400 The model 'dall-e-3' does not exist. [param: model]\n"
    )
    assert capfd.readouterr().err == ""


# -- through the real openai SDK -----------------------------------------------------------------
@pytest.fixture
def openai_module() -> Any:
    return pytest.importorskip("openai")


@pytest.fixture
def client(openai_module: Any, images_api: EmulatorServer) -> Any:
    return openai_module.OpenAI(base_url=images_api.base_url, api_key="test", max_retries=0, timeout=10)


def test_sdk_generate_with_dall_e_3_fails(openai_module: Any, client: Any, api_log: List[LoggedRequest]) -> None:
    with pytest.raises(openai_module.BadRequestError) as caught:
        client.images.generate(model="dall-e-3", prompt="a red fox")
    assert "The model 'dall-e-3' does not exist." in caught.value.message
    assert caught.value.code == "model_not_found"
    assert api_log[-1].model == "dall-e-3" and api_log[-1].param == "model"


def test_sdk_response_format_fails(openai_module: Any, client: Any, api_log: List[LoggedRequest]) -> None:
    with pytest.raises(openai_module.BadRequestError) as caught:
        client.images.generate(model="gpt-image-2", prompt="a red fox", response_format="b64_json")
    assert "Unknown parameter: 'response_format'." in caught.value.message
    assert caught.value.param == "response_format"
    assert api_log[-1].param == "response_format"


def test_sdk_valid_generate(client: Any) -> None:
    result = client.images.generate(model="gpt-image-2", prompt="a red fox", n=2, size="1536x1024")
    assert len(result.data) == 2
    assert result.data[0].url is None and result.data[0].revised_prompt is None
    decoded_png(result.data[0].b64_json)
    assert result.size == "1536x1024" and result.usage.total_tokens > 0
    assert result._request_id.startswith("req_emulator_")


def test_sdk_edit_single_file(client: Any, api_log: List[LoggedRequest]) -> None:
    result = client.images.edit(model="gpt-image-2", prompt="add a hat", image=("a.png", PNG, "image/png"))
    decoded_png(result.data[0].b64_json)
    assert api_log[-1].params["image"] == f"<file a.png, {len(PNG)} bytes>"


def test_sdk_edit_file_list(client: Any, api_log: List[LoggedRequest]) -> None:
    named = io.BytesIO(PNG)
    named.name = "b.png"
    result = client.images.edit(model="gpt-image-2", prompt="merge", image=[("a.png", PNG, "image/png"), named])
    assert len(result.data) == 1
    assert api_log[-1].params["image"] == [f"<file a.png, {len(PNG)} bytes>", f"<file b.png, {len(PNG)} bytes>"]


def test_sdk_edit_input_fidelity_fails(openai_module: Any, client: Any, api_log: List[LoggedRequest]) -> None:
    with pytest.raises(openai_module.BadRequestError) as caught:
        client.images.edit(model="gpt-image-2", prompt="x", image=("a.png", PNG, "image/png"), input_fidelity="high")
    assert INPUT_FIDELITY_MESSAGE in caught.value.message
    assert api_log[-1].param == "input_fidelity"


def test_sdk_stream(client: Any) -> None:
    events = list(client.images.generate(model="gpt-image-2", prompt="x", stream=True))
    assert [event.type for event in events] == ["image_generation.completed"]
    decoded_png(events[0].b64_json)
    events = list(client.images.edit(model="gpt-image-2", prompt="x", image=("a.png", PNG, "image/png"), stream=True))
    assert [event.type for event in events] == ["image_edit.completed"]


def test_sdk_async_generate(openai_module: Any, images_api: EmulatorServer) -> None:
    async def run() -> Any:
        client = openai_module.AsyncOpenAI(base_url=images_api.base_url, api_key="test", max_retries=0, timeout=10)
        try:
            return await client.images.generate(model="gpt-image-2", prompt="a red fox")
        finally:
            await client.close()

    result = asyncio.run(run())
    decoded_png(result.data[0].b64_json)


def test_sdk_raw_response(client: Any) -> None:
    raw = client.images.with_raw_response.generate(model="gpt-image-2", prompt="a red fox")
    assert raw.status_code == 200 and raw.headers["content-type"] == "application/json"
    decoded_png(raw.parse().data[0].b64_json)


def test_sdk_create_variation_fails(openai_module: Any, client: Any) -> None:
    with pytest.warns(DeprecationWarning), pytest.raises(openai_module.BadRequestError) as caught:
        client.images.create_variation(image=("a.png", PNG, "image/png"))
    assert "The model 'dall-e-2' does not exist." in caught.value.message


def test_sdk_omitted_model_fails(openai_module: Any, client: Any) -> None:
    with pytest.raises(openai_module.BadRequestError) as caught:
        client.images.generate(prompt="a red fox")
    assert "The model 'dall-e-2' does not exist." in caught.value.message


# -- the Responses API's image generation tool ---------------------------------------------------
def respond(api: ImagesAPI, **tool: Any) -> Tuple[int, Dict[str, Any]]:
    body = {"model": "gpt-5", "input": "a harbour", "tools": [{"type": "web_search"}, {"type": "image_generation", **tool}]}
    status, _, payload = post_json(api, "/v1/responses", body)
    return status, payload


def test_responses_image_tool_answers_with_a_base64_image_call(api: ImagesAPI) -> None:
    status, body = respond(api, model="gpt-image-2", quality="high", size="1024x1536", action="generate")
    assert status == 200 and body["object"] == "response"
    (call,) = body["output"]
    assert call["type"] == "image_generation_call" and call["status"] == "completed"
    assert base64.b64decode(call["result"]).startswith(b"\x89PNG")
    assert api.log[-1].ok and api.log[-1].model == "gpt-image-2" and api.log[-1].params["prompt"] == "a harbour"


@pytest.mark.parametrize(
    "tool, message",
    [
        ({"model": "gpt-image-1"}, "The model 'gpt-image-1' does not exist."),
        ({"model": "dall-e-3"}, "The model 'dall-e-3' does not exist."),
        ({"model": "gpt-image-2", "quality": "hd"}, "Invalid value: 'hd'"),
        ({"model": "gpt-image-2", "size": "256x256"}, "655,360 pixels"),
        ({"model": "gpt-image-2", "input_fidelity": "high"}, "does not support the 'input_fidelity' parameter"),
        ({"model": "gpt-image-2", "style": "vivid"}, "Unknown parameter: 'tools[1].style'"),
        ({"quality": "standard"}, "Invalid value: 'standard'"),
    ],
)
def test_responses_image_tool_rejects_what_the_api_rejects(api: ImagesAPI, tool: Dict[str, Any], message: str) -> None:
    status, body = respond(api, **tool)
    assert status == 400, body
    assert message in body["error"]["message"]


def test_responses_without_an_image_tool_has_no_image(api: ImagesAPI) -> None:
    status, _, body = post_json(api, "/v1/responses", {"model": "gpt-5", "input": "hi"})
    assert status == 200 and body["output"] == []
