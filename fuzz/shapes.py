"""Shapes of real request-building code (issue 20), generated for the fuzzer.

``module(rng)`` writes one module that builds an image request step by step: a dict whose
rejected parameters (``style``, ``response_format``, a quality or size the target rejects) are
assigned in single-statement blocks of every kind (``if``/``elif``/``else`` with tests with and
without side effects, one-line suites ``if x: d["style"] = s``, ``for``, ``while``, ``with``,
``try``/``except``/``else``/``finally``, nested ``if``s, a statement sharing its line), edited
by ``del``/``pop``/``update``/``setdefault``, and sent with ``**``. Its model is a retired
constant that the module compares with ids.

``project(rng)`` writes a small project: a settings module holding the model, a quality and a
table keyed by model; a module with the call (its own request dict built in steps, uses of the
model); a script that calls it and passes values. So a value's fix and a call's fix land in
different files, and in the same file.

Both are checked by ``fuzz_fix.py``: the single module against ``invariants.py``; the project
through the command line (no internal error, every written file parses, a second fix changes
nothing).
"""

from __future__ import annotations

import random
from typing import Dict, List

RETIRED = ["dall-e-2", "dall-e-3", "gpt-image-1"]
IDS = RETIRED + ["gpt-image-2", "my-model"]
REJECTED = [
    ('"style"', ['"vivid"', '"natural"', "style"]),
    ('"response_format"', ['"url"', '"b64_json"', "response_format"]),
    ('"quality"', ['"hd"', '"standard"', '"high"']),
    ('"size"', ['"256x256"', '"512x512"', '"1792x1024"']),
    ('"n"', ["2", "n"]),
]
PURE_TESTS = ["style is not None", "model == {id}", "model != {id}", "flag", "not flag", "options.vivid", "model in ({id}, {id2})"]
SIDE_EFFECT_TESTS = ["flags.get('vivid')", "pick(model)", "len(prompt) > 3"]


def _id(rng: random.Random) -> str:
    return f'"{rng.choice(IDS)}"'


def _test(rng: random.Random) -> str:
    test = rng.choice(PURE_TESTS if rng.random() < 0.7 else SIDE_EFFECT_TESTS)
    return test.format(id=_id(rng), id2=_id(rng))


def _assignment(rng: random.Random, name: str) -> str:
    key, values = rng.choice(REJECTED)
    return f"{name}[{key}] = {rng.choice(values)}"


def _block(rng: random.Random, name: str, indent: str) -> List[str]:
    """One statement assigning a rejected parameter, alone in a block of some kind."""
    line = _assignment(rng, name)
    inner = indent + "    "
    kind = rng.choice(["if", "suite", "elif", "else", "for", "while", "with", "try", "except", "finally", "nested", "semicolon", "plain"])
    if kind == "if":
        return [f"{indent}if {_test(rng)}:", inner + line]
    if kind == "suite":
        return [f"{indent}if {_test(rng)}: {line}"]
    if kind == "elif":
        lines = [f"{indent}if {_test(rng)}:", inner + f'{name}["n"] = 1', f"{indent}elif {_test(rng)}:", inner + line]
        if rng.random() < 0.5:
            lines += [f"{indent}else:", inner + _assignment(rng, name)]
        return lines
    if kind == "else":
        return [f"{indent}if {_test(rng)}:", inner + "pass", f"{indent}else:", inner + line]
    if kind == "for":
        return [f"{indent}for extra in ('a', 'b'):", inner + line]
    if kind == "while":
        return [f"{indent}while len(prompt) > 100:", inner + line, inner + "break"] if rng.random() < 0.5 else [f"{indent}while False:", inner + line]
    if kind == "with":
        return [f"{indent}with lock:", inner + line]
    if kind == "try":
        return [f"{indent}try:", inner + line, f"{indent}except KeyError:", inner + "pass"]
    if kind == "except":
        return [f"{indent}try:", inner + "pass", f"{indent}except Exception:", inner + line]
    if kind == "finally":
        return [f"{indent}try:", inner + "pass", f"{indent}finally:", inner + line]
    if kind == "nested":
        return [f"{indent}if {_test(rng)}:", inner + f"if {_test(rng)}:", inner + "    " + line]
    if kind == "semicolon":
        return [f"{indent}count = 1; {line}" if rng.random() < 0.5 else f"{indent}{line}; count = 1"]
    return [indent + line]


