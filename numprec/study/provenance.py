"""What determines a member, recorded in its file and checked on resume.

Every member file carries, as global attributes named ``study_<key>``, the
values of :data:`KEYS`: the numprec version, the model name and its
parameters (the ``[model]`` table, with the defaults the model declares
filled in), the member's kind, label, index and initial-condition seed, and
for an experiment its policy, format name and format config
(``numprec.get_format(name).get_config()``), rounding scheme, rounding seed
and random bits.  Values are strings: text as it is, anything else as JSON.

A resumed study reuses a member file only if every key matches what the
study would write now; otherwise :func:`check_member` raises
:class:`StaleMemberError`, naming the first differing key with both values.
"""
from __future__ import annotations

import json

from numprec.study.spec import StudyError

PREFIX = "study_"
#: Provenance keys, in the order they are compared (and reported).
KEYS = ("numprec_version", "model", "model_params", "kind", "label", "member", "ic_seed",
        "policy", "format", "format_config", "rounding", "rounding_seed", "random_bits")
#: Keys whose value is a JSON object; a difference names the entry inside.
_OBJECTS = ("model_params", "format_config")


class StaleMemberError(StudyError):
    """A member file on disk was produced by a different study setup."""


def _jsonable(value):
    if hasattr(value, "item"):            # numpy scalars
        return value.item()
    return str(value)                     # TOML dates and times


def encode(value) -> str:
    """The attribute text of a provenance value."""
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, default=_jsonable)


def member_provenance(spec, task, model_defaults=None) -> dict:
    """The provenance attributes a member of ``spec`` gets.

    Parameters
    ----------
    spec : StudySpec
    task : MemberTask
    model_defaults : dict, optional
        The model's declared ``parameters`` (defaults filled in before the
        study's ``[model]`` table).

    Returns
    -------
    dict of str to str
        Keys ``study_<key>`` for every key of :data:`KEYS`.
    """
    import numprec

    params = {**(model_defaults or {}), **spec.model_params}
    config = None if task.format is None else numprec.get_format(task.format).get_config()
    values = {
        "numprec_version": numprec.__version__,
        "model": spec.model,
        "model_params": params,
        "kind": task.kind,
        "label": task.label,
        "member": task.member,
        "ic_seed": task.ic_seed,
        "policy": task.policy,
        "format": task.format,
        "format_config": config,
        "rounding": task.rounding,
        # the rounding seed only matters where something is rounded
        "rounding_seed": None if task.format is None else task.seed,
        "random_bits": getattr(task, "random_bits", None),
    }
    return {PREFIX + key: encode(values[key]) for key in KEYS}


def _decode(text):
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return text


def first_difference(stored: dict, expected: dict):
    """The first provenance key whose value differs.

    Parameters
    ----------
    stored : dict
        A member file's attributes.
    expected : dict
        :func:`member_provenance` of the study now.

    Returns
    -------
    tuple (name, stored_text, expected_text) or None
        ``name`` is the key, or ``key.entry`` inside the model parameters or
        the format config; a value missing from the file reads ``<missing>``.
    """
    for key in KEYS:
        name = PREFIX + key
        want = expected[name]
        have = stored.get(name)
        if have is not None and not isinstance(have, str):
            have = encode(have.tolist() if hasattr(have, "tolist") else have)
        if have == want:
            continue
        if have is None:
            return key, "<missing>", want
        old, new = _decode(have), _decode(want)
        if key in _OBJECTS and isinstance(old, dict) and isinstance(new, dict):
            for entry in sorted(set(old) | set(new)):
                a, b = old.get(entry, ...), new.get(entry, ...)
                if a is ... or b is ... or encode(a) != encode(b):
                    return (f"{key}.{entry}", "<missing>" if a is ... else encode(a),
                            "<missing>" if b is ... else encode(b))
        return key, have, want
    return None


def check_member(path, stored: dict, expected: dict) -> None:
    """Raise :class:`StaleMemberError` if a member file's provenance differs.

    The one-line message names the file, the first differing key and both
    values, and how to proceed.
    """
    difference = first_difference(stored, expected)
    if difference is None:
        return
    key, old, new = difference
    raise StaleMemberError(
        f"{path} was written with {key} = {old}, but this study has {key} = {new}; "
        f"refusing to reuse it: rerun with --overwrite to recompute such members, "
        f"or choose another --output")
