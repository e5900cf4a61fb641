"""The public extension API of formats: round_into, BlockFormat, the default
from_config and the argument checks plugins share."""
import numpy as np
import pytest

import numprec


class Truncate(numprec.Format):
    """Rounds toward zero to integers: an elementwise format written on the
    public API only (the oracle below is numpy's trunc)."""

    format_id = "test_truncate"

    def __init__(self, *, name="truncate"):
        self._name = name

    @property
    def name(self):
        return self._name

    def get_config(self):
        return {"id": self.format_id, "name": self._name}

    def round_into(self, x, out, scheme, key):
        np.trunc(x, out=out)


class OldStyle(numprec.Format):
    """A format written before round_into was public."""

    format_id = "test_old_style"
    name = "old"

    def get_config(self):
        return {"id": self.format_id}

    def _round_array(self, x, out, scheme, rng):
        np.floor(x, out=out)


class Nothing(numprec.Format):
    format_id = "test_nothing"
    name = "nothing"

    def get_config(self):
        return {"id": self.format_id}


class BlockMax(numprec.BlockFormat):
    """Each block of ``size`` values along ``axis`` becomes its maximum."""

    format_id = "test_block_max"

    def __init__(self, size=2, axis=-1, name=None):
        self._size = numprec.check_int(size, "size", 1, 1 << 20)
        self._axis = numprec.check_int(axis, "axis", -64, 63)
        self._name = name or f"blockmax{self._size}_axis{self._axis}"

    name = property(lambda self: self._name)
    axis = property(lambda self: self._axis)

    def get_config(self):
        return {"id": self.format_id, "name": self._name, "size": self._size, "axis": self._axis}

    def round_into(self, x, out, scheme, key):
        moved = np.moveaxis(x, self._axis, -1)
        blocks = moved.reshape(*moved.shape[:-1], -1, self._size)
        top = np.broadcast_to(blocks.max(axis=-1, keepdims=True), blocks.shape)
        out[...] = np.moveaxis(top.reshape(moved.shape), -1, self._axis)


def test_round_calls_round_into():
    x = np.array([1.5, -2.7, 3.0, -0.2])
    assert numprec.round(x, Truncate()).tolist() == np.trunc(x).tolist()


def test_a_format_with_only_the_old_private_method_still_rounds():
    x = np.array([1.5, -2.7])
    assert numprec.round(x, OldStyle()).tolist() == [1.0, -3.0]


def test_a_format_without_round_into_says_so():
    with pytest.raises(NotImplementedError, match="Nothing must implement round_into"):
        numprec.round(np.ones(2), Nothing())


def test_default_from_config_round_trips_and_checks_the_id():
    fmt = Truncate(name="t2")
    back = Truncate.from_config(fmt.get_config())
    assert back == fmt and back.name == "t2"
    with pytest.raises(ValueError, match="must have id 'test_truncate'"):
        Truncate.from_config({"id": "float", "name": "t"})
    with pytest.raises(TypeError, match="config must be a dict"):
        Truncate.from_config([("id", "test_truncate")])


def test_builtin_formats_use_the_default_from_config():
    for name in ("binary16", "float8_e4m3fn", "sq3.4_wrap", "uint8"):
        fmt = numprec.get_format(name)
        back = type(fmt).from_config(fmt.get_config())
        assert back == fmt and back.get_config() == fmt.get_config()
        assert numprec.from_config(fmt.get_config()) == fmt


def test_block_format_axis_and_default_with_axis():
    x = np.array([[1.0, 4.0], [3.0, 2.0]])
    last = BlockMax(2)
    assert numprec.round(x, last).tolist() == [[4.0, 4.0], [3.0, 3.0]]
    assert numprec.round(x, last, axis=0).tolist() == [[3.0, 4.0], [3.0, 4.0]]
    first = last.with_axis(0)
    assert isinstance(first, BlockMax) and first.axis == 0 and first.name == "blockmax2_axis0"
    assert not last.elementwise and Truncate().elementwise


def test_axis_is_refused_for_formats_that_are_not_block_formats():
    with pytest.raises(ValueError, match="numprec.BlockFormat"):
        numprec.round(np.ones(4), Truncate(), axis=0)


def test_block_format_needs_an_axis_property():
    class NoAxis(numprec.BlockFormat):
        format_id, name = "test_no_axis", "no_axis"

        def get_config(self):
            return {"id": self.format_id}

    with pytest.raises(TypeError, match="abstract"):
        NoAxis()


@pytest.mark.parametrize("value, error, match", [
    (True, TypeError, "size must be an integer in \\[1, 8\\], got True"),
    (2.0, TypeError, "size must be an integer"),
    (9, ValueError, "size must be in \\[1, 8\\], got 9"),
    (0, ValueError, "size must be in \\[1, 8\\], got 0"),
])
def test_check_int(value, error, match):
    with pytest.raises(error, match=match):
        numprec.check_int(value, "size", 1, 8)


def test_check_int_returns_a_python_int():
    got = numprec.check_int(np.int16(5), "size", 1, 8)
    assert got == 5 and type(got) is int


def test_check_choice():
    assert numprec.check_choice("wrap", "overflow", ("saturate", "wrap")) == "wrap"
    with pytest.raises(ValueError, match="overflow must be one of \\('saturate', 'wrap'\\), got 'Wrap'"):
        numprec.check_choice("Wrap", "overflow", ("saturate", "wrap"))
    with pytest.raises(ValueError, match="got True"):
        numprec.check_choice(True, "flag", (1, 0))