def _edit(rng: random.Random, name: str, indent: str) -> List[str]:
    """A later edit of the request dict."""
    key, values = rng.choice(REJECTED)
    kind = rng.choice(["del", "pop", "update-kw", "update-dict", "setdefault", "cond-del"])
    if kind == "del":
        return [f"{indent}del {name}[{key}]"] if key in ('"n"',) else [f"{indent}{name}.pop({key}, None)"]
    if kind == "pop":
        return [f"{indent}{name}.pop({key}, None)"]
    if kind == "update-kw":
        return [f"{indent}{name}.update({key.strip(chr(34))}={rng.choice(values)})"]
    if kind == "update-dict":
        return [f"{indent}{name}.update({{{key}: {rng.choice(values)}}})"]
    if kind == "setdefault":
        return [f"{indent}{name}.setdefault({key}, {rng.choice(values)})"]
    return [f"{indent}if {_test(rng)}:", f"{indent}    {name}.pop({key}, None)"]


def module(rng: random.Random) -> str:
    model = rng.choice(RETIRED)
    name = rng.choice(["params", "kwargs", "request_params"])
    lines = [
        "import threading",
        "from openai import OpenAI",
        "",
        f'MODEL = "{model}"',
        "lock = threading.Lock()",
        "client = OpenAI()",
        "",
        "",
        "def pick(model):",
        "    return model",
        "",
        "",
        "def draw(prompt, style=None, response_format=None, flag=False, flags=None, options=None, n=1):",
        "    model = MODEL",
        f'    {name} = {{"model": model, "prompt": prompt}}',
    ]
    for _ in range(rng.randint(1, 5)):
        lines += _block(rng, name, "    ") if rng.random() < 0.75 else _edit(rng, name, "    ")
    lines.append(f"    return client.images.generate(**{name})")
    return "\n".join(lines) + "\n"


def project(rng: random.Random) -> Dict[str, str]:
    model = rng.choice(RETIRED)
    other = rng.choice([m for m in IDS if m != model])
    quality = rng.choice(['"hd"', '"standard"', '"high"'])
    table_keys = rng.sample(IDS, k=rng.randint(1, 3))
    if rng.random() < 0.7 and model not in table_keys:
        table_keys.append(model)
    table = ", ".join(f'"{k}": "{rng.choice(["1792x1024", "1024x1024", "512x512"])}"' for k in table_keys)
    settings = [f'IMAGE_MODEL = "{model}"', f"QUALITY = {quality}", f"SIZES = {{{table}}}", ""]
    call_module = [
        "from openai import OpenAI",
        "",
        "import settings",
        "",
        "client = OpenAI()",
        "",
        "",
        "def render(prompt, model=settings.IMAGE_MODEL, style=None):",
        '    params = {"model": model, "prompt": prompt, "quality": settings.QUALITY}',
    ]
    for _ in range(rng.randint(0, 3)):
        call_module += _block(rng, "params", "    ") if rng.random() < 0.75 else _edit(rng, "params", "    ")
    if rng.random() < 0.6:
        call_module += [f'    if model == "{rng.choice([model, other])}":', '        params["size"] = settings.SIZES.get(model, "1024x1024")']
    call_module += ["    return client.images.generate(**params)", ""]
    script = ["from images import render", "", ""]
    if rng.random() < 0.5:
        script += [f'render("a lighthouse", model="{rng.choice([model, other])}")', ""]
    else:
        script += ['render("a lighthouse")', ""]
    if rng.random() < 0.5:
        script += ["import settings", "", f'if settings.IMAGE_MODEL == "{rng.choice([model, other])}":', '    print("old model")', ""]
    return {"pyproject.toml": "", "settings.py": "\n".join(settings), "images.py": "\n".join(call_module), "main.py": "\n".join(script)}
